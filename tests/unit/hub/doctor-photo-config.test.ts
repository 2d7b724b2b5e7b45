/**
 * A doctor's photo in the hub config: a PNG or JPEG file beside the config,
 * checked when the hub loads it (there, by its first bytes, small enough), and
 * carried from then on as a data: URL. Anything else stops the hub with a
 * config error naming the account, the field and what to fix.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHubConfig } from '../../../src/hub/directory';
import { ConfigError } from '../../../src/shared/errors';

const HASH = 'scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]);
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');

const doctor = (extra: Record<string, unknown> = {}) => ({
  id: 'dr-martin', email: 'dr.martin@example.org', name: 'Dr Claire Martin', passwordHash: HASH, ...extra,
});

/** A config file in a fresh folder, with `files` (relative path → bytes) beside it. */
function configWith(specialists: unknown[], files: Record<string, Buffer> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-hub-photo-'));
  for (const [path, bytes] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
  const file = join(dir, 'hub.json');
  writeFileSync(file, JSON.stringify({ specialists }));
  return file;
}

function refusal(file: string): ConfigError {
  try {
    loadHubConfig(file);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected the config to be refused');
}

describe("a doctor's photo in the hub config", () => {
  it('reads a PNG beside the config file and carries it as a data: URL', () => {
    const file = configWith([doctor({ photo: 'photos/martin.png' })], { 'photos/martin.png': PNG });
    const [martin] = loadHubConfig(file).specialists;
    expect(martin?.photoUrl).toBe(`data:image/png;base64,${PNG.toString('base64')}`);
  });

  it('tells a JPEG by its bytes, whatever its name says', () => {
    const file = configWith([doctor({ photo: 'martin.png' })], { 'martin.png': JPEG });
    expect(loadHubConfig(file).specialists[0]?.photoUrl).toBe(`data:image/jpeg;base64,${JPEG.toString('base64')}`);
  });

  it('gives a doctor without a photo none', () => {
    expect(loadHubConfig(configWith([doctor()])).specialists[0]?.photoUrl).toBeUndefined();
  });

  it('refuses a photo that is not there, naming the account, the field and what to fix', () => {
    const error = refusal(configWith([doctor({ photo: 'photos/absent.png' })]));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe('specialists[0].photo');
    expect(error.issues[0]?.expected).toMatch(/dr-martin/);
    expect(error.issues[0]?.expected).toMatch(/photos\/absent\.png/);
    expect(error.issues[0]?.expected).toMatch(/relative to this config file/);
  });

  it('refuses a file that is neither PNG nor JPEG', () => {
    const error = refusal(configWith([doctor({ photo: 'martin.gif' })], { 'martin.gif': GIF }));
    expect(error.issues[0]?.path).toBe('specialists[0].photo');
    expect(error.issues[0]?.expected).toMatch(/dr-martin/);
    expect(error.issues[0]?.expected).toMatch(/not a PNG or JPEG/);
  });

  it('refuses a photo over 256 KiB, saying how large it is', () => {
    const big = Buffer.concat([PNG, Buffer.alloc(256 * 1024 + 1 - PNG.length)]);
    const error = refusal(configWith([doctor({ photo: 'big.png' })], { 'big.png': big }));
    expect(error.issues[0]?.path).toBe('specialists[0].photo');
    expect(error.issues[0]?.expected).toMatch(/dr-martin/);
    expect(error.issues[0]?.expected).toMatch(/at most 256 KiB/);
    // Exactly 256 KiB is still taken.
    const file = configWith([doctor({ photo: 'max.png' })], { 'max.png': big.subarray(0, 256 * 1024) });
    expect(loadHubConfig(file).specialists[0]?.photoUrl).toMatch(/^data:image\/png;base64,/);
  });

  it('names the right account when the second one is wrong', () => {
    const other = doctor({ id: 'dr-leroy', email: 'dr.leroy@example.org', photo: 'leroy.png' });
    const error = refusal(configWith([doctor({ photo: 'martin.png' }), other], { 'martin.png': PNG, 'leroy.png': GIF }));
    expect(error.issues.map((i) => i.path)).toEqual(['specialists[1].photo']);
    expect(error.issues[0]?.expected).toMatch(/dr-leroy/);
  });

  it('refuses a data: URL written in the file: the hub makes it from the photo file', () => {
    const error = refusal(configWith([doctor({ photoUrl: `data:image/png;base64,${PNG.toString('base64')}` })]));
    expect(error.issues[0]?.path).toBe('specialists[0].photoUrl');
    expect(error.issues[0]?.expected).toMatch(/"photo"/);
  });

  it('gives the demo doctor a small photo of their own', () => {
    const demo = resolve(import.meta.dirname, '../../../hub-config/default.json');
    const martin = loadHubConfig(demo).specialists.find((s) => s.id === 'dr-martin');
    expect(martin?.photoUrl).toMatch(/^data:image\/png;base64,/);
    const raw = JSON.parse(readFileSync(demo, 'utf8')) as { specialists: { id: string; photo?: string }[] };
    const photo = raw.specialists.find((s) => s.id === 'dr-martin')?.photo;
    expect(readFileSync(resolve(demo, '..', photo!)).length).toBeLessThan(30 * 1024);
  });
});
