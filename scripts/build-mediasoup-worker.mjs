#!/usr/bin/env node
// Builds the mediasoup worker binary offline, from the sources shipped in the
// mediasoup npm package and Debian's system libraries, caches it, and installs
// it where mediasoup looks for it.
//
// Why: npm's mediasoup downloads a prebuilt worker from outside the npm
// registry, and its fallback build downloads every C/C++ dependency; neither
// works on our machines. The recipe is shared/notes/mediasoup-worker.md ("the
// notes" below; §N = its section N). This file follows it step by step.
//
// Usage:
//   node scripts/build-mediasoup-worker.mjs [--rebuild] [--quiet]
//   import { ensureMediasoupWorker } from './scripts/build-mediasoup-worker.mjs';
//   const bin = await ensureMediasoupWorker({ log: console.log });
//
// Dependency-free on purpose (node: builtins only): it runs before, and
// independently of, anything else the project installs.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStageLog, formatDuration } from './stage-log.mjs';

const SCRIPT_PATH = fileURLToPath(import.meta.url);
const REPO_ROOT = path.resolve(path.dirname(SCRIPT_PATH), '..');
const LOG_PREFIX = '[mediasoup-worker]';

/** Exit code of a sound worker binary started without its environment (notes §7). */
export const WORKER_SELF_TEST_EXIT_CODE = 41;

// Notes §1: build dependencies (meson is handled apart: it must come from backports).
// NOTE: `strip` comes from binutils, which g++ always pulls in.
export const APT_BUILD_PACKAGES = Object.freeze([
  'ninja-build',
  'pkg-config',
  'g++',
  'libssl-dev',
  'libuv1-dev',
  'libsrtp2-dev',
  'libusrsctp-dev',
  'libabsl-dev',
  'libflatbuffers-dev',
  'flatbuffers-compiler',
]);
const MESON_MIN_VERSION = '1.1';
const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive' };
// NOTE: other engineers and CI jobs may run apt on the same machine; wait for
// the dpkg lock instead of failing on it.
const APT_LOCK_WAIT = ['-o', 'DPkg::Lock::Timeout=600'];

// ---------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------

/**
 * Where everything lives, for the mediasoup installed under `root`.
 * @param {{ root?: string, env?: NodeJS.ProcessEnv }} [options]
 */
export function workerPaths({ root = REPO_ROOT, env = process.env } = {}) {
  const packageDir = path.join(root, 'node_modules', 'mediasoup');
  // NOTE: `require('mediasoup/package.json')` fails (not in its "exports"):
  // read the file by path (ENVIRONMENT.md, traps).
  const packageJsonPath = path.join(packageDir, 'package.json');
  let version;
  try {
    version = JSON.parse(fs.readFileSync(packageJsonPath, 'utf8')).version;
  } catch (error) {
    throw new Error(`cannot read the mediasoup version from ${packageJsonPath} (run npm ci first): ${error.message}`);
  }
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+/.test(version)) {
    throw new Error(`unexpected mediasoup version ${JSON.stringify(version)} in ${packageJsonPath}`);
  }
  const xdg = env.XDG_CACHE_HOME;
  // XDG spec: a relative XDG_CACHE_HOME is invalid and must be ignored.
  const cacheRoot = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  const cacheDir = path.join(cacheRoot, 'cabine', 'mediasoup-worker', `${version}-${process.platform}-${process.arch}`);
  return {
    version,
    packageDir,
    workerSourceDir: path.join(packageDir, 'worker'),
    cacheDir,
    cachedBinary: path.join(cacheDir, 'mediasoup-worker'),
    // Notes §2: mediasoup's default worker path (used when MEDIASOUP_WORKER_BIN is unset).
    installedBinary: path.join(packageDir, 'worker', 'out', 'Release', 'mediasoup-worker'),
  };
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

/**
 * True when `file` is a worker binary that runs on this machine: started with
 * an empty environment, a real worker exits with code 41 ("you don't seem to
 * be my real father!", notes §7). Garbage, a truncated file, a binary whose
 * shared libraries are missing, or a non-executable file all give false.
 * @param {string} file
 * @returns {boolean}
 */
export function isValidWorkerBinary(file) {
  try {
    if (!fs.statSync(file).isFile()) return false;
  } catch {
    return false;
  }
  const result = spawnSync(file, [], { env: {}, stdio: 'ignore', timeout: 10_000 });
  return !result.error && result.status === WORKER_SELF_TEST_EXIT_CODE;
}

// ---------------------------------------------------------------------------
// System packages (notes §1)
// ---------------------------------------------------------------------------

function isDebInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === 'install ok installed';
}

/** @returns {string | null} meson's version, or null when meson is absent. */
function mesonVersion() {
  const r = spawnSync('meson', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return r.stdout.trim();
}

function versionAtLeast(version, min) {
  const a = version.split('.').map((n) => parseInt(n, 10) || 0);
  const b = min.split('.').map((n) => parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

function debianCodename() {
  try {
    const m = /^VERSION_CODENAME=(.+)$/m.exec(fs.readFileSync('/etc/os-release', 'utf8'));
    if (m) return m[1].replace(/"/g, '').trim();
  } catch {
    // fall through
  }
  return 'bookworm';
}

const APT_SOURCES_DIR = '/etc/apt/sources.list.d';

/** The mirror the machine already uses for `codename` (notes §1: same mirror as debian.sources). */
function debianMirror(codename) {
  const candidates = [path.join(APT_SOURCES_DIR, 'debian.sources')];
  try {
    for (const f of fs.readdirSync(APT_SOURCES_DIR)) if (f.endsWith('.sources')) candidates.push(path.join(APT_SOURCES_DIR, f));
  } catch {
    // no sources.list.d
  }
  for (const file of candidates) {
    let text;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const stanza of text.split(/\n\s*\n/)) {
      const field = (name) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1].trim().split(/\s+/) ?? [];
      if (field('Suites').includes(codename) && field('Types').includes('deb')) {
        const uri = field('URIs')[0];
        if (uri) return uri;
      }
    }
  }
  try {
    const m = new RegExp(`^deb\\s+(?:\\[[^\\]]*\\]\\s+)?(\\S+)\\s+${codename}\\s`, 'm').exec(fs.readFileSync('/etc/apt/sources.list', 'utf8'));
    if (m) return m[1];
  } catch {
    // no sources.list
  }
  return 'http://deb.debian.org/debian';
}

/** True when some apt source already lists `<codename>-backports`. */
function backportsConfigured(codename) {
  const files = ['/etc/apt/sources.list'];
  try {
    for (const f of fs.readdirSync(APT_SOURCES_DIR)) if (/\.(list|sources)$/.test(f)) files.push(path.join(APT_SOURCES_DIR, f));
  } catch {
    // no sources.list.d
  }
  const re = new RegExp(`^(?!\\s*#).*\\b${codename}-backports\\b`, 'm');
  return files.some((f) => {
    try {
      return re.test(fs.readFileSync(f, 'utf8'));
    } catch {
      return false;
    }
  });
}

function backportsSourceText(codename, mirror) {
  // Notes §1: a deb822 file, same mirror as debian.sources, the Debian archive key.
  return [
    '# Added by Cabine scripts/build-mediasoup-worker.mjs: meson >= 1.1 for the mediasoup worker build.',
    'Types: deb',
    `URIs: ${mirror}`,
    `Suites: ${codename}-backports`,
    'Components: main',
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
    '',
  ].join('\n');
}

function runApt(args, log) {
  const r = spawnSync('apt-get', [...APT_LOCK_WAIT, ...args], {
    env: { ...process.env, ...APT_ENV },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error || r.status !== 0) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n');
    throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status ?? r.error?.message}):\n${out}`);
  }
  log(`  apt-get ${args.filter((a) => a !== '-y' && a !== '--no-install-recommends').join(' ')}: ok`);
}

/**
 * Installs the build dependencies that are missing (notes §1). As root it runs
 * apt-get; otherwise it throws with the exact commands to run.
 */
export function ensureBuildPackages({ log = () => {} } = {}) {
  if (spawnSync('dpkg-query', ['--version'], { stdio: 'ignore' }).error) {
    throw new Error(`dpkg-query not found: this build needs Debian (bookworm) with: ${APT_BUILD_PACKAGES.join(' ')} and meson >= ${MESON_MIN_VERSION}`);
  }
  const missing = APT_BUILD_PACKAGES.filter((p) => !isDebInstalled(p));
  const meson = mesonVersion();
  const needMeson = !meson || !versionAtLeast(meson, MESON_MIN_VERSION);
  if (missing.length === 0 && !needMeson) return;

  const codename = debianCodename();
  const backports = `${codename}-backports`;
  const sourceFile = path.join(APT_SOURCES_DIR, `${backports}.sources`);
  const needSourceFile = needMeson && !backportsConfigured(codename);
  const installLine = (pkgs, extra = []) =>
    ['apt-get', 'install', '-y', '--no-install-recommends', ...extra, ...pkgs];

  log(
    `missing build tools:${missing.length ? ` ${missing.join(' ')}` : ''}` +
      `${needMeson ? ` meson>=${MESON_MIN_VERSION} (have ${meson ?? 'none'})` : ''}`,
  );

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    const lines = [];
    if (needSourceFile) {
      lines.push(`sudo tee ${sourceFile} >/dev/null <<'EOF'\n${backportsSourceText(codename, debianMirror(codename))}EOF`);
    }
    lines.push('sudo apt-get update');
    if (missing.length) lines.push(`sudo DEBIAN_FRONTEND=noninteractive ${installLine(missing).join(' ')}`);
    if (needMeson) lines.push(`sudo DEBIAN_FRONTEND=noninteractive ${installLine(['meson'], ['-t', backports]).join(' ')}`);
    const error = new Error(`not root: cannot install the build dependencies. Run:\n${lines.join('\n')}`);
    error.code = 'NEEDS_ROOT';
    throw error;
  }

  if (needSourceFile) {
    // Notes §1: bookworm has meson 1.0.1; the worker needs >= 1.1 (backports has 1.7).
    fs.writeFileSync(sourceFile, backportsSourceText(codename, debianMirror(codename)));
    log(`  added ${sourceFile}`);
  }
  runApt(['update'], log);
  if (missing.length) runApt(installLine(missing).slice(1), log);
  if (needMeson) {
    runApt(installLine(['meson'], ['-t', backports]).slice(1), log);
    const now = mesonVersion();
    if (!now || !versionAtLeast(now, MESON_MIN_VERSION)) {
      throw new Error(`meson is ${now ?? 'missing'} after installing it from ${backports}; need >= ${MESON_MIN_VERSION}`);
    }
  }
}

// ---------------------------------------------------------------------------
// Stand-ins for the worker's meson subprojects (notes §3)
// ---------------------------------------------------------------------------
//
// NOTE: the worker's meson.build reads each subproject's variables by exact
// name with subproject().get_variable(); every `*_lib` variable must be a real
// static library because meson checks `link_whole` at configure time (it is
// only used by the libmediasoup-worker target, which we never build). So each
// stand-in builds a dummy static library from a one-line C file; it is never
// linked into the worker. The real code comes from Debian's libraries through
// pkg-config.
//
// NOTE: meson 1.7 rejects subproject default_options the subproject does not
// declare: each stand-in has a meson.options declaring those the worker
// passes, and `meson_version: '>= 1.1'` (the meson.options file name needs it).

const GENERATED = '# Generated by Cabine scripts/build-mediasoup-worker.mjs (see shared/notes/mediasoup-worker.md §3).';

/** @type {Record<string, { build: string, options: string }>} */
export const SUBPROJECT_STANDINS = {
  openssl: {
    build: `${GENERATED}
project('openssl', 'c', version: '3-system', meson_version: '>= 1.1')

openssl_dep = dependency('openssl', version: '>= 3.0')

# Dummies for the worker's link_whole (never linked into mediasoup-worker).
libssl_lib = static_library('cabine_standin_ssl', 'standin.c')
libcrypto_lib = static_library('cabine_standin_crypto', 'standin.c')
`,
    options: '',
  },
  libuv: {
    build: `${GENERATED}
project('libuv', 'c', version: '1-system', meson_version: '>= 1.1')

libuv_dep = dependency('libuv', version: '>= 1.44')

libuv = static_library('cabine_standin_uv', 'standin.c')
`,
    options: `option('build_tests', type: 'boolean', value: false)
option('build_benchmarks', type: 'boolean', value: false)
`,
  },
  libsrtp3: {
    build: `${GENERATED}
project('libsrtp3', 'c', version: '2-system', meson_version: '>= 1.1')

# NOTE (notes §4): the worker is written against libsrtp 3; Debian ships
# libsrtp 2.5. include/srtp.h adapts the v3 calls the worker makes onto v2.
# It is the worker's <srtp.h> (libsrtp2's own header is <srtp2/srtp.h>).
libsrtp3_dep = declare_dependency(
  include_directories: include_directories('include'),
  dependencies: dependency('libsrtp2', version: '>= 2.5'),
)

libsrtp3 = static_library('cabine_standin_srtp', 'standin.c')
`,
    options: `option('crypto-library', type: 'string', value: 'openssl')
option('crypto-library-kdf', type: 'feature', value: 'disabled')
option('tests', type: 'feature', value: 'disabled')
`,
  },
  usrsctp: {
    build: `${GENERATED}
project('usrsctp', 'c', version: '0.9-system', meson_version: '>= 1.1')

# NOTE (notes §3): usrsctp's headers need INET/INET6 to match how Debian built it.
usrsctp_dep = declare_dependency(
  dependencies: dependency('usrsctp'),
  compile_args: ['-DINET', '-DINET6'],
)

usrsctp = static_library('cabine_standin_usrsctp', 'standin.c')
`,
    options: `option('sctp_build_programs', type: 'boolean', value: false)
`,
  },
  'abseil-cpp': {
    build: `${GENERATED}
project('abseil-cpp', 'c', version: 'system', meson_version: '>= 1.1')

absl_container_dep = declare_dependency(dependencies: [
  dependency('absl_flat_hash_map'),
  dependency('absl_flat_hash_set'),
  dependency('absl_btree'),
  dependency('absl_inlined_vector'),
  dependency('absl_memory'),
])
absl_strings_dep = dependency('absl_strings')
absl_types_dep = declare_dependency(dependencies: [
  dependency('absl_optional'),
  dependency('absl_span'),
  dependency('absl_variant'),
])

absl_container_lib = static_library('cabine_standin_absl_container', 'standin.c')
`,
    options: '',
  },
  flatbuffers: {
    build: `${GENERATED}
project('flatbuffers', 'c', version: 'system', meson_version: '>= 1.1')

flatbuffers_dep = dependency('flatbuffers', version: '>= 2.0')

# NOTE (notes §3): files generated by flatc assert the exact flatbuffers
# version, so flatc must be Debian's, of the same version as the headers:
# fail at configure time otherwise. (The worker's fbs/ runs the same
# find_program('flatc') lookup; meson refuses an override of a program it
# has already looked up, so this is a check only.)
find_program('flatc', version: flatbuffers_dep.version())

flatbuffers_lib = static_library('cabine_standin_flatbuffers', 'standin.c')
`,
    options: '',
  },
  catch2: {
    build: `${GENERATED}
project('catch2', version: 'none', meson_version: '>= 1.1')

# NOTE (notes §3): read by the worker's meson.build even with tests off.
catch2_dep = declare_dependency()
`,
    options: '',
  },
};

/**
 * libsrtp 3 API on top of libsrtp 2.5 (notes §4). Only the libsrtp2
 * functions have C linkage, so these C++ overloads are legal.
 */
export const SRTP3_ADAPTER_HEADER = `// Generated by Cabine scripts/build-mediasoup-worker.mjs (see shared/notes/mediasoup-worker.md §4).
// The libsrtp 3 API the mediasoup worker uses, on top of Debian's libsrtp 2.5.
#ifndef CABINE_SRTP3_ON_SRTP2_H
#define CABINE_SRTP3_ON_SRTP2_H

#include <srtp2/srtp.h>

#ifdef __cplusplus
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

// Status codes added in libsrtp 3 (v2's enum stops at 27).
static constexpr srtp_err_status_t srtp_err_status_buffer_small = static_cast<srtp_err_status_t>(28);
static constexpr srtp_err_status_t srtp_err_status_cryptex_err  = static_cast<srtp_err_status_t>(29);

namespace cabine_srtp3
{
	using v2_fn = srtp_err_status_t (*)(srtp_t, void*, int*);

	// v3: (in, in_len) -> (out, *out_len = capacity on entry, length on return).
	// v2: in place, and it writes up to 'room' bytes after the packet.
	inline srtp_err_status_t call_v2(
	  v2_fn fn, srtp_t ctx, const uint8_t* in, size_t in_len, uint8_t* out, size_t* out_len, size_t room)
	{
		if (in_len > static_cast<size_t>(INT_MAX) - room || in_len + room > *out_len)
		{
			return srtp_err_status_buffer_small;
		}

		if (out != in)
		{
			std::memmove(out, in, in_len);
		}

		int len = static_cast<int>(in_len);
		const srtp_err_status_t err = fn(ctx, out, &len);

		*out_len = static_cast<size_t>(len < 0 ? 0 : len);

		return err;
	}
} // namespace cabine_srtp3

// mki_index is always 0 in the worker (no MKI).
inline srtp_err_status_t srtp_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtp_len, uint8_t* srtp, size_t* srtp_len, size_t /*mki_index*/)
{
	return cabine_srtp3::call_v2(::srtp_protect, ctx, rtp, rtp_len, srtp, srtp_len, SRTP_MAX_TRAILER_LEN);
}

inline srtp_err_status_t srtp_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtp_len, uint8_t* rtp, size_t* rtp_len)
{
	return cabine_srtp3::call_v2(::srtp_unprotect, ctx, srtp, srtp_len, rtp, rtp_len, 0);
}

inline srtp_err_status_t srtp_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcp_len, uint8_t* srtcp, size_t* srtcp_len, size_t /*mki_index*/)
{
	return cabine_srtp3::call_v2(
	  ::srtp_protect_rtcp, ctx, rtcp, rtcp_len, srtcp, srtcp_len, SRTP_MAX_TRAILER_LEN + 4);
}

inline srtp_err_status_t srtp_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcp_len, uint8_t* rtcp, size_t* rtcp_len)
{
	return cabine_srtp3::call_v2(::srtp_unprotect_rtcp, ctx, srtcp, srtcp_len, rtcp, rtcp_len, 0);
}

inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{
	return srtp_remove_stream(session, ssrc);
}
#endif // __cplusplus

#endif // CABINE_SRTP3_ON_SRTP2_H
`;

function writeStandins(workerDir) {
  const subprojects = path.join(workerDir, 'subprojects');
  // Notes §3: without the .wrap files meson uses subprojects/<name>/ as is.
  for (const f of fs.readdirSync(subprojects)) {
    if (f.endsWith('.wrap')) fs.rmSync(path.join(subprojects, f));
  }
  for (const [name, { build, options }] of Object.entries(SUBPROJECT_STANDINS)) {
    const dir = path.join(subprojects, name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'meson.build'), build);
    fs.writeFileSync(path.join(dir, 'meson.options'), options ? `${GENERATED}\n${options}` : `${GENERATED}\n# (no options)\n`);
    // The one-line C file for the dummy static libraries (ISO C wants a non-empty file).
    const symbol = name.replace(/[^A-Za-z0-9]/g, '_');
    fs.writeFileSync(path.join(dir, 'standin.c'), `int cabine_standin_${symbol}(void) { return 0; }\n`);
  }
  const include = path.join(subprojects, 'libsrtp3', 'include');
  fs.mkdirSync(include, { recursive: true });
  fs.writeFileSync(path.join(include, 'srtp.h'), SRTP3_ADAPTER_HEADER);
}

// ---------------------------------------------------------------------------
// The DTLS patch (notes §5)
// ---------------------------------------------------------------------------

export const DTLS_PATCH = Object.freeze({
  file: 'src/RTC/DtlsTransport.cpp',
  functionSignature: 'static long onSslBioOut(',
  from: '(operationType == BIO_CB_RETURN)',
  to: '((operationType & BIO_CB_RETURN) != 0)',
});

/**
 * Applies the one source patch to `source` (the text of DtlsTransport.cpp).
 * Throws when the target text is not found exactly once inside onSslBioOut.
 * @param {string} source
 * @returns {string}
 */
export function patchDtlsTransport(source) {
  // NOTE: return-phase BIO callbacks carry BIO_CB_RETURN | op, so the original
  // equality test is never true; with Debian's OpenSSL (kTLS compiled in) the
  // worker then dies with SIGSEGV as soon as a DTLS handshake starts (notes §5).
  const { file, functionSignature, from, to } = DTLS_PATCH;
  const start = source.indexOf(functionSignature);
  const end = start < 0 ? -1 : source.indexOf('\n}\n', start);
  if (start < 0 || end < 0) {
    throw new Error(`DTLS patch: function onSslBioOut not found in ${file}; re-check notes §5 against this mediasoup version`);
  }
  const body = source.slice(start, end);
  const hits = body.split(from).length - 1;
  if (hits !== 1) {
    const fixed = body.includes(to) ? ' (it looks already fixed upstream)' : '';
    throw new Error(
      `DTLS patch: expected "${from}" once in onSslBioOut of ${file}, found it ${hits} times${fixed}; re-check notes §5 against this mediasoup version`,
    );
  }
  return source.slice(0, start) + body.replace(from, to) + source.slice(end);
}

// ---------------------------------------------------------------------------
// Build
// ---------------------------------------------------------------------------

/**
 * Runs a command, appending its output to `logFile`; rejects with the end of
 * the output when it fails.
 */
function run(cmd, args, { cwd, logFile, onLine }) {
  return new Promise((resolve, reject) => {
    fs.appendFileSync(logFile, `\n$ ${cmd} ${args.join(' ')}\n`);
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail = [];
    let pending = '';
    const onData = (chunk) => {
      const text = chunk.toString('utf8');
      fs.appendFileSync(logFile, text);
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 60) tail.shift();
        onLine?.(line);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (pending) tail.push(pending);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`}); full log: ${logFile}\n${tail.join('\n')}`));
    });
  });
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Removes scratch dirs and temp files left by builds whose process is gone. */
function removeStaleLeftovers(cacheDir) {
  let entries = [];
  try {
    entries = fs.readdirSync(cacheDir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const m = /^(?:build|mediasoup-worker\.tmp)-(\d+)$/.exec(entry);
    if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) {
      fs.rmSync(path.join(cacheDir, entry), { recursive: true, force: true });
    }
  }
}

/**
 * A lock so that two processes (say, the bootstrap and a test run) don't both
 * spend minutes building the same worker. A lock left by a dead process is taken over.
 */
async function withBuildLock(cacheDir, log, fn) {
  const lockFile = path.join(cacheDir, 'build.lock');
  let announced = false;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      let owner = 0;
      try {
        owner = Number(fs.readFileSync(lockFile, 'utf8').trim()) || 0;
      } catch {
        continue; // released meanwhile
      }
      if (!owner || !pidAlive(owner)) {
        fs.rmSync(lockFile, { force: true });
        continue;
      }
      if (!announced) log(`waiting for the build already running in process ${owner}...`);
      announced = true;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

async function buildWorker(paths, log) {
  const { version, workerSourceDir, cacheDir, cachedBinary } = paths;
  const started = Date.now();
  ensureBuildPackages({ log });

  removeStaleLeftovers(cacheDir);
  const scratch = path.join(cacheDir, `build-${process.pid}`);
  const workerDir = path.join(scratch, 'worker');
  const logFile = path.join(scratch, 'build.log');
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  fs.writeFileSync(logFile, `mediasoup ${version} worker build, ${new Date().toISOString()}\n`);

  // Notes §3: build from a copy; node_modules stays as npm installed it. The
  // copy leaves out build outputs (out/ holds the installed binary).
  fs.cpSync(workerSourceDir, workerDir, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(workerSourceDir, src);
      return rel !== 'out' && rel !== 'build' && rel !== path.join('subprojects', 'packagecache');
    },
  });
  writeStandins(workerDir);
  const dtlsFile = path.join(workerDir, DTLS_PATCH.file);
  fs.writeFileSync(dtlsFile, patchDtlsTransport(fs.readFileSync(dtlsFile, 'utf8')));
  log(`sources prepared in ${scratch} (stand-ins, srtp.h adapter, DTLS patch)`);

  const opts = { cwd: workerDir, logFile };
  // Notes §6. --wrap-mode=nodownload: never fetch a subproject. liburing off:
  // required on kernels >= 6 unless liburing is provided.
  log('meson setup...');
  await run('meson', ['setup', 'build', '--wrap-mode=nodownload', '--buildtype', 'release', '-Db_ndebug=true', '-Dms_disable_liburing=true'], opts);
  // NOTE (notes §6): generate the flatbuffers headers first: no dependency orders them before the C++ compiles.
  log('flatc (fbs/FBS)...');
  await run('ninja', ['-C', 'build', 'fbs/FBS'], opts);
  log(`compiling mediasoup-worker (about 4 min on 2 cores; log: ${logFile})`);
  let lastDecile = -1;
  await run('ninja', ['-C', 'build', 'mediasoup-worker'], {
    ...opts,
    onLine: (line) => {
      const m = /^\[(\d+)\/(\d+)\]/.exec(line);
      if (!m) return;
      const [done, total] = [Number(m[1]), Number(m[2])];
      const decile = Math.floor((done / total) * 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        log(`  ${done}/${total} (${Math.round((done / total) * 100)}%, ${formatDuration(Date.now() - started)})`);
      }
    },
  });

  // Into a temp file of the cache folder, checked, then renamed: the cache
  // never holds a partial or broken binary, even if this process dies.
  const tmp = path.join(cacheDir, `mediasoup-worker.tmp-${process.pid}`);
  await run('strip', [path.join(workerDir, 'build', 'mediasoup-worker'), '-o', tmp], opts);
  fs.chmodSync(tmp, 0o755);
  if (!isValidWorkerBinary(tmp)) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`the freshly built worker does not pass its self-test (exit ${WORKER_SELF_TEST_EXIT_CODE} with an empty environment); log: ${logFile}`);
  }
  fs.renameSync(tmp, cachedBinary);
  if (!isValidWorkerBinary(cachedBinary)) {
    throw new Error(`${cachedBinary} does not pass its self-test after the rename`);
  }
  fs.rmSync(scratch, { recursive: true, force: true });
  const size = (fs.statSync(cachedBinary).size / (1024 * 1024)).toFixed(1);
  log(`built ${cachedBinary} (${size} MiB) in ${formatDuration(Date.now() - started)}`);
}

function sameContent(a, b) {
  try {
    const [sa, sb] = [fs.statSync(a), fs.statSync(b)];
    if (sa.size !== sb.size) return false;
    return fs.readFileSync(a).equals(fs.readFileSync(b));
  } catch {
    return false;
  }
}

/** Copies the worker to where mediasoup looks for it (notes §2); false when already there. */
function installBinary(from, to) {
  if (sameContent(from, to) && (fs.statSync(to).mode & 0o111) !== 0) return false;
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const tmp = `${to}.tmp-${process.pid}`;
  fs.copyFileSync(from, tmp);
  fs.chmodSync(tmp, 0o755);
  fs.renameSync(tmp, to);
  return true;
}

/**
 * Makes sure a working mediasoup worker is installed for the mediasoup in
 * node_modules: uses the cached build when it passes its self-test, builds it
 * otherwise, then copies it to node_modules/mediasoup/worker/out/Release/.
 *
 * @param {{ log?: (message: string) => void, root?: string, rebuild?: boolean, stages?: { run<T>(name: string, fn: () => Promise<T>): Promise<T> } }} [options]
 *   `stages` prints the build's start, heartbeat and end lines (scripts/stage-log.mjs); silent when absent.
 * @returns {Promise<string>} the installed binary's path (mediasoup's default worker path)
 */
export async function ensureMediasoupWorker({ log = () => {}, root = REPO_ROOT, rebuild = false, stages = { run: (_name, fn) => fn() } } = {}) {
  const paths = workerPaths({ root });
  const { version, cacheDir, cachedBinary, installedBinary } = paths;

  // NOTE (notes §2): the Worker uses MEDIASOUP_WORKER_BIN verbatim as the
  // binary path, so the install-time value 'skip' breaks every Worker.
  if (process.env.MEDIASOUP_WORKER_BIN === 'skip') {
    log('WARNING: MEDIASOUP_WORKER_BIN=skip is set: unset it, or mediasoup will try to run a binary named "skip"');
  }

  fs.mkdirSync(cacheDir, { recursive: true });
  const cacheIsGood = () => !rebuild && isValidWorkerBinary(cachedBinary);
  if (cacheIsGood()) {
    log(`mediasoup ${version}: cached worker OK (${cachedBinary})`);
  } else {
    // One stage line with a heartbeat, even under --quiet: the build (or the
    // wait for another process's build) lasts minutes.
    await stages.run(`mediasoup ${version} worker build`, () => withBuildLock(cacheDir, log, async () => {
      // Another process may have built it while we waited for the lock.
      if (cacheIsGood()) return;
      if (fs.existsSync(cachedBinary)) {
        // Never trust a broken cache (truncated copy, missing shared library...).
        log(rebuild ? `rebuilding (--rebuild): removing ${cachedBinary}` : `cached worker fails its self-test: removing ${cachedBinary}`);
        fs.rmSync(cachedBinary, { force: true });
      }
      log(`mediasoup ${version}: building the worker from source`);
      await buildWorker(paths, log);
    }));
  }

  if (installBinary(cachedBinary, installedBinary)) log(`installed ${path.relative(root, installedBinary)}`);
  else log(`already installed: ${path.relative(root, installedBinary)}`);
  return installedBinary;
}

// ---------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------

async function main(argv) {
  const known = new Set(['--rebuild', '--quiet', '--help']);
  const unknown = argv.filter((a) => !known.has(a));
  if (argv.includes('--help') || unknown.length) {
    console.log('usage: node scripts/build-mediasoup-worker.mjs [--rebuild] [--quiet]');
    return unknown.length ? 2 : 0;
  }
  const quiet = argv.includes('--quiet');
  const started = Date.now();
  const log = (message) => {
    if (!quiet) console.log(`${LOG_PREFIX} ${message}`);
  };
  try {
    const stages = createStageLog({ write: (line) => console.log(line), prefix: LOG_PREFIX });
    const bin = await ensureMediasoupWorker({ log, rebuild: argv.includes('--rebuild'), stages });
    console.log(`${LOG_PREFIX} ready: ${bin} (${formatDuration(Date.now() - started)})`);
    return 0;
  } catch (error) {
    console.error(`${LOG_PREFIX} FAILED after ${formatDuration(Date.now() - started)}: ${error.message}`);
    return 1;
  }
}

function isMain() {
  try {
    return Boolean(process.argv[1]) && fs.realpathSync(process.argv[1]) === fs.realpathSync(SCRIPT_PATH);
  } catch {
    return false;
  }
}

if (isMain()) {
  process.exitCode = await main(process.argv.slice(2));
}
