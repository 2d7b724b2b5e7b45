/**
 * Browsers ask every origin for /favicon.ico: the kiosk page (served by the
 * host's WebSocket transport) and the console page (served by the hub) both
 * answered 404, a red line in every page's console. Both builds carry the
 * same icon; this asks each real server for it over HTTP.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/server';
import { ROOT } from '../helpers/config';
import { CONSOLE_DIST, startTestHub } from '../helpers/hub';
import { KIOSK_DIST, startKioskHost } from '../helpers/kiosk';

let hub: Hub;
let kiosk: Awaited<ReturnType<typeof startKioskHost>>;

beforeAll(async () => {
  // `npm test` builds first; a run on its own rebuilds a build that predates the icon.
  if (![KIOSK_DIST, CONSOLE_DIST].every((dir) => existsSync(resolve(dir, 'favicon.ico')))) {
    execFileSync(process.execPath, ['scripts/build.mjs', 'kiosk', 'console'], { cwd: ROOT, stdio: 'inherit' });
  }
  kiosk = await startKioskHost();
  hub = await startTestHub();
});
afterAll(async () => {
  await kiosk?.close();
  await hub?.close();
});

async function icon(origin: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
  const r = await fetch(new URL('/favicon.ico', origin));
  return { status: r.status, type: r.headers.get('content-type'), bytes: Buffer.from(await r.arrayBuffer()) };
}

/** An ICO file: reserved 0, type 1 (icon), at least one image. */
function isIco(bytes: Buffer): boolean {
  return bytes.length > 6 && bytes.readUInt16LE(0) === 0 && bytes.readUInt16LE(2) === 1 && bytes.readUInt16LE(4) >= 1;
}

describe('favicon', () => {
  it('is served by the host on the kiosk page\'s origin', async () => {
    const r = await icon(kiosk.transport.url);
    expect(r).toMatchObject({ status: 200, type: 'image/x-icon' });
    expect(isIco(r.bytes)).toBe(true);
  });

  it('is served by the hub on the console page\'s origin, the same icon', async () => {
    const r = await icon(hub.url);
    expect(r).toMatchObject({ status: 200, type: 'image/x-icon' });
    expect(isIco(r.bytes)).toBe(true);
    expect(r.bytes.equals((await icon(kiosk.transport.url)).bytes)).toBe(true);
  });
});
