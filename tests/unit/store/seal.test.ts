import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import { FileKeyProvider } from '../../../src/node/keys';
import { open, seal, sealedKeyId } from '../../../src/node/seal';
import { tempDir } from '../../helpers/store';

const dirs: (() => void)[] = [];
afterEach(() => dirs.splice(0).forEach((c) => c()));

describe('sealing personal data', () => {
  it('opens what it sealed, for the same row only', () => {
    const keys = new FakeKeyProvider();
    const sealed = seal(keys, 'readings:1', Buffer.from('Jeanne Dupont'));
    expect(sealed.includes(Buffer.from('Jeanne'))).toBe(false);
    expect(open(keys, 'readings:1', sealed).toString()).toBe('Jeanne Dupont');
    expect(() => open(keys, 'readings:2', sealed)).toThrow(expect.objectContaining({ code: 'DECRYPT_FAILED' }));
  });

  it('refuses a ciphertext with one flipped bit', () => {
    const keys = new FakeKeyProvider();
    const sealed = seal(keys, 'r:1', Buffer.from('36.7'));
    sealed[sealed.length - 1]! ^= 1;
    expect(() => open(keys, 'r:1', sealed)).toThrow(expect.objectContaining({ code: 'DECRYPT_FAILED' }));
  });

  it('keeps opening old data after a key rotation and seals new data with the new key', () => {
    const keys = new FakeKeyProvider();
    const before = seal(keys, 'r:1', Buffer.from('a'));
    keys.rotate();
    const after = seal(keys, 'r:2', Buffer.from('b'));
    expect([sealedKeyId(before), sealedKeyId(after)]).toEqual([1, 2]);
    expect(open(keys, 'r:1', before).toString()).toBe('a');
    keys.forget(1);
    expect(() => open(keys, 'r:1', before)).toThrow(expect.objectContaining({ code: 'KEY_UNAVAILABLE' }));
  });
});

describe('the key file provider', () => {
  it('creates a 0600 key file on first run and reads the same key afterwards', () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    const file = join(dir, 'sub', 'booth.key');
    const a = new FileKeyProvider(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const b = new FileKeyProvider(file);
    expect(b.current().key.equals(a.current().key)).toBe(true);
    expect(a.current().key).toHaveLength(32);
  });

  it('rotates: adds a key, makes it current, keeps the old one', () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    const file = join(dir, 'booth.key');
    const a = new FileKeyProvider(file);
    const sealed = seal(a, 'x', Buffer.from('v'));
    a.rotate();
    const b = new FileKeyProvider(file);
    expect(b.current().id).toBe(2);
    expect(open(b, 'x', sealed).toString()).toBe('v');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a damaged key file with KEY_UNAVAILABLE', async () => {
    const { dir, cleanup } = tempDir();
    dirs.push(cleanup);
    const file = join(dir, 'booth.key');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, JSON.stringify({ current: 1, keys: [{ id: 1, key: 'c2hvcnQ=' }] }), { mode: 0o600 });
    expect(() => new FileKeyProvider(file)).toThrow(expect.objectContaining({ code: 'KEY_UNAVAILABLE' }));
    expect(readFileSync(file, 'utf8')).toContain('c2hvcnQ=');
  });
});
