/**
 * Every sealed column of the hub's record (../record/sqlite-repository.ts,
 * ../record/pg-repository.ts: same tables, same AADs on both engines) and of
 * its live state (../state): what key rotation re-seals. A new sealed column
 * must be listed here, or its rows would keep the old key and block its
 * retirement.
 */
import type { SealedColumn } from '../../node/reseal';

const one = (table: string, column: string, key: string, prefix = table): SealedColumn => ({
  table, column, keyColumns: [key], aad: ([id]) => `${prefix}:${String(id)}`,
});

/** The record (`record.key`): item bodies, binary chunks, notes, claims, prescriptions, case answers. */
export const RECORD_SEALED_COLUMNS: readonly SealedColumn[] = [
  one('items', 'body', 'id'),
  { table: 'photo_chunks', column: 'data', keyColumns: ['photo_id', 'idx'], aad: ([id, idx]) => `photo_chunks:${String(id)}:${String(idx)}` },
  one('notes', 'body', 'session_key'),
  one('claims', 'body', 'room_id'),
  one('prescriptions', 'body', 'number'),
  one('cases', 'answer', 'case_id'),
];

/** The live state (`hub-state.key`): queue entries and claims. */
export const STATE_SEALED_COLUMNS: readonly SealedColumn[] = [
  one('queue', 'body', 'booth_id'),
  one('claims', 'body', 'room_id'),
];
