/**
 * What the booth installer would hold, computed without packaging (that
 * downloads Electron): electron-builder's own file matchers read
 * electron-builder.yml, its own walker lists the repository's files, its own
 * node_modules collector (the traversal one, which spawns no package manager)
 * lists the production dependencies and its own copy helper filters their
 * files. The expectation is independent of electron-builder: the booth's
 * bundles carry everything except the packages esbuild leaves external, so
 * node_modules must hold exactly those packages' dependency closure, taken
 * from package-lock.json.
 */
import { existsSync, readFileSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/config';

const require = createRequire(import.meta.url);

interface Matcher {
  readonly from: string;
  readonly to: string;
  readonly patterns: string[];
  createFilter(): (file: string, stat: FileStat) => boolean;
}
type FileStat = Pick<Stats, 'isDirectory' | 'isFile' | 'isSymbolicLink'>;
interface CollectedModule { name: string; dir: string; dependencies?: CollectedModule[] }
interface Walker { filter: (file: string, stat: FileStat) => boolean; metadata: Map<string, FileStat> }
interface BuilderConfig { files: string[]; directories: { output: string; buildResources: string }; linux: object }

const yaml = require('js-yaml') as { load(text: string): unknown };
const { getMainFileMatchers, getNodeModuleFileMatcher, FileMatcher, excludedExts } = require('app-builder-lib/out/fileMatcher') as {
  getMainFileMatchers(appDir: string, to: string, expand: (s: string) => string, platformOptions: object, platformPackager: object, outDir: string, electronCompile: boolean): Matcher[];
  getNodeModuleFileMatcher(appDir: string, to: string, expand: (s: string) => string, platformOptions: object, packager: object): Matcher;
  FileMatcher: new (from: string, to: string, expand: (s: string) => string, patterns: string[]) => Matcher;
  excludedExts: string;
};
const { AppFileWalker } = require('app-builder-lib/out/util/AppFileWalker') as {
  AppFileWalker: new (matcher: Matcher, packager: object) => Walker;
};
const { NodeModuleCopyHelper } = require('app-builder-lib/out/util/NodeModuleCopyHelper') as {
  NodeModuleCopyHelper: new (matcher: Matcher, packager: object) => {
    collectNodeModules(module: CollectedModule, excludedExts: string[], destination: string): Promise<string[]>;
  };
};
const { getCollectorByPackageManager, PM } = require('app-builder-lib/out/node-module-collector') as {
  PM: { TRAVERSAL: string };
  getCollectorByPackageManager(pm: string, root: string, temp: object): { getNodeModules(o: { packageName: string }): Promise<{ nodeModules: CollectedModule[] }> };
};
const { walk } = require('builder-util') as {
  walk(dir: string, filter: Walker['filter'], consumer: Walker): Promise<string[]>;
};

/**
 * The packages the booth's main bundle requires at run time: the `external`
 * list of scripts/build.mjs, less `electron` (the runtime itself) and
 * `mediasoup` (only the hub runs it).
 */
const BOOTH_RUNTIME = ['better-sqlite3', 'serialport', 'node-hid', 'electron-updater', 'pdfkit'];

const config = yaml.load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
/** Where the app lands inside the package (a name only: nothing is written). */
const APP = join(ROOT, 'release', 'linux-unpacked', 'resources', 'app');
const expand = (s: string): string => s.replace(/\$\{arch\}/g, 'x64').replace(/\$\{os\}/g, 'linux').replace(/\$\{platform\}/g, 'linux');
const info = {
  projectDir: ROOT,
  appDir: ROOT,
  buildResourcesDir: config.directories.buildResources,
  isPrepackedAppAsar: false,
  areNodeModulesHandledExternally: false,
  config,
  debugLogger: { isEnabled: false, add: () => undefined },
  appInfo: { type: 'module' },
  getWorkspaceRoot: () => Promise.resolve(ROOT),
};
const fileStat: FileStat = { isDirectory: () => false, isFile: () => true, isSymbolicLink: () => false };

function mainMatchers(): Matcher[] {
  return getMainFileMatchers(ROOT, APP, expand, config.linux, { info }, join(ROOT, config.directories.output), false);
}

/** True when electron-builder would copy this repository file into the app. */
function packsAppFile(path: string): boolean {
  return mainMatchers().some((m) => m.createFilter()(join(m.from, path), fileStat));
}

/** The app's own files (outside node_modules), as paths inside the app. */
async function appFiles(): Promise<string[]> {
  const out: string[] = [];
  for (const matcher of mainMatchers()) {
    if (!existsSync(matcher.from)) continue;
    const walker = new AppFileWalker(matcher, info);
    const files = await walk(matcher.from, walker.filter, walker);
    out.push(...files.filter((f) => walker.metadata.get(f)?.isDirectory() === false).map((f) => relative(APP, join(matcher.to, relative(matcher.from, f)))));
  }
  return out.map((f) => f.split(sep).join('/')).sort();
}

/** node_modules as packed: per module (`name@version`), the files that survive the filters, as paths inside the app. */
async function nodeModuleFiles(): Promise<Map<string, string[]>> {
  const temp = { getTempFile: () => Promise.reject(new Error('the traversal collector needs no temporary file')) };
  const { nodeModules } = await getCollectorByPackageManager(PM.TRAVERSAL, ROOT, temp).getNodeModules({ packageName: 'cabine' });
  const moduleMatcher = getNodeModuleFileMatcher(ROOT, APP, expand, config.linux, info);
  const skipExts = ['.o', '.obj', '.pdb', '.dll', '.exe', ...excludedExts.split(',').map((e) => `.${e}`)];
  const packed = new Map<string, string[]>();
  const visit = async (mod: CollectedModule, destination: string): Promise<void> => {
    const copier = new NodeModuleCopyHelper(new FileMatcher(mod.dir, destination, expand, moduleMatcher.patterns), info);
    const inApp = relative(APP, destination).split(sep).join('/');
    const files = await copier.collectNodeModules(mod, skipExts, inApp);
    if (files.length > 0) packed.set(`${mod.name}@${versionOf(mod.dir)}`, files.map((f) => `${inApp}/${relative(mod.dir, f).split(sep).join('/')}`));
    for (const child of mod.dependencies ?? []) await visit(child, join(destination, 'node_modules', child.name));
  };
  for (const mod of nodeModules) await visit(mod, join(APP, 'node_modules', mod.name));
  return packed;
}

function versionOf(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

interface LockEntry { version?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }
/**
 * The installed dependency closure of `roots`, resolved as Node does over
 * package-lock.json's layout, as `name@version` (electron-builder hoists the
 * production tree its own way, so where a package sits may differ).
 */
function lockClosure(roots: string[]): string[] {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry | undefined> };
  type Found = { path: string; entry: LockEntry };
  const resolveFrom = (from: string, name: string): Found | null => {
    for (let base = from; ; base = base.includes('/node_modules/') ? base.slice(0, base.lastIndexOf('/node_modules/')) : '') {
      const path = `${base ? `${base}/` : ''}node_modules/${name}`;
      const entry = lock.packages[path];
      if (entry) return { path, entry };
      if (!base) return null;
    }
  };
  const seen = new Map<string, LockEntry>();
  const todo = roots.map((r) => resolveFrom('', r));
  for (let found = todo.pop(); found !== undefined; found = todo.pop()) {
    if (found === null || seen.has(found.path)) continue;
    seen.set(found.path, found.entry);
    for (const dep of Object.keys({ ...found.entry.dependencies, ...found.entry.optionalDependencies })) todo.push(resolveFrom(found.path, dep));
  }
  const installed = [...seen].filter(([path]) => existsSync(join(ROOT, path)));
  return [...new Set(installed.map(([path, entry]) => `${path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)}@${entry.version}`))].sort();
}

describe('the booth package (electron-builder.yml)', () => {
  let app: string[];
  let modules: Map<string, string[]>;
  beforeAll(async () => {
    app = await appFiles();
    modules = await nodeModuleFiles();
  }, 120_000);

  it('holds the main process, the preload, the kiosk page and the booth config, and package.json', () => {
    for (const file of ['dist/main/main.cjs', 'dist/preload/preload.cjs', 'dist/renderer/kiosk/index.html', 'dist/renderer/kiosk/assets/index.js', 'kiosk-config/default.json', 'package.json']) {
      expect(packsAppFile(file), file).toBe(true);
    }
  });

  it('holds none of the console page, the sources, the tests, the hub config or source maps', () => {
    for (const file of ['dist/renderer/console/index.html', 'dist/main/main.cjs.map', 'src/host/main.ts', 'src/hub/main.ts', 'devices/simulate.ts', 'tests/unit/main/booth-package.test.ts', 'hub-config/default.json', 'scripts/build.mjs', 'bench/run.ts']) {
      expect(packsAppFile(file), file).toBe(false);
    }
    const allowed = /^(dist\/main\/|dist\/preload\/|dist\/renderer\/kiosk\/|kiosk-config\/|package\.json$)/;
    expect(app.filter((f) => !allowed.test(f) || f.endsWith('.map'))).toEqual([]);
  });

  it('holds exactly the dependency closure of the packages the booth requires at run time', () => {
    expect([...modules.keys()].sort()).toEqual(lockClosure(BOOTH_RUNTIME));
  });

  it('holds no mediasoup: neither the hub\'s media server and its worker nor the client the pages bundle', () => {
    const files = [...modules.values()].flat();
    expect(files.filter((f) => /mediasoup/.test(f))).toEqual([]);
  });

  it('still holds the native bindings the booth loads (SQLite, serial, HID)', () => {
    const files = [...modules.values()].flat();
    for (const native of [/^node_modules\/better-sqlite3\/.*\.node$/, /^node_modules\/@serialport\/bindings-cpp\/.*\.node$/, /^node_modules\/node-hid\/.*\.node$/]) {
      expect(files.some((f) => native.test(f)), String(native)).toBe(true);
    }
  });
});
