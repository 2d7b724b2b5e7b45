// The runtime boundaries of DESIGN §8, checked on the whole import graph
// (type-only imports included) where the lint rules see one import at a time:
// a renderer that reaches node:fs through a shared module is caught here.
// `npm run lint:deps` runs it; tests/unit/dependency-rules.test.ts proves
// each rule fires on a fixture under tests/fixtures/deps/.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- dependency-cruiser loads its config as CommonJS
const { builtinModules } = require('node:module');

const escape = (name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** Node's own modules, as the import graph names them (`fs`, `node:fs`, `node:sqlite`). */
const NODE_BUILTIN = `^(node:)?(${builtinModules.map(escape).join('|')})$`;
/** npm packages that need Node (native add-ons, sockets, pino's worker threads). */
const NODE_ONLY_PACKAGE = 'node_modules/(pino|pino-[^/]+|better-sqlite3|serialport|@serialport/[^/]+|node-hid|mediasoup|ws|pg|pg-[^/]+)/';
/** The Node-only layer shared by host and hub. */
const NODE_LAYER = '^src/node/';
const RENDERER = '^src/renderer/([^/]+)/';
// The renderers' build configs run in Node, not in the page.
const BUILD_CONFIG = '^src/renderer/[^/]+/vite\\.config\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'renderer-imports-shared-media-only',
      comment: 'Renderer code imports only src/shared, src/media, its own folder and npm packages (DESIGN §8).',
      severity: 'error',
      from: { path: RENDERER, pathNot: BUILD_CONFIG },
      to: { pathNot: ['^src/(shared|media)/', '^src/renderer/$1/', 'node_modules/'] },
    },
    {
      name: 'node-only-never-reaches-renderer',
      comment: 'Node built-ins, src/node and Node-only packages are not reachable from renderer code, however many modules lie between.',
      severity: 'error',
      from: { path: RENDERER, pathNot: BUILD_CONFIG },
      to: { reachable: true, path: [NODE_BUILTIN, NODE_LAYER, NODE_ONLY_PACKAGE] },
    },
    {
      name: 'shared-runs-anywhere',
      comment: 'src/shared is pure code any runtime may import: no Node built-in, no src/node, no Node-only package, nothing else of src.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: [NODE_BUILTIN, NODE_ONLY_PACKAGE, '^src/(?!shared/)', '^devices/'] },
    },
    {
      name: 'hub-never-imports-host',
      comment: 'What hub and host both need lives in src/node or src/shared (DESIGN §8).',
      severity: 'error',
      from: { path: '^src/hub/' },
      to: { path: '^src/host/' },
    },
    {
      name: 'host-never-imports-hub',
      comment: 'What hub and host both need lives in src/node or src/shared (DESIGN §8).',
      severity: 'error',
      from: { path: '^src/host/' },
      to: { path: '^src/hub/' },
    },
    {
      name: 'electron-only-in-shell',
      comment: 'Only src/main and src/preload import electron (DESIGN §8).',
      severity: 'error',
      from: { pathNot: '^src/(main|preload)/' },
      to: { path: ['^electron$', 'node_modules/electron/'] },
    },
    {
      name: 'no-cycles',
      comment: 'No import cycle, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
  },
};
