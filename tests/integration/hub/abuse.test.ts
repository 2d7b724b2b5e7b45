/**
 * Abuse that must not hurt honest users, on a real
 * hub: wrong passwords and wrong booth tokens are counted per (address,
 * account) and slowed down with a stated delay, never at the expense of a
 * colleague, another address or the right secret once that delay has
 * passed; the hub-wide scrypt checks stay under their cap whatever the
 * flood; a flood is logged once per window with a count; an oversized login
 * body gets a 413. Other addresses are real loopback addresses (127.0.0.x);
 * the throttles' clock is moved instead of waited for.
 */
import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { verifySecret } from '../../../src/hub/directory';
import type { Hub } from '../../../src/hub/server';
import { createLogger } from '../../../src/node/logger';
import { BOOTH_SECRETS, SPECIALISTS, startTestHub } from '../../helpers/hub';
import { until } from '../../resilience/support/clients';

const HONEST = '127.0.0.2';
const ATTACKER = '127.0.0.3';

/** The throttles' clock: a test moves it by the delay the hub stated. */
const clock = { t: Date.UTC(2026, 11, 1, 9), now: (): number => clock.t };
/** Hash checks as the hub runs them: how many at once, at most, and how many in all. */
const hashes = { running: 0, max: 0, total: 0 };
async function countingVerify(secret: string, hash: string): Promise<boolean> {
  hashes.running += 1;
  hashes.total += 1;
  hashes.max = Math.max(hashes.max, hashes.running);
  try {
    return await verifySecret(secret, hash);
  } finally {
    hashes.running -= 1;
  }
}

/** Every line the hub logged, parsed. */
const lines: { msg: string; [k: string]: unknown }[] = [];
const captured = createLogger('test-hub', { write: (l: string) => (lines.push(JSON.parse(l) as never), true) } as unknown as NodeJS.WritableStream);

const LIMITS = {
  clock,
  login: { freeFailures: 3 },
  booth: { freeFailures: 3 },
  hashes: { verify: countingVerify, maxConcurrent: 2 },
  logWindowMs: 60_000,
};
/** The hub of the test being run: without media for booths and logs, with it (logins) below. */
let hub: Hub | undefined;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  hub = await startTestHub({ consoleDir: '/nonexistent', log: captured, media: false, limits: LIMITS });
});

afterEach(() => {
  for (const s of sockets.splice(0)) s.terminate();
});

afterAll(async () => {
  await hub?.close();
});

interface HttpAnswer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** One real HTTP request from a chosen loopback address. */
function post(path: string, body: string, opts: { from?: string; chunked?: boolean } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (!opts.chunked) headers['content-length'] = String(Buffer.byteLength(body));
    const req = request({ host: '127.0.0.1', port: hub!.port, path, method: 'POST', headers, localAddress: opts.from ?? '127.0.0.1' }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    if (opts.chunked) {
      // Sent in pieces, without a length: the hub must notice the size while reading.
      for (let i = 0; i < body.length; i += 1000) req.write(body.slice(i, i + 1000));
      req.end();
    } else req.end(body);
  });
}

function login(email: string, password: string, from?: string): Promise<HttpAnswer> {
  return post('/api/login', JSON.stringify({ email, password }), { from });
}

/** One booth connection attempt from a chosen loopback address: the HTTP status (101 when accepted). */
function boothAttempt(boothId: string, token: string, from = '127.0.0.1'): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${hub!.port}/booth`, { headers: { 'x-cabine-booth': boothId, authorization: `Bearer ${token}` }, localAddress: from });
    sockets.push(ws);
    ws.on('unexpected-response', (_q, res) => {
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => resolve({ status: 101 }));
    ws.on('error', () => resolve({ status: -1 }));
  });
}

const [martin, durand] = SPECIALISTS;

describe('booth connections under wrong tokens', () => {
  it('lets booth X connect with its token from another address while one address floods X with wrong tokens, refusing the flood before hashing', async () => {
    const before = hashes.total;
    const flood = await Promise.all(Array.from({ length: 150 }, (_, i) => boothAttempt('demo-booth-1', `wrong-token-${i}`, ATTACKER)));
    const honest = await boothAttempt('demo-booth-1', BOOTH_SECRETS['demo-booth-1'], HONEST);
    expect(honest.status).toBe(101);
    expect(flood.every((a) => [401, 429, 503].includes(a.status))).toBe(true);
    expect(flood.filter((a) => a.status === 429).length).toBeGreaterThan(100);
    // Most of the flood never reached scrypt; the honest booth's check did.
    expect(hashes.total - before).toBeGreaterThan(0);
    expect(hashes.total - before).toBeLessThan(20);
  });

  it('never runs more hash checks at once than the cap, whatever the number of flooding addresses', async () => {
    hashes.max = 0;
    const attempts = [];
    for (let a = 10; a < 26; a++) {
      for (let i = 0; i < 4; i++) attempts.push(boothAttempt('demo-booth-1', `wrong-token-${i}`, `127.0.0.${a}`));
    }
    attempts.push(boothAttempt('demo-booth-2', BOOTH_SECRETS['demo-booth-2'], HONEST));
    const results = await Promise.all(attempts);
    expect(hashes.max).toBeGreaterThan(0);
    expect(hashes.max).toBeLessThanOrEqual(2);
    expect(results.at(-1)!.status).toBe(101);
  });

  it('refuses booth ids it does not know without spending a hash check on them', async () => {
    const before = hashes.total;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => boothAttempt(`no-such-booth-${i}`, 'any-token', '127.0.0.20')));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(401));
    expect(hashes.total).toBe(before);
  });

  it('refuses the right token after failures from the same address until the stated delay, then accepts it', async () => {
    const from = '127.0.0.30';
    for (let i = 0; i < 3; i++) expect((await boothAttempt('demo-booth-2', `wrong-${i}`, from)).status).toBe(401);
    const refused = await boothAttempt('demo-booth-2', BOOTH_SECRETS['demo-booth-2'], from);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    clock.t += Number(refused.retryAfter) * 1000;
    expect((await boothAttempt('demo-booth-2', BOOTH_SECRETS['demo-booth-2'], from)).status).toBe(101);
  });
});

describe('logging a flood', () => {
  it('logs a flood of wrong booth tokens once per window, with a count', async () => {
    const from = '127.0.0.40';
    const mark = lines.length;
    for (let i = 0; i < 40; i++) await boothAttempt('demo-booth-1', `wrong-${i}`, from);
    const about = lines.slice(mark).filter((l) => /refused a booth connection/.test(l.msg));
    // One line per kind of refusal (bad credentials, then throttled) in this window, not one per attempt.
    expect(about.length).toBeGreaterThan(0);
    expect(about.length).toBeLessThanOrEqual(2);
  });

  it('logs a connection cut for flooding once, then one line with the count of what followed', async () => {
    const mark = lines.length;
    const first = await boothAttempt('demo-booth-2', BOOTH_SECRETS['demo-booth-2'], '127.0.0.50');
    expect(first.status).toBe(101);
    const ws = sockets.at(-1)!;
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    // Answers to requests nobody made: valid frames, ignored, but each one counts against the rate limit.
    for (let i = 0; i < 2000 && ws.readyState === WebSocket.OPEN; i++) ws.send(JSON.stringify({ t: 'res', id: i, ok: true, r: null }));
    expect(await closed).toBe(1008);
    const flood = (): typeof lines => lines.slice(mark).filter((l) => /rate limit/.test(l.msg));
    await until(() => flood().length >= 1 || undefined, 'the cut logged');
    expect(flood()).toHaveLength(1);
    // The hub closing ends the window: the frames dropped after the cut are summed up in one line.
    await hub!.close();
    hub = undefined;
    expect(flood()).toHaveLength(2);
    expect(flood()[1]).toMatchObject({ repeated: expect.any(Number) });
    expect(flood()[1]!.repeated as number).toBeGreaterThan(0);
  });
});

describe('specialist login under wrong passwords', () => {
  beforeAll(async () => {
    await hub?.close();
    hub = await startTestHub({ consoleDir: '/nonexistent', log: captured, limits: LIMITS });
  });

  it("accepts a doctor's right password right after a colleague's wrong ones from the same address", async () => {
    for (let i = 0; i < 8; i++) expect((await login(durand.email, `typo-${i}`)).status).toBeOneOf([401, 429]);
    expect((await login(martin.email, martin.password)).status).toBe(200);
  });

  it('accepts the right password from another address while the account is attacked from one', async () => {
    for (let i = 0; i < 8; i++) await login(martin.email, `guess-${i}`, ATTACKER);
    expect((await login(martin.email, 'guess-again', ATTACKER)).status).toBe(429);
    expect((await login(martin.email, martin.password, HONEST)).status).toBe(200);
  });

  it('refuses an account after repeated failures with a stated delay, accepts the right password once it has passed, and a success starts afresh', async () => {
    const from = '127.0.0.4';
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await login(durand.email, `wrong-${i}`, from)).status);
    expect(statuses).toEqual([401, 401, 401]);
    const refused = await login(durand.email, durand.password, from);
    expect(refused.status).toBe(429);
    const body = JSON.parse(refused.body) as { error: string; message: string; retryAfterSeconds: number };
    expect(body).toMatchObject({ error: 'TOO_MANY_ATTEMPTS', message: expect.stringMatching(/^Trop de tentatives.*Réessayez dans \d+ secondes?\./) });
    expect(Number(refused.headers['retry-after'])).toBe(body.retryAfterSeconds);
    expect(body.retryAfterSeconds).toBeGreaterThan(0);
    // Not a second earlier…
    clock.t += body.retryAfterSeconds * 1000 - 1000;
    expect((await login(durand.email, durand.password, from)).status).toBe(429);
    // …and at the stated time, the right password gets in.
    clock.t += 1000;
    expect((await login(durand.email, durand.password, from)).status).toBe(200);
    // The count starts afresh: three more mistakes are plain refusals again.
    const after: number[] = [];
    for (let i = 0; i < 3; i++) after.push((await login(durand.email, `wrong-again-${i}`, from)).status);
    expect(after).toEqual([401, 401, 401]);
  });

  it('answers an oversized login body with 413 and a message, whether or not it states its length', async () => {
    const big = JSON.stringify({ email: martin.email, password: 'x'.repeat(6 * 1024) });
    for (const chunked of [false, true]) {
      const r = await post('/api/login', big, { chunked });
      expect({ chunked, status: r.status }).toEqual({ chunked, status: 413 });
      expect(JSON.parse(r.body)).toMatchObject({ error: 'BODY_TOO_LARGE', message: expect.stringMatching(/trop volumineuse/) });
    }
    // The hub still answers afterwards.
    expect((await login(martin.email, martin.password)).status).toBe(200);
  });
});
