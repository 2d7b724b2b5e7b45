/**
 * How features report to the access journal (./types.ts), so that each
 * route or method says its entry in one call.
 *
 * - Reads and writes AWAIT their entry before the data leaves (or is
 *   stored): `journaled` turns a journal that cannot be written into
 *   JournalUnavailableError, and the access is refused.
 * - Refusals are journaled for AUTHENTICATED callers only (a signed-in
 *   doctor asking for another's photo, a member of staff for another
 *   pharmacy's case): they are bounded by the account's own rate limits.
 *   An unauthenticated caller is journaled only at sign-in, where wrong
 *   passwords pass the throttle and the hash gate first (../throttle.ts);
 *   a 401 elsewhere, a throttled or malformed sign-in are not journaled,
 *   so a flood from strangers cannot grow the journal without bound.
 *   `journalRefusal` never throws: the caller is refused either way.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { codeOf } from '../../shared/errors';
import { JournalUnavailableError } from './errors';
import type { AccessJournal, JournalEvent } from './types';

/**
 * The caller's address as the hub reads it (the socket's peer, never a
 * forwarded header a client could write), an IPv4 peer without its IPv6
 * prefix. Unlike addressKey (../throttle.ts), an IPv6 address is kept whole:
 * the journal says where an access came from, it does not group callers.
 */
export function callerAddress(req: Pick<IncomingMessage, 'socket'>): string | undefined {
  const a = req.socket.remoteAddress?.toLowerCase();
  if (!a) return undefined;
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

/** Records an access before it happens; JournalUnavailableError (nothing may leave) when the entry cannot be written. */
export async function journaled(journal: AccessJournal, event: JournalEvent, log?: Logger): Promise<void> {
  try {
    await journal.record(event);
  } catch (error) {
    // Ids and codes only: the event holds no health data, but the cause's text is not ours to trust.
    log?.error({ code: codeOf(error) ?? 'UNKNOWN', resource: event.resource, action: event.action }, 'access journal unavailable: access refused');
    throw new JournalUnavailableError({ cause: error });
  }
}

/** Records a refusal of an authenticated caller; never throws (the caller is refused whatever the journal says). */
export function journalRefusal(journal: AccessJournal, event: Omit<JournalEvent, 'outcome'> & { reason: string }, log?: Logger): Promise<void> {
  return journalQuietly(journal, { ...event, outcome: 'refused' }, log);
}

/** Records an event nothing waits on to go ahead (a refusal, a sign-out); never throws, a failure is logged by code. */
export async function journalQuietly(journal: AccessJournal, event: JournalEvent, log?: Logger): Promise<void> {
  try {
    await journal.record(event);
  } catch (error) {
    log?.error({ code: codeOf(error) ?? 'UNKNOWN', resource: event.resource, action: event.action, outcome: event.outcome }, 'access journal unavailable: an entry was not written');
  }
}
