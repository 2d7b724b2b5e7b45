/**
 * The pure parts of cluster coordination: the lease's timing rule and the
 * local (conservative) verdict, and the cross-node event's envelope: ids
 * only, under PostgreSQL's NOTIFY limit, anything else on the channel dropped.
 */
import { describe, expect, it } from 'vitest';
import { channelOf, decodeEvent, encodeEvent, NOTIFY_PAYLOAD_MAX_BYTES } from '../../../src/hub/cluster/bus';
import { checkLeaseTiming, HEARTBEAT_MS, LEASE_MS, localLeaseEnd } from '../../../src/hub/cluster/lease';

describe('lease timing', () => {
  it('accepts the defaults and keeps at least three heartbeats in a lease', () => {
    expect(() => checkLeaseTiming({ leaseMs: LEASE_MS, heartbeatMs: HEARTBEAT_MS })).not.toThrow();
    expect(LEASE_MS / HEARTBEAT_MS).toBeGreaterThanOrEqual(3);
  });

  it('refuses a heartbeat too slow for its lease, with a code', () => {
    expect(() => checkLeaseTiming({ leaseMs: 2_000, heartbeatMs: 1_000 })).toThrow(expect.objectContaining({ code: 'LEASE_TIMING_INVALID' }));
    expect(() => checkLeaseTiming({ leaseMs: 0, heartbeatMs: 0 })).toThrow(expect.objectContaining({ code: 'LEASE_TIMING_INVALID' }));
  });

  it('counts the local end of a lease from when the renewal was sent, never from the database\'s timestamp', () => {
    // The database's lease runs from its own now(), which is after the send: ending earlier is safe whatever the offset.
    expect(localLeaseEnd({ sentAt: 10_000, leaseMs: 3_000 })).toBe(13_000);
  });
});

describe('cluster events', () => {
  it('names one channel per topic', () => {
    expect(channelOf('rooms')).toBe('cabine_rooms');
  });

  it('round-trips ids with the sender', () => {
    const raw = encodeEvent('node-a', { kind: 'room.ended', ids: ['room-1'] });
    expect(decodeEvent(raw)).toEqual({ kind: 'room.ended', ids: ['room-1'], from: 'node-a' });
  });

  it('accepts a payload of exactly the largest size PostgreSQL takes and refuses one byte more', () => {
    expect(Buffer.byteLength(encodeEvent('n', { kind: 'k', ids: idsFilling(NOTIFY_PAYLOAD_MAX_BYTES) }))).toBe(NOTIFY_PAYLOAD_MAX_BYTES);
    expect(() => encodeEvent('n', { kind: 'k', ids: idsFilling(NOTIFY_PAYLOAD_MAX_BYTES + 1) })).toThrow(expect.objectContaining({ code: 'NOTIFY_PAYLOAD_TOO_LARGE' }));
  });

  it('refuses ids that are not ids and kinds that are not names', () => {
    expect(() => encodeEvent('n', { kind: 'k', ids: ['Jeanne Dupont'] })).toThrow(expect.objectContaining({ code: 'NOTIFY_NOT_IDS' }));
    expect(() => encodeEvent('n', { kind: 'Has Space', ids: [] })).toThrow(expect.objectContaining({ code: 'NOTIFY_NOT_IDS' }));
  });

  it('drops what another program put on the channel', () => {
    expect(decodeEvent('not json')).toBeNull();
    expect(decodeEvent('{"kind":"k","ids":[1],"from":"n"}')).toBeNull();
    expect(decodeEvent('{"kind":"k","ids":["a"],"from":"n","extra":"x"}')).toBeNull();
  });
});

/** Ids (each at most 128 characters) that make the event from 'n' of kind 'k' exactly `bytes` long. */
function idsFilling(bytes: number): string[] {
  const ids = ['x'];
  const size = (): number => Buffer.byteLength(JSON.stringify({ kind: 'k', ids, from: 'n' }));
  while (size() < bytes) {
    if (ids.at(-1)!.length < 128) ids[ids.length - 1] += 'x';
    else ids.push('x');
  }
  // A new id adds four bytes at once: trim the one before it by what overshot.
  const over = size() - bytes;
  if (over > 0) ids[ids.length - 2] = ids.at(-2)!.slice(over);
  return ids;
}
