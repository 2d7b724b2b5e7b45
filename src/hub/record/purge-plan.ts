/**
 * What retention removes, in one place for both engines (issue #21, part 6):
 * how a session's last activity is found, and every table holding its rows.
 * The SQL here is the dialect both SQLite and PostgreSQL speak; `$session`
 * stands for the session's id and `$before` for the cut-off (an ISO time),
 * each engine binding them its own way.
 *
 * EXTENSION POINT: a feature that adds a table holding a session's rows (the
 * patient index of keyed hashes, migration 5; anything after) adds a line to
 * SESSION_ROWS (and, if its rows carry a time of their own, a line to
 * SESSION_ACTIVITY), in the same commit as its migration. The retention test
 * (tests/integration/hub/retention.test.ts) fails when a table of the record
 * still holds a purged session's id.
 *
 * "A session" is what the record keys a consultation by: the booth's session
 * id, or the room id where the booth gave none (notes, call quality, a claim
 * without a session are keyed so).
 */

/** A session whose last activity is before the cut-off. */
export interface ExpiredSession {
  sessionId: string;
  boothId: string;
  /** ISO time of the latest row of the session (item received, case answered, notes saved, prescription issued or delivered, claim). */
  lastActivity: string;
}

/** Rows removed per table for one session. */
export type PurgedRows = Record<string, number>;

/**
 * Each part yields (session, booth, at) rows; a session's last activity is
 * the latest `at` over all parts. Times are ISO strings in UTC (the record
 * writes them with toISOString), so they compare as text.
 */
export const SESSION_ACTIVITY: readonly string[] = [
  'SELECT session_id AS sid, booth_id AS booth, received_at AS act_at FROM items WHERE session_id IS NOT NULL',
  'SELECT session_id AS sid, booth_id AS booth, coalesce(answered_at, received_at) AS act_at FROM cases',
  'SELECT session_key AS sid, booth_id AS booth, updated_at AS act_at FROM notes',
  'SELECT session_id AS sid, booth_id AS booth, coalesce(delivered_at, issued_at) AS act_at FROM prescriptions WHERE session_id IS NOT NULL',
  'SELECT coalesce(session_id, room_id) AS sid, booth_id AS booth, claimed_at AS act_at FROM claims',
  'SELECT session_key AS sid, booth_id AS booth, updated_at AS act_at FROM call_quality',
];

/** The sessions past the cut-off, oldest first (`$before`; the engine appends its LIMIT). */
export const EXPIRED_SESSIONS_SQL = `SELECT sid, min(booth) AS booth, max(act_at$text) AS last_at FROM (${SESSION_ACTIVITY.join(' UNION ALL ')}) AS activity
  GROUP BY sid HAVING max(act_at$text) < $before ORDER BY max(act_at$text), sid`;

/** One session's last activity (`$session`), re-read inside the purge's transaction. */
export const SESSION_LAST_ACTIVITY_SQL = `SELECT max(act_at$text) AS last_at FROM (${SESSION_ACTIVITY.join(' UNION ALL ')}) AS activity WHERE sid = $session`;

/**
 * Every table holding a session's rows, and the condition that selects them,
 * in deletion order (the uploads' chunks before the items naming them).
 * Not here, on purpose: `batches` (batch ids and booth ids only, the replay
 * guard), and chunks of an upload whose item never arrived (no session to
 * know them by; see docs/security.md).
 */
export const SESSION_ROWS: readonly { table: string; where: string }[] = [
  { table: 'photo_chunks', where: "photo_id IN (SELECT id FROM items WHERE session_id = $session AND kind IN ('photo', 'clip', 'video'))" },
  { table: 'patient_index', where: 'session_id = $session' },
  { table: 'items', where: 'session_id = $session' },
  { table: 'cases', where: 'session_id = $session' },
  { table: 'prescriptions', where: 'session_id = $session' },
  { table: 'notes', where: 'session_key = $session' },
  { table: 'claims', where: 'coalesce(session_id, room_id) = $session' },
  { table: 'call_quality', where: 'session_key = $session' },
];

/**
 * Binds the plan's names to one engine's placeholders; `text` is the
 * collation that compares times byte by byte (PostgreSQL: ` COLLATE "C"`,
 * whatever the server's locale; SQLite compares text so already).
 */
export function bindPlan(sql: string, names: { session?: string; before?: string; text?: string }): string {
  return sql.replaceAll('$session', names.session ?? '$session').replaceAll('$before', names.before ?? '$before').replaceAll('$text', names.text ?? '');
}
