/**
 * The hub-wide gate of scrypt checks: never more running than its cap,
 * addresses served in turn (a flood from one address waits behind itself),
 * a full queue refused at once with a retry hint. Checks are fakes the test
 * finishes one by one; what is observed is which run, never how long.
 */
import { describe, expect, it } from 'vitest';
import { HashGate, HubBusyError } from '../../../src/hub/hash-gate';

/** A check the test finishes by hand, recording the order checks started in. */
function checks(): { start: (label: string) => () => Promise<boolean>; started: string[]; running: () => number; max: () => number; finish: (label: string, ok?: boolean) => Promise<void> } {
  const started: string[] = [];
  const pending = new Map<string, (ok: boolean) => void>();
  let running = 0;
  let max = 0;
  return {
    started,
    running: () => running,
    max: () => max,
    start: (label) => () => new Promise<boolean>((resolve) => {
      started.push(label);
      running += 1;
      max = Math.max(max, running);
      pending.set(label, (ok) => {
        running -= 1;
        resolve(ok);
      });
    }),
    finish: async (label, ok = false) => {
      pending.get(label)!(ok);
      pending.delete(label);
      // Lets the gate hand the slot over.
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
  };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('HashGate', () => {
  it('never runs more checks at once than its cap, and runs every admitted one', async () => {
    const gate = new HashGate({ maxConcurrent: 2, maxQueued: 100, maxQueuedPerAddress: 100, retryAfterMs: 1_000 });
    const c = checks();
    const all = Array.from({ length: 20 }, (_, i) => gate.run(`10.0.0.${i % 3}`, c.start(`c${i}`)));
    await settle();
    expect(c.started).toHaveLength(2);
    const finished = new Set<string>();
    while (c.started.length < 20 || c.running() > 0) {
      const oldest = c.started.find((l) => !finished.has(l))!;
      finished.add(oldest);
      await c.finish(oldest);
      expect(c.running()).toBeLessThanOrEqual(2);
    }
    await Promise.all(all);
    expect(c.max()).toBe(2);
    expect(gate.load).toEqual({ running: 0, queued: 0 });
  });

  it('serves waiting addresses in turn: one flooding address does not go before another', async () => {
    const gate = new HashGate({ maxConcurrent: 1, maxQueued: 100, maxQueuedPerAddress: 100, retryAfterMs: 1_000 });
    const c = checks();
    const runs = [gate.run('attacker', c.start('a0'))];
    for (let i = 1; i < 10; i++) runs.push(gate.run('attacker', c.start(`a${i}`)));
    runs.push(gate.run('pharmacy', c.start('booth')));
    await settle();
    await c.finish('a0');
    expect(c.started).toEqual(['a0', 'a1']);
    await c.finish('a1');
    // The booth's turn comes right after the attacker's next check, not after the nine queued before it.
    expect(c.started).toEqual(['a0', 'a1', 'booth']);
    await c.finish('booth', true);
    for (let i = 2; i < 10; i++) await c.finish(`a${i}`);
    await expect(runs[10]).resolves.toBe(true);
  });

  it('refuses at once, with a retry hint, when an address or the whole queue is full', async () => {
    const gate = new HashGate({ maxConcurrent: 1, maxQueued: 3, maxQueuedPerAddress: 2, retryAfterMs: 2_000 });
    const c = checks();
    const held = [gate.run('a', c.start('a0')), gate.run('a', c.start('a1')), gate.run('a', c.start('a2'))];
    await settle();
    await expect(gate.run('a', c.start('a3'))).rejects.toBeInstanceOf(HubBusyError);
    held.push(gate.run('b', c.start('b0')));
    const refused = await gate.run('c', c.start('c0')).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'HUB_BUSY', retryAfterMs: 2_000, retryAfterSeconds: 2 });
    expect((refused as HubBusyError).messageFor('fr')).toBe('Le serveur est très sollicité. Réessayez dans 2 secondes.');
    expect(c.started).toEqual(['a0']);
    for (const l of ['a0', 'a1', 'b0', 'a2']) await c.finish(l);
    await Promise.all(held);
  });

  it('runs a known check (an address that got in before) next, even when the queue is full', async () => {
    const gate = new HashGate({ maxConcurrent: 1, maxQueued: 2, maxQueuedPerAddress: 1, retryAfterMs: 1_000 });
    const c = checks();
    const held = [gate.run('x1', c.start('x1'), 'suspect'), gate.run('x2', c.start('x2'), 'suspect'), gate.run('x3', c.start('x3'), 'suspect')];
    await settle();
    await expect(gate.run('pharmacy', c.start('refused'))).rejects.toBeInstanceOf(HubBusyError);
    const booth = gate.run('pharmacy', c.start('booth'), 'known');
    await c.finish('x1');
    expect(c.started).toEqual(['x1', 'booth']);
    await c.finish('booth', true);
    await expect(booth).resolves.toBe(true);
    for (const l of ['x2', 'x3']) await c.finish(l);
    await Promise.all(held);
  });

  it('serves addresses without recent failures before those with some', async () => {
    const gate = new HashGate({ maxConcurrent: 1, maxQueued: 100, maxQueuedPerAddress: 4, retryAfterMs: 1_000 });
    const c = checks();
    const held = [gate.run('x0', c.start('x0'), 'suspect')];
    for (let a = 1; a <= 20; a++) held.push(gate.run(`x${a}`, c.start(`x${a}`), 'suspect'));
    const fresh = gate.run('new-pharmacy', c.start('new-booth'), 'clean');
    await settle();
    await c.finish('x0');
    expect(c.started).toEqual(['x0', 'new-booth']);
    await c.finish('new-booth', true);
    await expect(fresh).resolves.toBe(true);
    for (let a = 1; a <= 20; a++) await c.finish(`x${a}`);
    await Promise.all(held);
  });

  it('frees the slot of a check that throws', async () => {
    const gate = new HashGate({ maxConcurrent: 1, maxQueued: 10, maxQueuedPerAddress: 10, retryAfterMs: 1_000 });
    await expect(gate.run('a', () => Promise.reject(new Error('scrypt failed')))).rejects.toThrow('scrypt failed');
    await expect(gate.run('a', () => Promise.resolve(true))).resolves.toBe(true);
    expect(gate.load).toEqual({ running: 0, queued: 0 });
  });
});
