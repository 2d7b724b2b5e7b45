/**
 * The journal's chain, apart from where it is stored (both engines share it):
 * the canonical form an entry's MAC covers, the walk that checks a chain
 * entry by entry, and the exported heads it is held against.
 *
 * Canonical form: a JSON array in a fixed order, with a version tag, of every
 * field of the entry including `seq`, `at`, `node`, `keyId` and `prev` (the
 * previous entry's MAC), absent fields as null. An array leaves no room for
 * key order or whitespace to vary; the tag lets a later form coexist.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { KeyProvider } from '../../node/keys';
import type { JournalEntry, JournalHead, VerifyResult } from './types';

/** The `prev` of entry 1. */
export const GENESIS = '0'.repeat(64);

const FORM = 'cabine-journal-1';

export type Unsigned = Omit<JournalEntry, 'mac'>;

export function canonical(e: Unsigned): string {
  return JSON.stringify([
    FORM, e.seq, e.at, e.node, e.keyId, e.prev,
    e.actor.role, e.actor.id ?? null, e.action, e.resource, e.resourceId ?? null,
    e.sessionId ?? null, e.boothId ?? null, e.caseId ?? null, e.outcome, e.reason ?? null, e.from ?? null,
  ]);
}

export function macOf(key: Buffer, e: Unsigned): string {
  return createHmac('sha256', key).update(canonical(e)).digest('hex');
}

function sameMac(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function headOf(e: Pick<JournalEntry, 'seq' | 'mac' | 'at' | 'node'>): JournalHead {
  return { seq: e.seq, mac: e.mac, at: e.at, node: e.node };
}

type Broken = Extract<VerifyResult, { ok: false }>;

/**
 * Checks entries one by one, in seq order, fed in batches. `keys` is asked
 * for the key of each entry's id (old ids after a rotation); `reloadKeys`
 * reads the key file again once when an id is unknown (another process rotated).
 */
export class ChainWalk {
  private expected = 1;
  private prev = GENESIS;
  private last: JournalEntry | null = null;
  private keys: KeyProvider;

  constructor(keys: KeyProvider, private readonly reloadKeys: () => KeyProvider) {
    this.keys = keys;
  }

  /** The first broken entry of this batch, or null when the batch holds. */
  feed(batch: readonly JournalEntry[]): Broken | null {
    for (const e of batch) {
      if (e.seq !== this.expected) {
        return {
          ok: false, brokenAt: this.expected, problem: 'gap',
          message: e.seq > this.expected
            ? `entry ${this.expected} is missing: the journal jumps from entry ${this.expected - 1} to entry ${e.seq} (${e.seq - this.expected} entr${e.seq - this.expected === 1 ? 'y' : 'ies'} deleted)`
            : `entry ${e.seq} appears where entry ${this.expected} was expected: the journal's numbering was altered`,
        };
      }
      let key = this.keys.byId(e.keyId);
      if (!key) {
        this.keys = this.reloadKeys();
        key = this.keys.byId(e.keyId);
      }
      if (!key) {
        return { ok: false, brokenAt: e.seq, problem: 'mac', message: `entry ${e.seq} was sealed with journal key ${e.keyId}, which journal.key does not hold: restore that key (from the key folder's backup) or the entry was forged` };
      }
      if (!sameMac(macOf(key.key, e), e.mac)) {
        return { ok: false, brokenAt: e.seq, problem: 'mac', message: `entry ${e.seq} was altered: its MAC does not match its content` };
      }
      if (e.prev !== this.prev) {
        return { ok: false, brokenAt: e.seq, problem: 'prev', message: `entry ${e.seq} does not follow entry ${e.seq - 1}: its link to the previous entry does not match (an entry before it was replaced)` };
      }
      this.prev = e.mac;
      this.last = e;
      this.expected++;
    }
    return null;
  }

  /** After the last batch: the chain against the last head exported (null when none was). */
  finish(exported: JournalHead | null, macAt: (seq: number) => string | undefined): VerifyResult {
    const count = this.expected - 1;
    if (exported) {
      if (count < exported.seq) {
        return {
          ok: false, brokenAt: count + 1, problem: 'behind-head',
          message: `entries ${count + 1} to ${exported.seq} are missing: the head exported by ${exported.node} at ${new Date(exported.at).toISOString()} says the journal reached entry ${exported.seq}, it now ends at entry ${count} (the last entries were deleted)`,
        };
      }
      const mac = macAt(exported.seq);
      if (mac === undefined || !sameMac(mac, exported.mac)) {
        return {
          ok: false, brokenAt: exported.seq, problem: 'head-mismatch',
          message: `entry ${exported.seq} differs from the head exported by ${exported.node} at ${new Date(exported.at).toISOString()}: the journal was rewritten from that entry or before (its MACs hold together but not with what was exported)`,
        };
      }
    }
    return { ok: true, entries: count, head: this.last ? headOf(this.last) : null };
  }
}
