import { describe, expect, it } from 'vitest';
import { Refreshes } from '../../../src/hub/refresh';

/** A store whose reads the test releases one by one, in the order it chooses. */
function slowStore(initial: string) {
  let value = initial;
  const reads: { value: string; release: () => void }[] = [];
  return {
    set: (v: string) => { value = v; },
    read: () => new Promise<string>((resolve) => {
      const seen = value;
      reads.push({ value: seen, release: () => resolve(seen) });
    }),
    reads,
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Refreshes', () => {
  it('sends last a view read after the last change, however the reads were timed', async () => {
    const store = slowStore('waiting');
    const shown: string[] = [];
    const refreshes = new Refreshes<string>();
    const refresh = () => refreshes.request('console-1', async () => { shown.push(await store.read()); });

    const first = refresh();
    await tick();
    store.set('answered');
    const second = refresh();
    await tick();
    // Unserialised, the second read would see « answered » and the first, released last, would leave « waiting » on screen.
    expect(store.reads).toHaveLength(1);
    store.reads[0]!.release();
    await tick();
    expect(store.reads).toHaveLength(2);
    store.reads[1]!.release();
    await Promise.all([first, second]);
    expect(shown).toEqual(['waiting', 'answered']);
  });

  it('reads once more for any number of changes during a read', async () => {
    const store = slowStore('a');
    let reads = 0;
    const refreshes = new Refreshes<string>();
    const refresh = () => refreshes.request('k', async () => { reads++; await store.read(); });
    const all = [refresh()];
    await tick();
    for (let i = 0; i < 5; i++) all.push(refresh());
    store.reads[0]!.release();
    await tick();
    store.reads[1]!.release();
    await Promise.all(all);
    expect(reads).toBe(2);
  });

  it('reads again after a failed read when a change came during it, and resolves with that read', async () => {
    const refreshes = new Refreshes<string>();
    let release!: () => void;
    const shown: string[] = [];
    let calls = 0;
    const read = async () => {
      calls++;
      if (calls === 1) {
        await new Promise<void>((r) => { release = r; });
        throw new Error('store down');
      }
      shown.push('answered');
    };
    const first = refreshes.request('k', read);
    await tick();
    const second = refreshes.request('k', read);
    release();
    await expect(Promise.all([first, second])).resolves.toBeDefined();
    expect(shown).toEqual(['answered']);
  });

  it('reads each key on its own, and reads again for a request after a failed run', async () => {
    const refreshes = new Refreshes<string>();
    const order: string[] = [];
    let fail = true;
    await expect(refreshes.request('a', async () => {
      order.push('a');
      if (fail) throw new Error('store down');
    })).rejects.toThrow('store down');
    fail = false;
    await Promise.all([
      refreshes.request('a', async () => { order.push('a again'); }),
      refreshes.request('b', async () => { order.push('b'); }),
    ]);
    expect(order).toEqual(['a', 'a again', 'b']);
  });
});
