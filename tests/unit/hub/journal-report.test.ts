import { describe, expect, it } from 'vitest';
import { MemoryJournal } from '../../../src/hub/journal/fake';
import { JournalUnavailableError } from '../../../src/hub/journal/errors';
import { callerAddress, journaled, journalRefusal } from '../../../src/hub/journal/report';
import type { JournalEvent } from '../../../src/hub/journal/types';

const READ: JournalEvent = { actor: { role: 'specialist', id: 'dr-martin' }, action: 'read', resource: 'photo', resourceId: 'p1', outcome: 'allowed' };

describe('reporting to the access journal', () => {
  it('turns a journal that cannot be written into JOURNAL_UNAVAILABLE with a French message and the cause', async () => {
    const journal = new MemoryJournal();
    const cause = new Error('disk gone');
    journal.failing = cause;
    const error = await journaled(journal, READ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalUnavailableError);
    expect(error).toMatchObject({ code: 'JOURNAL_UNAVAILABLE', cause });
    expect((error as JournalUnavailableError).messageFor('fr')).toMatch(/journal des accès/);
    expect(journal.entries).toEqual([]);
  });

  it('records a refusal with its reason, and never throws when the journal is out of reach (the caller is refused anyway)', async () => {
    const journal = new MemoryJournal();
    await journalRefusal(journal, { ...READ, reason: 'FORBIDDEN' });
    expect(journal.entries).toEqual([expect.objectContaining({ outcome: 'refused', reason: 'FORBIDDEN', resourceId: 'p1' })]);
    journal.failing = new Error('disk gone');
    await expect(journalRefusal(journal, { ...READ, reason: 'FORBIDDEN' })).resolves.toBeUndefined();
  });

  it('reads the caller\'s address from the socket, an IPv4 peer without its IPv6 prefix, an IPv6 one whole', () => {
    expect(callerAddress({ socket: { remoteAddress: '::ffff:192.0.2.7' } } as never)).toBe('192.0.2.7');
    expect(callerAddress({ socket: { remoteAddress: '2001:DB8::1:2' } } as never)).toBe('2001:db8::1:2');
    expect(callerAddress({ socket: { remoteAddress: undefined } } as never)).toBeUndefined();
  });
});
