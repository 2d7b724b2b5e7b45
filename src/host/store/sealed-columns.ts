/**
 * Every sealed column of the booth store (./migrations.ts) and the AAD each
 * row's value was sealed with (./store.ts): what key rotation re-seals
 * (src/node/reseal.ts). A new sealed column must be listed here, or its rows
 * would keep the old key and block its retirement (the rotation test checks
 * that every BLOB column named `sealed` is listed).
 */
import type { SealedColumn } from '../../node/reseal';

const byId = (table: string): SealedColumn => ({ table, column: 'sealed', keyColumns: ['id'], aad: ([id]) => `${table}:${String(id)}` });
const chunks = (table: string, owner: string): SealedColumn => ({
  table, column: 'sealed', keyColumns: [owner, 'idx'], aad: ([id, idx]) => `${table}:${String(id)}:${String(idx)}`,
});

export const BOOTH_SEALED_COLUMNS: readonly SealedColumn[] = [
  byId('sessions'),
  byId('session_events'),
  byId('readings'),
  byId('photos'),
  chunks('photo_chunks', 'photo_id'),
  byId('clips'),
  chunks('clip_chunks', 'clip_id'),
  byId('videos'),
  chunks('video_chunks', 'video_id'),
  byId('cases'),
];
