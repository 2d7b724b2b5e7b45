/**
 * Where the chain's entries are kept, one implementation per engine
 * (./sqlite-store.ts, ./pg-store.ts). The chain itself (MACs, the walk) is
 * the same for both (./chain.ts); a store only keeps rows and guarantees one
 * writer at a time.
 */
import type { JournalEntry, JournalQuery } from './types';

export interface ChainLink {
  seq: number;
  mac: string;
}

export interface JournalStore {
  /**
   * Under the one-writer lock: reads the last entry, builds the next from it
   * with `make` and inserts it; resolves once it is durable.
   */
  append(make: (last: ChainLink | null) => JournalEntry): Promise<JournalEntry>;
  list(query: JournalQuery): Promise<JournalEntry[]>;
  last(): Promise<JournalEntry | null>;
  /** Up to `size` entries with seq > `afterSeq`, in seq order (verify walks the chain with it). */
  after(afterSeq: number, size: number): Promise<JournalEntry[]>;
  macAt(seq: number): Promise<string | undefined>;
  close(): Promise<void>;
}

/** A stored row: the entry's fields as columns, ids only (never names, NIR, values). */
export interface JournalRow {
  seq: number | string;
  at: number | string;
  node: string;
  key_id: number;
  prev: string;
  mac: string;
  actor_role: string;
  actor_id: string | null;
  action: string;
  resource: string;
  resource_id: string | null;
  session_id: string | null;
  booth_id: string | null;
  case_id: string | null;
  outcome: string;
  reason: string | null;
  from_addr: string | null;
}

export const COLUMNS = 'seq, at, node, key_id, prev, mac, actor_role, actor_id, action, resource, resource_id, session_id, booth_id, case_id, outcome, reason, from_addr';

export function toRow(e: JournalEntry): unknown[] {
  return [e.seq, e.at, e.node, e.keyId, e.prev, e.mac, e.actor.role, e.actor.id ?? null, e.action, e.resource, e.resourceId ?? null,
    e.sessionId ?? null, e.boothId ?? null, e.caseId ?? null, e.outcome, e.reason ?? null, e.from ?? null];
}

export function fromRow(r: JournalRow): JournalEntry {
  const e: JournalEntry = {
    seq: Number(r.seq), at: Number(r.at), node: r.node, keyId: r.key_id, prev: r.prev, mac: r.mac,
    actor: r.actor_id === null ? { role: r.actor_role as JournalEntry['actor']['role'] } : { role: r.actor_role as JournalEntry['actor']['role'], id: r.actor_id },
    action: r.action as JournalEntry['action'], resource: r.resource, outcome: r.outcome as JournalEntry['outcome'],
  };
  if (r.resource_id !== null) e.resourceId = r.resource_id;
  if (r.session_id !== null) e.sessionId = r.session_id;
  if (r.booth_id !== null) e.boothId = r.booth_id;
  if (r.case_id !== null) e.caseId = r.case_id;
  if (r.reason !== null) e.reason = r.reason;
  if (r.from_addr !== null) e.from = r.from_addr;
  return e;
}

/** The WHERE clause of a query, with `?` or `$n` placeholders. */
export function whereOf(q: JournalQuery, placeholder: (n: number) => string): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (v: unknown): string => {
    params.push(v);
    return placeholder(params.length);
  };
  const anyOf = (column: string, values: string[]): void => {
    // An empty list matches nothing (a patient with no session has no accesses).
    parts.push(values.length ? `${column} IN (${values.map(add).join(', ')})` : '1 = 0');
  };
  if (q.sessionIds) anyOf('session_id', q.sessionIds);
  if (q.caseIds) anyOf('case_id', q.caseIds);
  if (q.actorId !== undefined) parts.push(`actor_id = ${add(q.actorId)}`);
  if (q.since !== undefined) parts.push(`at >= ${add(q.since)}`);
  if (q.until !== undefined) parts.push(`at <= ${add(q.until)}`);
  let sql = parts.length ? `WHERE ${parts.join(' AND ')}` : '';
  sql += ' ORDER BY seq';
  if (q.limit !== undefined) sql += ` LIMIT ${add(Math.max(0, Math.floor(q.limit)))}`;
  return { sql, params };
}
