/**
 * Where the booth's data key comes from (DESIGN §4: a key per booth). The
 * store asks a KeyProvider; the file provider keeps a 0600 key file created on
 * first run. An OS keystore (TPM, libsecret) can implement the same interface.
 * Keys carry a small id so that rotation can add a key without re-sealing
 * everything at once (docs/store.md).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from './store-errors';
import { codeOf } from '../shared/errors';

export interface DataKey {
  /** 1–65535; written in front of every ciphertext. */
  id: number;
  /** 32 bytes, AES-256. */
  key: Buffer;
}

export interface KeyProvider {
  /** The key new data is sealed with. */
  current(): DataKey;
  /** Any key still needed to open older data; undefined when unknown. */
  byId(id: number): DataKey | undefined;
}

interface KeyFile {
  current: number;
  keys: { id: number; key: string }[];
}

/**
 * A JSON key file `{ current, keys: [{ id, key (base64) }] }`, mode 0600,
 * created on first run. Two processes racing to create it agree on one key
 * (exclusive create, then read back).
 */
export interface FileKeyProviderOptions {
  /**
   * Whether a missing file is created with a fresh key (default true). The
   * booth passes false once its store holds sealed data: a fresh key could not
   * open it, so a lost file must be said, not papered over (key-check.ts).
   */
  create?: boolean;
}

export class FileKeyProvider implements KeyProvider {
  private readonly keys = new Map<number, DataKey>();
  private currentId: number;

  constructor(readonly file: string, opts: FileKeyProviderOptions = {}) {
    let parsed: KeyFile;
    try {
      parsed = FileKeyProvider.readOrCreate(file, opts.create ?? true);
    } catch (cause) {
      if (cause instanceof StoreError) throw cause;
      throw new StoreError('KEY_UNAVAILABLE', { cause, detail: `${file}: ${(cause as Error).message}` });
    }
    for (const k of parsed.keys) {
      const key = Buffer.from(k.key, 'base64');
      if (key.length !== 32 || !Number.isInteger(k.id) || k.id < 1 || k.id > 0xffff) {
        throw new StoreError('KEY_UNAVAILABLE', { detail: `${file}: key ${k.id} is not a 32-byte key with an id 1–65535` });
      }
      this.keys.set(k.id, { id: k.id, key });
    }
    if (!this.keys.has(parsed.current)) throw new StoreError('KEY_UNAVAILABLE', { detail: `${file}: current key ${parsed.current} missing` });
    this.currentId = parsed.current;
  }

  private static readOrCreate(file: string, create: boolean): KeyFile {
    if (create) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      const fresh: KeyFile = { current: 1, keys: [{ id: 1, key: randomBytes(32).toString('base64') }] };
      try {
        writeFileSync(file, JSON.stringify(fresh), { flag: 'wx', mode: 0o600 });
      } catch (error) {
        if (codeOf(error) !== 'EEXIST') throw error;
      }
    }
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  }

  current(): DataKey {
    return this.keys.get(this.currentId)!;
  }

  byId(id: number): DataKey | undefined {
    return this.keys.get(id);
  }

  /** Rotation step 1 (docs/store.md): adds a key and makes it current; old keys stay to open old data. */
  rotate(): DataKey {
    const id = Math.max(...this.keys.keys()) + 1;
    const key = { id, key: randomBytes(32) };
    this.keys.set(id, key);
    this.currentId = id;
    const out: KeyFile = { current: id, keys: [...this.keys.values()].map((k) => ({ id: k.id, key: k.key.toString('base64') })) };
    writeFileSync(`${this.file}.tmp`, JSON.stringify(out), { mode: 0o600 });
    // rename is atomic: a crash leaves the old file or the new one, never half of one.
    renameSync(`${this.file}.tmp`, this.file);
    return key;
  }
}
