import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: { outDir: fileURLToPath(new URL('../../../dist/renderer/kiosk', import.meta.url)), emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      // zod's comments confuse Rollup's annotation parser; harmless, and noisy.
      onwarn(warning, warn) {
        if (warning.code !== 'INVALID_ANNOTATION') warn(warning);
      },
    },
  },
});
