/** In-memory key provider for unit tests (beside FileKeyProvider in keys.ts). */
import { randomBytes } from 'node:crypto';
import type { DataKey, KeyProvider } from '../../node/keys';

export class FakeKeyProvider implements KeyProvider {
  private readonly keys = new Map<number, DataKey>();
  private currentId = 1;

  constructor(seed?: Buffer) {
    this.keys.set(1, { id: 1, key: seed ?? randomBytes(32) });
  }

  current(): DataKey {
    return this.keys.get(this.currentId)!;
  }

  byId(id: number): DataKey | undefined {
    return this.keys.get(id);
  }

  rotate(): DataKey {
    const key = { id: this.currentId + 1, key: randomBytes(32) };
    this.keys.set(key.id, key);
    this.currentId = key.id;
    return key;
  }

  /** Forget a key (tests of DECRYPT_FAILED). */
  forget(id: number): void {
    this.keys.delete(id);
  }
}
