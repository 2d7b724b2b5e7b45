import react from '@vitejs/plugin-react';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

// The kiosk's icon and its alert chime (rendered by scripts/build-steps.mjs into the kiosk's public folder):
// the counter rings with the same sound the booth does.
const assets: Plugin = {
  name: 'cabine-counter-assets',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'favicon.ico', source: readFileSync(new URL('../favicon.ico', import.meta.url)) });
    const chime = new URL('../kiosk/public/audio/chime.wav', import.meta.url);
    if (existsSync(chime)) this.emitFile({ type: 'asset', fileName: 'audio/chime.wav', source: readFileSync(chime) });
  },
};

export default defineConfig({
  root: here,
  base: './',
  plugins: [react(), assets],
  build: { outDir: fileURLToPath(new URL('../../../dist/renderer/counter', import.meta.url)), emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      // zod's comments confuse Rollup's annotation parser; harmless, and noisy.
      onwarn(warning, warn) {
        if (warning.code !== 'INVALID_ANNOTATION') warn(warning);
      },
    },
  },
});
