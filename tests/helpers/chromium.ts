/**
 * Debian's Chromium under playwright-core, kept off the network (see
 * ../shared/notes/ENVIRONMENT.md): loopback only, fake camera and microphone.
 */
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Our --disable-features must be merged into playwright's own list: Chromium keeps only the last flag. */
const OUR_DISABLED_FEATURES = ['WebRtcHideLocalIpsWithMdns', 'MediaRouter', 'OptimizationHints', 'Translate'];

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];

export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  // playwright adds its own --disable-features=…; we drop it and pass one list with both.
  const defaults = await defaultDisabledFeatures();
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    ...options,
    ignoreDefaultArgs: defaults.length ? ['--disable-features=' + defaults.join(',')] : [],
    args: [...CHROMIUM_ARGS, `--disable-features=${[...defaults, ...OUR_DISABLED_FEATURES].join(',')}`, ...(options.args ?? [])],
  });
}

let cachedDefaults: string[] | undefined;
/** The feature list playwright-core disables by default, read from its own source. */
async function defaultDisabledFeatures(): Promise<string[]> {
  if (cachedDefaults) return cachedDefaults;
  const { createRequire } = await import('node:module');
  const { readFileSync } = await import('node:fs');
  const { dirname, join } = await import('node:path');
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('playwright-core/package.json'));
  let features: string[] = [];
  try {
    const src = readFileSync(join(dir, 'lib/coreBundle.js'), 'utf8');
    const m = /disabledFeatures = \[([\s\S]*?)\]\.filter/.exec(src);
    if (m?.[1]) features = [...m[1].replace(/\/\/.*$/gm, '').matchAll(/"([A-Za-z0-9]+)"/g)].map((x) => x[1]!);
  } catch {
    features = [];
  }
  cachedDefaults = features;
  return features;
}
