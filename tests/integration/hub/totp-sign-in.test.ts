/**
 * The second factor of local accounts on real hubs (issue #21), on the
 * engine of the run (SQLite, or PostgreSQL with CABINE_TEST_HUB_STORE):
 * a right password for an account with a TOTP secret gives no cookie but a
 * pending sign-in; the right code then opens the session, on the console
 * and on the counter. Wrong codes are refused and counted per account, a
 * pending sign-in dies after 5 wrong codes or 5 minutes, a code already
 * used is refused, also by a second hub node sharing the state store (which
 * also takes the code of a sign-in whose password the first node took), and
 * `requireTotp` refuses an account without a secret. No refusal sets a
 * cookie; every outcome of the code step is journaled without the code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../../src/hub/directory';
import { MemoryJournal } from '../../../src/hub/journal/fake';
import type { AccessJournal, JournalEntry } from '../../../src/hub/journal/types';
import type { Hub } from '../../../src/hub/server';
import { base32Decode, newTotpSecret, totpAt } from '../../../src/node/totp';
import { COUNTER_API } from '../../../src/shared/counter-protocol';
import { freshDataDir, SPECIALISTS, STAFF, startTestHub, testHubConfig } from '../../helpers/hub';

/** The hubs' throttle and TOTP clock: a test moves it instead of waiting. */
const clock = { t: Date.UTC(2026, 11, 2, 9, 0, 10), now: (): number => clock.t };

const secrets = { 'dr-martin': newTotpSecret(), marie: newTotpSecret(), lea: newTotpSecret(), hugo: newTotpSecret(), ines: newTotpSecret(), zoe: newTotpSecret(), noe: newTotpSecret() };
const LEA = { id: 'lea', email: 'lea@pharmacie-test-1.example', password: 'comptoir-lea', name: 'Léa Morel', firstName: 'Léa', pharmacyId: 'pharmacie-test-1' };
const HUGO = { ...LEA, id: 'hugo', email: 'hugo@pharmacie-test-1.example', password: 'comptoir-hugo', name: 'Hugo Petit', firstName: 'Hugo' };
const INES = { ...LEA, id: 'ines', email: 'ines@pharmacie-test-1.example', password: 'comptoir-ines', name: 'Inès Blanc', firstName: 'Inès' };
const ZOE = { ...LEA, id: 'zoe', email: 'zoe@pharmacie-test-1.example', password: 'comptoir-zoe', name: 'Zoé Garnier', firstName: 'Zoé' };
const NOE = { ...LEA, id: 'noe', email: 'noe@pharmacie-test-1.example', password: 'comptoir-noe', name: 'Noé Roux', firstName: 'Noé' };
const MARIE = STAFF[0];
/** Paul has no TOTP secret. */
const PAUL = STAFF[1];
const DR_MARTIN = SPECIALISTS[0];

const code = (id: keyof typeof secrets, offsetMs = 0): string => totpAt(base32Decode(secrets[id]), clock.t + offsetMs);

/** Node A: console and counter, requireTotp off. Node B: the same store, counter only, requireTotp on. */
let a: Hub;
const aJournal = new MemoryJournal();
let b: Hub;

beforeAll(async () => {
  const dataDir = freshDataDir();
  const base = await testHubConfig(dataDir);
  const extra = await Promise.all([LEA, HUGO, INES, ZOE, NOE].map(async ({ password, ...s }) => ({ ...s, passwordHash: await hashSecret(password, 1024) })));
  const config = {
    ...base,
    specialists: base.specialists.map((s) => (s.id === 'dr-martin' ? { ...s, totpSecret: secrets['dr-martin'] } : s)),
    staff: [...base.staff, ...extra].map((s) => (s.id in secrets ? { ...s, totpSecret: secrets[s.id as keyof typeof secrets] } : s)),
  };
  // Hub a keeps its entries in a journal the test can make fail; hub b writes the real HMAC chain.
  a = await startTestHub({ consoleDir: '/nonexistent', config, limits: { clock }, journal: aJournal });
  b = await startTestHub({ consoleDir: '/nonexistent', config: { ...config, localSignIn: { requireTotp: true } }, limits: { clock }, media: false });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
  cookie: string | null;
}

async function post(hub: Hub, path: string, body: unknown, cookie?: string): Promise<Answer> {
  const res = await fetch(`${hub.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, cookie: res.headers.get('set-cookie') };
}

/** A refusal: its status and code, and never a cookie. */
function expectRefused(r: Answer, status: number, error: string): void {
  expect({ status: r.status, error: r.body.error }).toEqual({ status, error });
  expect(r.cookie).toBeNull();
  expect(r.body.message).toEqual(expect.any(String));
}

/** The password step of an account with a secret: 202 and a pending sign-in, no cookie. */
async function pendingOf(hub: Hub, loginPath: string, who: { email: string; password: string }): Promise<string> {
  const r = await post(hub, loginPath, { email: who.email, password: who.password });
  expect(r.status).toBe(202);
  expect(r.body).toEqual({ secondFactor: 'totp', pending: expect.any(String), expiresInSeconds: 300 });
  expect(r.cookie).toBeNull();
  return r.body.pending as string;
}

async function me(hub: Hub, path: string, cookie: string | null): Promise<number> {
  return (await fetch(`${hub.url}${path}`, { headers: cookie ? { cookie: cookie.split(';')[0]! } : {} })).status;
}

// The Hub spreads its ports (journal included) though its type does not name it yet.
const journalOf = (hub: Hub): AccessJournal => hub.journal;
/** The second factor's entries of an account (the password step's own entries aside). */
async function totpEntries(hub: Hub, actorId: string): Promise<JournalEntry[]> {
  return (await journalOf(hub).list({ actorId })).filter((e) => e.action === 'sign-in' && (e.reason?.startsWith('TOTP') || e.reason === 'TOO_MANY_ATTEMPTS'));
}

describe('TOTP sign-in on the console', () => {
  it('opens a session for the password and the right code only, then refuses the same code again (replay)', async () => {
    const pending = await pendingOf(a, '/api/login', DR_MARTIN);
    // The password alone is no session.
    expect(await me(a, '/api/me', null)).toBe(401);
    const right = code('dr-martin');
    const ok = await post(a, '/api/login/totp', { pending, code: right });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: 'dr-martin' });
    expect(ok.cookie).toMatch(/^cabine_session=[^;]+; HttpOnly; SameSite=Strict/);
    expect(await me(a, '/api/me', ok.cookie)).toBe(200);
    // The pending sign-in served once.
    expectRefused(await post(a, '/api/login/totp', { pending, code: right }), 401, 'TOTP_EXPIRED');
    // A new sign-in with the code already used.
    const again = await pendingOf(a, '/api/login', DR_MARTIN);
    const replay = await post(a, '/api/login/totp', { pending: again, code: right });
    expectRefused(replay, 401, 'TOTP_REPLAYED');
    expect(replay.body.retry).toBe('code');
    const entries = await totpEntries(a, 'dr-martin');
    expect(entries.map((e) => [e.action, e.resource, e.outcome, e.reason])).toEqual([
      ['sign-in', 'account', 'allowed', 'TOTP'],
      ['sign-in', 'account', 'refused', 'TOTP_REPLAYED'],
    ]);
    expect(JSON.stringify(await journalOf(a).list({}))).not.toContain(right);
  });
});

describe('TOTP sign-in on the counter', () => {
  it('refuses wrong codes, counts them for the account, kills the pending sign-in at the fifth and then makes the account wait', async () => {
    const pending = await pendingOf(a, COUNTER_API.login, MARIE);
    const wrong = String((Number(code('marie')) + 500_000) % 1_000_000).padStart(6, '0');
    for (let i = 1; i <= 4; i++) {
      const r = await post(a, COUNTER_API.loginTotp, { pending, code: wrong });
      expectRefused(r, 401, 'TOTP_INVALID');
      expect(r.body.retry).toBe('code');
    }
    const fifth = await post(a, COUNTER_API.loginTotp, { pending, code: wrong });
    expectRefused(fifth, 401, 'TOTP_EXPIRED');
    expect(fifth.body.retry).toBe('password');
    // Dead: the right code no longer opens it.
    expectRefused(await post(a, COUNTER_API.loginTotp, { pending, code: code('marie') }), 401, 'TOTP_EXPIRED');
    // A new pending sign-in, right code: the account's failures make it wait first.
    const next = await pendingOf(a, COUNTER_API.login, MARIE);
    const throttled = await post(a, COUNTER_API.loginTotp, { pending: next, code: code('marie') });
    expectRefused(throttled, 429, 'TOO_MANY_ATTEMPTS');
    expect(Number(throttled.body.retryAfterSeconds)).toBeGreaterThan(0);
    clock.t += Number(throttled.body.retryAfterSeconds) * 1000;
    const ok = await post(a, COUNTER_API.loginTotp, { pending: next, code: code('marie') });
    expect(ok.status).toBe(200);
    expect(ok.cookie).toMatch(/^cabine_counter=/);
    expect(await me(a, COUNTER_API.me, ok.cookie)).toBe(200);
    const reasons = (await totpEntries(a, 'marie')).map((e) => `${e.outcome}:${e.reason}`);
    // The right code on the dead pending sign-in names no account (it is gone): journaled as anonymous.
    expect(reasons).toEqual([...Array<string>(5).fill('refused:TOTP_INVALID'), 'refused:TOO_MANY_ATTEMPTS', 'allowed:TOTP']);
  });

  it('refuses a code of the wrong shape without counting it', async () => {
    const pending = await pendingOf(a, COUNTER_API.login, INES);
    for (const bad of ['12345', 'abcdef', '1234567']) {
      const r = await post(a, COUNTER_API.loginTotp, { pending, code: bad });
      expectRefused(r, 400, 'BAD_REQUEST');
      expect(r.body.retry).toBe('code');
    }
    expect((await post(a, COUNTER_API.loginTotp, { pending, code: code('ines') })).status).toBe(200);
  });

  it('refuses a pending sign-in after 5 minutes, and an unknown one', async () => {
    const pending = await pendingOf(a, COUNTER_API.login, LEA);
    clock.t += 5 * 60_000 + 1000;
    const late = await post(a, COUNTER_API.loginTotp, { pending, code: code('lea') });
    expectRefused(late, 401, 'TOTP_EXPIRED');
    expect(late.body.retry).toBe('password');
    expectRefused(await post(a, COUNTER_API.loginTotp, { pending: 'made-up', code: code('lea') }), 401, 'TOTP_EXPIRED');
    expect(await me(a, COUNTER_API.me, null)).toBe(401);
  });

  it('refuses on a second hub node a code the first accepted, and an earlier one, through the shared state store', async () => {
    const onA = await pendingOf(a, COUNTER_API.login, HUGO);
    const onB = await pendingOf(b, COUNTER_API.login, HUGO);
    const now = code('hugo');
    expect((await post(a, COUNTER_API.loginTotp, { pending: onA, code: now })).status).toBe(200);
    expectRefused(await post(b, COUNTER_API.loginTotp, { pending: onB, code: now }), 401, 'TOTP_REPLAYED');
    expectRefused(await post(b, COUNTER_API.loginTotp, { pending: onB, code: code('hugo', -30_000) }), 401, 'TOTP_REPLAYED');
    // The next step's code (within the window) is new: B accepts it.
    const ok = await post(b, COUNTER_API.loginTotp, { pending: onB, code: code('hugo', 30_000) });
    expect(ok.status).toBe(200);
    expect(await me(b, COUNTER_API.me, ok.cookie)).toBe(200);
  });

  it('takes the code on a second hub node after the first took the password: the pending sign-in is in the shared state store, used once', async () => {
    const pending = await pendingOf(a, COUNTER_API.login, NOE);
    const done = await post(b, COUNTER_API.loginTotp, { pending, code: code('noe') });
    expect(done.status).toBe(200);
    expect(await me(b, COUNTER_API.me, done.cookie)).toBe(200);
    // Neither node takes it again, even with the next step's code.
    expectRefused(await post(a, COUNTER_API.loginTotp, { pending, code: code('noe', 30_000) }), 401, 'TOTP_EXPIRED');
    expectRefused(await post(b, COUNTER_API.loginTotp, { pending, code: code('noe', 30_000) }), 401, 'TOTP_EXPIRED');
  });

  it('with requireTotp, refuses the right password of an account without a secret, which signs in without one where it is off', async () => {
    const refused = await post(b, COUNTER_API.login, { email: PAUL.email, password: PAUL.password });
    expectRefused(refused, 403, 'TOTP_REQUIRED');
    expect(refused.body.message).toMatch(/^Ce compte doit être équipé d’un second facteur/);
    expect((await totpEntries(b, 'paul')).map((e) => `${e.outcome}:${e.reason}`)).toEqual(['refused:TOTP_REQUIRED']);
    const allowed = await post(a, COUNTER_API.login, { email: PAUL.email, password: PAUL.password });
    expect(allowed.status).toBe(200);
    expect(allowed.cookie).toMatch(/^cabine_counter=/);
  });

  it('opens no session when the sign-in cannot be journaled', async () => {
    const pending = await pendingOf(a, COUNTER_API.login, ZOE);
    const journal = aJournal;
    journal.failing = new Error('journal out of reach');
    try {
      const r = await post(a, COUNTER_API.loginTotp, { pending, code: code('zoe') });
      expectRefused(r, 503, 'JOURNAL_UNAVAILABLE');
      expect(r.body.retry).toBe('password');
    } finally {
      journal.failing = null;
    }
    expect(await me(a, COUNTER_API.me, null)).toBe(401);
  });
});
