#!/usr/bin/env node
/**
 * Builds what runs outside Node+tsx: the kiosk, console and counter renderers (Vite)
 * and the Electron main and preload (esbuild; the preload as CommonJS, since
 * a sandboxed preload cannot be an ES module). The extra steps of
 * scripts/build-steps.mjs (spoken prompts, the alert chime) hook in here.
 */
import { build as esbuild } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLogger, build as viteBuild } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);
/** Every warning fails the build: a warning about the bundle once hid a shell that could not load its HID devices. */
const warnings = [];

const steps = [];
const extra = join(root, 'scripts/build-steps.mjs');
if (existsSync(extra)) {
  const mod = await import(pathToFileURL(extra).href);
  steps.push(...mod.steps);
}
for (const step of steps.filter((s) => s.before && want(s.name))) await step.run({ root });

for (const app of ['kiosk', 'console', 'counter']) {
  if (!want(app)) continue;
  // Vite's own warnings (chunk size among them) are collected like esbuild's.
  const logger = createLogger('warn');
  const collect = (msg) => warnings.push(`vite ${app}: ${msg.trim()}`);
  logger.warn = collect;
  logger.warnOnce = collect;
  await viteBuild({ configFile: join(root, `src/renderer/${app}/vite.config.ts`), logLevel: 'warn', customLogger: logger });
}
if (want('electron')) {
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    external: ['electron', 'better-sqlite3', 'serialport', '@serialport/*', 'node-hid', 'mediasoup', 'electron-updater', 'pdfkit'],
    format: 'cjs',
  };
  const main = {
    ...common,
    entryPoints: [join(root, 'src/main/main.ts')],
    outfile: join(root, 'dist/main/main.cjs'),
    // NOTE: the sources are ES modules and some resolve native packages from
    // `import.meta.url` (createRequire); a CommonJS bundle has no import.meta,
    // so esbuild would leave it empty and `createRequire(undefined)` throws at
    // run time (the shipped kiosk could not load node-hid). The bundle's own
    // file URL stands in for it.
    define: { 'import.meta.url': '__cabineImportMetaUrl' },
    banner: { js: 'const __cabineImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  };
  const bundles = [
    main,
    // A sandboxed preload has no Node require: it gets no banner.
    { ...common, entryPoints: [join(root, 'src/preload/preload.ts')], outfile: join(root, 'dist/preload/preload.cjs'), external: ['electron'] },
  ];
  for (const options of bundles) {
    const result = await esbuild(options);
    warnings.push(...result.warnings.map((w) => `esbuild ${relative(root, options.outfile)}: ${w.text}${w.location ? ` (${w.location.file}:${w.location.line})` : ''}`));
  }
}
for (const step of steps.filter((s) => !s.before && want(s.name))) await step.run({ root });
if (warnings.length > 0) {
  process.stderr.write(`[build] failed: ${warnings.length} warning(s)\n${warnings.map((w) => `  - ${w}`).join('\n')}\n`);
  process.exit(1);
}
process.stderr.write(`[build] done in ${Date.now() - started} ms\n`);
