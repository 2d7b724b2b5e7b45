/**
 * Where the booth's data key comes from (DESIGN §4: a key per booth). The
 * store asks a KeyProvider; the file provider keeps a 0600 key file created on
 * first run. An OS keystore (TPM, libsecret) can implement the same interface.
 * Keys carry a small id so that rotation can add a key without re-sealing
 * everything at once (docs/store.md).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
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
  /** Reads the keys again now when their source changed (FileKeyProvider); absent for keys held in memory only. */
  refresh?(): boolean;
}

interface KeyFile {
  current: number;
  /** `created`: epoch ms the key was added (written by rotate(); absent in files made before, see createdAt()). */
  keys: { id: number; key: string; created?: number }[];
}

/** A key as rotation sees it (never the key's bytes). */
export interface KeyInfo {
  id: number;
  current: boolean;
  /** Epoch ms the key was added (for a file older than this field: when the file was last written). */
  createdAt: number;
}

/** How often current() looks whether another process (a hub node, the admin command) changed the key file. */
const REFRESH_EVERY_MS = 1000;

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
  /** Rotation metadata, filled on the first refresh() (not in the constructor's create path). */
  private readonly created = new Map<number, number>();
  private stamp: string | undefined;
  private checkedAt = 0;

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
    // Another process may have rotated (a hub node, `admin keys rotate`): new data goes under the newest key.
    const now = Date.now();
    if (now - this.checkedAt >= REFRESH_EVERY_MS) {
      this.checkedAt = now;
      this.refresh();
    }
    return this.keys.get(this.currentId)!;
  }

  byId(id: number): DataKey | undefined {
    // Reload on miss: a row sealed by another node under a key added since this one read the file.
    if (!this.keys.has(id)) this.refresh();
    return this.keys.get(id);
  }

  /**
   * Reads the key file again when it changed on disk (size, mtime or inode),
   * taking its keys and its current id; returns whether anything changed. A
   * file that cannot be read now (gone, half-mounted) leaves the keys held
   * in memory as they are: losing a key file is another module's concern.
   */
  refresh(): boolean {
    let parsed: KeyFile;
    let stamp: string;
    let mtime: number;
    try {
      const st = statSync(this.file);
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
      mtime = st.mtimeMs;
      if (stamp === this.stamp) return false;
      parsed = JSON.parse(readFileSync(this.file, 'utf8')) as KeyFile;
    } catch {
      return false;
    }
    const next = new Map<number, DataKey>();
    for (const k of parsed.keys ?? []) {
      const key = Buffer.from(k.key, 'base64');
      if (key.length !== 32 || !Number.isInteger(k.id) || k.id < 1 || k.id > 0xffff) return false;
      next.set(k.id, { id: k.id, key });
    }
    if (!next.has(parsed.current)) return false;
    this.stamp = stamp;
    let changed = parsed.current !== this.currentId || next.size !== this.keys.size;
    for (const [id, key] of next) {
      if (!this.keys.get(id)?.key.equals(key.key)) changed = true;
      this.keys.set(id, key);
    }
    for (const id of [...this.keys.keys()]) if (!next.has(id)) this.keys.delete(id);
    this.currentId = parsed.current;
    this.created.clear();
    for (const k of parsed.keys) this.created.set(k.id, typeof k.created === 'number' ? k.created : mtime);
    return changed;
  }

  /** The keys held (ids, which is current, when each was added), oldest first. */
  list(): KeyInfo[] {
    this.refresh();
    return [...this.keys.keys()].sort((a, b) => a - b).map((id) => ({ id, current: id === this.currentId, createdAt: this.createdAt(id) }));
  }

  /** When key `id` was added (epoch ms); see KeyInfo.createdAt. */
  createdAt(id: number): number {
    if (!this.created.has(id)) {
      this.stamp = undefined;
      this.refresh();
    }
    return this.created.get(id) ?? 0;
  }

  /** Rotation step 1 (docs/store.md): adds a key and makes it current; old keys stay to open old data. */
  rotate(now: number = Date.now()): DataKey {
    this.stamp = undefined;
    this.refresh();
    const id = Math.max(...this.keys.keys()) + 1;
    if (id > 0xffff) throw new StoreError('KEY_UNAVAILABLE', { detail: `${this.file}: no key id left above ${id - 1}` });
    for (const known of this.keys.keys()) if (!this.created.has(known)) this.created.set(known, now);
    const key = { id, key: randomBytes(32) };
    this.keys.set(id, key);
    this.created.set(id, now);
    this.currentId = id;
    this.write();
    return key;
  }

  /**
   * Rotation step 3: removes an old key from the file once no row is sealed
   * with it (the caller checked). The current key is never retired.
   */
  retire(id: number): void {
    this.stamp = undefined;
    this.refresh();
    if (id === this.currentId) throw new StoreError('KEY_UNAVAILABLE', { detail: `${this.file}: key ${id} is the current key and cannot be retired` });
    if (!this.keys.delete(id)) return;
    this.created.delete(id);
    this.write();
  }

  private write(): void {
    const out: KeyFile = {
      current: this.currentId,
      keys: [...this.keys.values()].map((k) => ({ id: k.id, key: k.key.toString('base64'), created: this.created.get(k.id) ?? Date.now() })),
    };
    // Flushed to the disk before the rename, and the rename before any row is
    // re-sealed: a power cut must never leave rows under a key the file lost.
    const fd = openSync(`${this.file}.tmp`, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(out));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // rename is atomic: a crash leaves the old file or the new one, never half of one.
    renameSync(`${this.file}.tmp`, this.file);
    const dirFd = openSync(dirname(this.file), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    const st = statSync(this.file);
    this.stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
  }
}
