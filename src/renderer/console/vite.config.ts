import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

// Browsers ask every origin for /favicon.ico: the kiosk and the console carry one icon,
// src/renderer/favicon.ico (a white cross on the kiosk's blue, 16 and 32 px).
const favicon: Plugin = {
  name: 'cabine-favicon',
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'favicon.ico', source: readFileSync(new URL('../favicon.ico', import.meta.url)) });
  },
};

export default defineConfig({
  root: here,
  base: './',
  plugins: [react(), favicon],
  build: { outDir: fileURLToPath(new URL('../../../dist/renderer/console', import.meta.url)), emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      // zod's comments confuse Rollup's annotation parser; harmless, and noisy.
      onwarn(warning, warn) {
        if (warning.code !== 'INVALID_ANNOTATION') warn(warning);
      },
    },
  },
});
