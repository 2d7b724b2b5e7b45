/**
 * Forwarded cases across two hub nodes sharing PostgreSQL (node A its own
 * process, node B in this one): a case completed through node B reaches the
 * queue of a doctor connected to node A (the bus's `cases` topic), and two
 * doctors answering at once through the two nodes get one winner, the other
 * told who answered; the pharmacy's counter page on the other node gets the answer.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HubLink } from '../../../src/host/hub-link';
import { CASE, type CaseAnswer, type CaseQueueNote, type CounterCase } from '../../../src/shared/case-protocol';
import { caseParts, sendCase } from '../../helpers/cases';
import { COUNTER_API, COUNTER_WS_PATH } from '../../../src/shared/counter-protocol';
import { BOOTH_SECRETS, SPECIALISTS, STAFF } from '../../helpers/hub';
import { startNodePair, type NodePair } from '../../helpers/hub-nodes';
import { startPgCluster, type PgCluster } from '../../helpers/pg-cluster';
import { silentLog } from '../../helpers/store';
import { ConsoleClient } from '../../resilience/support/clients';

let pg: PgCluster;
let pair: NodePair | null = null;
const links: HubLink[] = [];
const clients: ConsoleClient[] = [];

beforeAll(async () => {
  pg = await startPgCluster();
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  for (const l of links) await l.stop();
  await pair?.close();
  await pg?.stop();
});

it('queues a case completed through one node on the other node\'s consoles, and keeps one of two answers sent at once through the two nodes', async () => {
  pair = await startNodePair(pg);
  const { a, b } = pair;
  const martin = await ConsoleClient.login(a.url, SPECIALISTS[0].email, SPECIALISTS[0].password);
  const durand = await ConsoleClient.login(b.url, SPECIALISTS[1].email, SPECIALISTS[1].password);
  const login = await fetch(`${a.url}${COUNTER_API.login}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: STAFF[0].email, password: STAFF[0].password }) });
  const marie = await ConsoleClient.open(a.url, { cookie: login.headers.get('set-cookie')!.split(';')[0]!, origin: a.url }, COUNTER_WS_PATH);
  clients.push(martin, durand, marie);

  const link = new HubLink({ url: `ws://127.0.0.1:${b.port}/booth`, boothId: 'demo-booth-1', token: BOOTH_SECRETS['demo-booth-1'], log: silentLog, minDelayMs: 50, maxDelayMs: 200 });
  links.push(link);
  link.start();
  await expect.poll(() => link.status).toBe('online');
  const c = caseParts('demo-booth-1');
  await sendCase(link, c);

  const queued = (client: ConsoleClient) => client.of<CaseQueueNote>(CASE.queueNote).at(-1)?.cases.find((s) => s.caseId === c.caseId)?.state;
  await expect.poll(() => queued(martin), { timeout: 10_000 }).toBe('waiting');
  await expect.poll(() => queued(durand)).toBe('waiting');

  const answer = (advice: string) => ({ caseId: c.caseId, kind: 'advice', advice, urgency: 'routine' });
  const results = await Promise.allSettled([
    martin.call<CaseAnswer>(CASE.answer, answer('Conseil du Dr Martin')),
    durand.call<CaseAnswer>(CASE.answer, answer('Conseil du Dr Durand')),
  ]);
  const won = results.filter((r): r is PromiseFulfilledResult<CaseAnswer> => r.status === 'fulfilled');
  const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  expect(won).toHaveLength(1);
  expect(lost).toHaveLength(1);
  const winner = won[0]!.value.answeredBy.name;
  expect(lost[0]!.reason).toMatchObject({ code: 'CASE_ALREADY_ANSWERED', message: expect.stringContaining(winner) });
  expect((await b.record.repo.caseRow(c.caseId))?.answer?.answeredBy.name).toBe(winner);
  // Both nodes' consoles hear the answer, and the pharmacy's counter page on the other node has it.
  for (const client of [martin, durand]) await expect.poll(() => queued(client), { timeout: 10_000 }).toBe('answered');
  await expect.poll(() => marie.of<{ cases: CounterCase[] }>(CASE.counterNote).at(-1)?.cases.find((x) => x.caseId === c.caseId)?.answer?.answeredBy.name, { timeout: 10_000 }).toBe(winner);
}, 120_000);
