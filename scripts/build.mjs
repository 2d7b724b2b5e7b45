#!/usr/bin/env node
/**
 * Builds what runs outside Node+tsx: the kiosk and console renderers (Vite)
 * and the Electron main and preload (esbuild; the preload as CommonJS, since
 * a sandboxed preload cannot be an ES module). Later steps (spoken prompts)
 * hook in here.
 */
import { build as esbuild } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build as viteBuild } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);

const steps = [];
const extra = join(root, 'scripts/build-steps.mjs');
if (existsSync(extra)) {
  const mod = await import(pathToFileURL(extra).href);
  steps.push(...mod.steps);
}
for (const step of steps.filter((s) => s.before && want(s.name))) await step.run({ root });

for (const app of ['kiosk', 'console']) {
  if (!want(app)) continue;
  await viteBuild({ configFile: join(root, `src/renderer/${app}/vite.config.ts`), logLevel: 'warn' });
}
if (want('electron')) {
  const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', external: ['electron', 'better-sqlite3', 'serialport', '@serialport/*', 'node-hid', 'mediasoup', 'electron-updater', 'pdfkit'] };
  await esbuild({ ...common, entryPoints: [join(root, 'src/main/main.ts')], outfile: join(root, 'dist/main/main.cjs'), format: 'cjs' });
  await esbuild({ ...common, entryPoints: [join(root, 'src/preload/preload.ts')], outfile: join(root, 'dist/preload/preload.cjs'), format: 'cjs', external: ['electron'] });
}
for (const step of steps.filter((s) => !s.before && want(s.name))) await step.run({ root });
process.stderr.write(`[build] done in ${Date.now() - started} ms\n`);
