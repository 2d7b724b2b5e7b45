/**
 * AES-256-GCM sealing of personal data at rest. Layout:
 * `0x01 | keyId (u16 BE) | iv (12) | tag (16) | ciphertext`. The associated
 * data binds a ciphertext to its row (`readings:<id>`), so a sealed value
 * copied into another row fails to open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { StoreError } from './store-errors';
import type { KeyProvider } from './keys';

const VERSION = 1;
const HEADER = 1 + 2 + 12 + 16;

export function seal(keys: KeyProvider, aad: string, plain: Buffer): Buffer {
  const { id, key } = keys.current();
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
  const head = Buffer.alloc(3);
  head.writeUInt8(VERSION, 0);
  head.writeUInt16BE(id, 1);
  return Buffer.concat([head, iv, cipher.getAuthTag(), ct]);
}

export function open(keys: KeyProvider, aad: string, sealed: Buffer): Buffer {
  if (sealed.length < HEADER || sealed.readUInt8(0) !== VERSION) throw new StoreError('DECRYPT_FAILED', { detail: `${aad}: not a sealed value` });
  const keyId = sealed.readUInt16BE(1);
  const key = keys.byId(keyId);
  if (!key) throw new StoreError('KEY_UNAVAILABLE', { detail: `${aad}: key ${keyId} unknown` });
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, sealed.subarray(3, 15));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(sealed.subarray(15, 31));
    return Buffer.concat([decipher.update(sealed.subarray(31)), decipher.final()]);
  } catch (cause) {
    throw new StoreError('DECRYPT_FAILED', { cause, detail: aad });
  }
}

export function sealJson(keys: KeyProvider, aad: string, value: unknown): Buffer {
  return seal(keys, aad, Buffer.from(JSON.stringify(value), 'utf8'));
}

export function openJson<T>(keys: KeyProvider, aad: string, sealed: Buffer): T {
  return JSON.parse(open(keys, aad, sealed).toString('utf8')) as T;
}

/** The key id a sealed value was made with (rotation: find rows still on an old key). */
export function sealedKeyId(sealed: Buffer): number {
  return sealed.readUInt16BE(1);
}
