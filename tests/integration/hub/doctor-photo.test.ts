/**
 * The doctor's photo, from the hub's config file to the booth: the hub reads
 * it at start-up and sends it with the doctor's name in `queue.claimed`, over
 * the booth's own authenticated link (no route serves it). A photo the hub
 * cannot use stops it, exit code 2, with what to fix. Real hub process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HubLink } from '../../../src/host/hub-link';
import { createLogger } from '../../../src/node/logger';
import { MEDIA_NOTES, QUEUE } from '../../../src/shared/media-protocol';
import { ROOT } from '../../helpers/config';
import { BOOTH_SECRETS, SPECIALISTS, freePort, spawnHubProcess, testHubConfig, type HubProcess } from '../../helpers/hub';
import { ConsoleClient } from '../../resilience/support/clients';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
const DEMO_PHOTO = resolve(ROOT, 'hub-config/photos/dr-martin.png');
const dirs: string[] = [];

/** A hub config file whose first doctor names `photo` (the bytes written beside it as `martin.png`). */
async function configFile(photo: Buffer): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-hub-photo-'));
  dirs.push(dir);
  const config = await testHubConfig(dir);
  config.specialists[0]!.photo = 'martin.png';
  writeFileSync(join(dir, 'martin.png'), photo);
  const file = join(dir, 'hub.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("the doctor's photo from the hub's config to the booth", () => {
  it('reaches the booth with the name when the doctor claims it, as a data: URL of the configured file', async () => {
    const photo = readFileSync(DEMO_PHOTO);
    const port = await freePort();
    let hub: HubProcess | null = null;
    let link: HubLink | null = null;
    let doctor: ConsoleClient | null = null;
    try {
      hub = await spawnHubProcess(await configFile(photo), port);
      link = new HubLink({ url: `ws://127.0.0.1:${port}/booth`, boothId: 'demo-booth-1', token: BOOTH_SECRETS['demo-booth-1'], log: silent, minDelayMs: 50, maxDelayMs: 100 });
      const claimed = new Promise<unknown>((r) => link!.on('note', (m, p) => m === QUEUE.claimed && r(p)));
      link.start();
      await new Promise<void>((r) => (link!.status === 'online' ? r() : link!.on('status', (s) => s === 'online' && r())));
      await link.request('queue.join', {});
      doctor = await ConsoleClient.login(hub.url, SPECIALISTS[0].email, SPECIALISTS[0].password);
      await doctor.call('queue.claim', { boothId: 'demo-booth-1' });
      const note = MEDIA_NOTES[QUEUE.claimed].parse(await claimed);
      expect(note.specialist).toEqual({ name: SPECIALISTS[0].name, specialty: 'Médecine générale', photo: `data:image/png;base64,${photo.toString('base64')}` });
    } finally {
      doctor?.ws.terminate();
      await link?.stop();
      await hub?.stop();
    }
  });

  it('stops the hub with exit code 2 when the photo is not a PNG or JPEG, naming the account, the field and what to fix', async () => {
    const file = await configFile(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/hub/main.ts', '--port', '0', '--config', file], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(/specialists\[0\]\.photo: dr-martin's photo "martin\.png" is not a PNG or JPEG image/);
  });
});
