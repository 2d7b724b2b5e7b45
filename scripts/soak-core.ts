/**
 * The soak (a booth runs for months: no leak may grow): complete simulated
 * sessions through a real host (in
 * this process, real store, real thermometer and BP-cuff drivers on socat
 * ptys) and a real hub (record, mediasoup worker, signaling), one after the
 * other, with the memory, file descriptors and SQLite sizes sampled as it
 * goes. Each session walks the session machine: language, consent, identity
 * (assistant PIN), pathway, the waiting room, a claim by a specialist, the
 * call's signaling (transports, a producer and a consumer on the hub's
 * mediasoup router), measurements on the real instruments, the end of the
 * call, wrap-up and the privacy wipe back to attract. Most calls feed the
 * SFU from a loopback RTP sender (VP8-shaped packets into a PlainTransport
 * producer on the room's router, forwarded to a consumer whose packets are
 * counted); every `realCallEvery`-th session is a real call between two
 * Chromium pages (the kiosk served by the host, the console served by the
 * hub). A simulated clock moves one hour per session so the booth store's
 * retention purge (1 day) runs as it would in service.
 *
 * `scripts/soak.ts` runs 1,000 sessions; tests/resilience/soak-bounded.test.ts
 * runs a short form in `npm test`.
 */
import dgram from 'node:dgram';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { types as ms } from 'mediasoup';
import type { Browser } from 'playwright-core';
import { BpCuffDriver } from '../devices/drivers/bp-cuff/driver';
import { BpCuffSimulator } from '../devices/drivers/bp-cuff/simulator';
import { ThermometerDriver } from '../devices/drivers/thermometer/driver';
import { ThermometerSimulator } from '../devices/drivers/thermometer/simulator';
import { PtySimulation } from '../devices/simulated';
import { Host } from '../src/host/host';
import { startWsTransport, type WsTransport } from '../src/host/transport-ws';
import type { RecordRepository } from '../src/hub/record/index';
import type { Hub } from '../src/hub/server';
import type { KioskEvent } from '../src/shared/kiosk-api';
import { MEDIA, parseMediaResult } from '../src/shared/media-protocol';
import { launchChromium } from '../tests/helpers/chromium';
import { testConfig } from '../tests/helpers/config';
import { BOOTH_SECRETS, ensureRenderersBuilt, SPECIALISTS, startTestHub, testHubConfig } from '../tests/helpers/hub';
import { KIOSK_DIST } from '../tests/helpers/kiosk';
import { pharmacistMeasures } from '../tests/helpers/measure';
import { silentLog, tempDir } from '../tests/helpers/store';
import { cheapPinHash, ConsoleClient, until } from '../tests/resilience/support/clients';
import { vp8RtpPacket } from '../bench/rtp';
import { endConsultation, signInOnConsole } from '../tests/helpers/console-page';

const BOOTH = 'demo-booth-1';
const PIN = '482193';
const HOUR_MS = 3_600_000;

export interface SoakOptions {
  sessions: number;
  /** Every n-th session is a real two-page Chromium call (0: never). */
  realCallEvery: number;
  /** Sample memory, fds and file sizes every n sessions. */
  sampleEvery: number;
  /** Sessions before the memory slope is fitted. */
  warmup: number;
  /** Progress lines (stderr). */
  progress?: (line: string) => void;
}

export interface SoakSample {
  session: number;
  rssMiB: number;
  heapMiB: number;
  fds: number;
  boothDbMiB: number;
  recordDbMiB: number;
  workerRssMiB: number;
}

export interface SoakResult {
  sessions: number;
  realCalls: number;
  rtpCalls: number;
  readingsShown: number;
  readingsInRecord: number;
  lost: number;
  duplicated: number;
  /** RTP bytes the SFU forwarded to the loopback consumers, summed. */
  rtpBytesForwarded: number;
  samples: SoakSample[];
  /** Least-squares slope after warm-up, MiB per 100 sessions. */
  heapSlopeMiBPer100: number;
  rssSlopeMiBPer100: number;
  fdSpreadAfterWarmup: number;
  durationS: number;
  gcExposed: boolean;
}

/** Least-squares slope of y over x. */
export function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? Number.NaN : num / den;
}

const MiB = 1024 * 1024;
const fileMiB = (path: string): number => [path, `${path}-wal`].reduce((s, f) => s + (existsSync(f) ? statSync(f).size : 0), 0) / MiB;

function procRssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Feeds a router from a loopback RTP sender and counts what it forwards to one consumer. */
async function rtpThrough(router: ms.Router, sender: dgram.Socket, sink: { port: number; bytes: () => number }): Promise<number> {
  const ingress = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1', portRange: { min: 42000, max: 43999 } }, rtcpMux: true, comedia: true });
  const egress = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1', portRange: { min: 42000, max: 43999 } }, rtcpMux: true, comedia: false });
  try {
    const ssrc = 0x5a000000 + Math.floor(Math.random() * 0xffff);
    const producer = await ingress.produce({ kind: 'video', rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90_000 }], encodings: [{ ssrc }] } });
    await egress.connect({ ip: '127.0.0.1', port: sink.port });
    await egress.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
    const before = sink.bytes();
    for (let seq = 0; seq < 30; seq++) {
      sender.send(vp8RtpPacket(seq, seq * 3000, ssrc, seq % 30 === 0, 1200), ingress.tuple.localPort, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 3));
    }
    await until(() => sink.bytes() > before || undefined, 'RTP forwarded by the SFU', 5000);
    return sink.bytes() - before;
  } finally {
    ingress.close();
    egress.close();
  }
}

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const log = opts.progress ?? (() => undefined);
  const started = Date.now();
  const gc = (globalThis as { gc?: () => void }).gc;
  const { dir, cleanup } = tempDir('cabine-soak-');
  const closers: (() => unknown)[] = [cleanup];
  let browser: Browser | null = null;
  try {
    if (opts.realCallEvery > 0) ensureRenderersBuilt();
    const hub: Hub = await startTestHub({ config: { ...(await testHubConfig()), dataDir: join(dir, 'hub') } });
    closers.unshift(() => hub.close());
    const record: RecordRepository = hub.record.repo;

    // The booth: real drivers on socat ptys, a store on disk, a clock that moves an hour per session.
    const thermoSim = new PtySimulation(new ThermometerSimulator({ speed: 0.01 }));
    const cuffSim = new PtySimulation(new BpCuffSimulator({ speed: 0.01, stepMs: 100 }));
    await thermoSim.start();
    await cuffSim.start();
    closers.unshift(() => cuffSim.stop(), () => thermoSim.stop());
    const timing = { backoffInitialMs: 20, backoffMaxMs: 200, helloTimeoutMs: 1000, measureTimeoutMs: 10_000, idleFlushMs: 20 };
    const thermometer = new ThermometerDriver({ id: 'thermometer-1', path: thermoSim.devicePath, timing, log: silentLog });
    const cuff = new BpCuffDriver({ id: 'bp-cuff-1', path: cuffSim.devicePath, timing, log: silentLog });
    let clock = Date.now();
    const boothDb = join(dir, 'booth', 'booth.db');
    const config = testConfig({
      boothId: BOOTH,
      hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRETS[BOOTH] },
      assistant: { pinHash: cheapPinHash(PIN), maxTries: 5, lockoutMinutes: 5 },
      store: { path: boothDb, keyFile: join(dir, 'booth', 'booth.key'), retentionDays: 1 },
    });
    const host = new Host(config, silentLog, { drivers: [thermometer, cuff], clock: { now: () => clock } });
    // Readings shown since the last check, by session: checked against the record, then dropped (the harness stays flat).
    let unchecked = new Map<string, string[]>();
    let shownTotal = 0;
    const lastKind = new Map<string, number>();
    host.on('kioskEvent', (e: KioskEvent) => {
      if (e.name !== 'reading') return;
      shownTotal++;
      const sid = e.data.sessionId ?? 'none';
      const list = unchecked.get(sid) ?? [];
      list.push(e.data.id);
      unchecked.set(sid, list);
      lastKind.set(e.data.kind, (lastKind.get(e.data.kind) ?? 0) + 1);
    });
    let lost = 0;
    let duplicated = 0;
    /** Waits for the outbox to drain, then checks each shown reading is in the record exactly once. */
    const checkRecord = async () => {
      await until(() => host.store?.pendingCount() === 0 || undefined, 'outbox drained', 120_000);
      const batch = unchecked;
      unchecked = new Map();
      for (const [sid, ids] of batch) {
        const held = (await record.sessionItems(sid)).filter((s) => s.item.kind === 'reading').map((s) => s.item.id);
        const count = new Map<string, number>();
        for (const id of held) count.set(id, (count.get(id) ?? 0) + 1);
        for (const id of ids) {
          const n = count.get(id) ?? 0;
          if (n === 0) lost++;
          if (n > 1) duplicated += n - 1;
        }
      }
    };
    const transport: WsTransport = await startWsTransport({ dispatch: host.dispatch, staticDir: KIOSK_DIST, log: silentLog });
    host.on('kioskEvent', (e) => transport.broadcast(e));
    host.start();
    closers.unshift(() => transport.close(), () => host.stop());
    await until(() => host.hubLink.status === 'online' && thermometer.status().state === 'ready' && cuff.status().state === 'ready', 'booth online with its instruments', 30_000);

    const specialist = await ConsoleClient.login(hub.url, SPECIALISTS[1].email, SPECIALISTS[1].password);
    closers.unshift(() => specialist.close());
    const sender = dgram.createSocket('udp4');
    const sinkSocket = dgram.createSocket('udp4');
    let sinkBytes = 0;
    sinkSocket.on('message', (m) => (sinkBytes += m.length));
    await new Promise<void>((r) => sinkSocket.bind(0, '127.0.0.1', () => r()));
    closers.unshift(() => sender.close(), () => sinkSocket.close());
    const sink = { port: sinkSocket.address().port, bytes: () => sinkBytes };
    if (opts.realCallEvery > 0 && opts.sessions >= opts.realCallEvery) {
      browser = await launchChromium();
    }

    const d = (method: string, params: unknown = {}) => host.dispatch(method, params) as Promise<Record<string, unknown>>;
    const ui = (event: Record<string, unknown>) => d('sendEvent', { event });
    const state = () => host.view().state;
    /** A reading belongs to a measurement someone asked for (a value nobody asked for is not recorded): the pharmacist asks, the patient measures, then back to the call. */
    const measure = async (kind: 'temperature' | 'blood-pressure') => {
      const before = lastKind.get(kind) ?? 0;
      await pharmacistMeasures(host, kind);
      await until(() => (lastKind.get(kind) ?? 0) > before || undefined, () => `${kind} reading shown (session ${JSON.stringify(state())}, thermometer ${thermometer.status().state}, cuff ${cuff.status().state})`, 20_000);
      await until(() => state() === 'consultation.result' || undefined, `${kind} result on the kiosk`);
      await ui({ type: 'NEXT' });
    };
    const workerPid = (): number | null => hub.media?.pool.workers[0]?.pid ?? null;

    const samples: SoakSample[] = [];
    const sample = async (session: number) => {
      await checkRecord();
      gc?.();
      gc?.();
      const mem = process.memoryUsage();
      const pid = workerPid();
      samples.push({
        session,
        rssMiB: mem.rss / MiB,
        heapMiB: mem.heapUsed / MiB,
        fds: readdirSync('/proc/self/fd').length,
        boothDbMiB: fileMiB(boothDb),
        recordDbMiB: fileMiB(join(dir, 'hub', 'record.db')),
        workerRssMiB: pid ? procRssMiB(pid) : Number.NaN,
      });
      const s = samples.at(-1)!;
      log(`[soak] ${session} sessions: heap ${s.heapMiB.toFixed(1)} MiB, rss ${s.rssMiB.toFixed(1)} MiB, fds ${s.fds}, booth.db ${s.boothDbMiB.toFixed(2)} MiB, record.db ${s.recordDbMiB.toFixed(2)} MiB, worker rss ${s.workerRssMiB.toFixed(1)} MiB`);
    };

    const scriptedCall = async (): Promise<number> => {
      await specialist.call('queue.claim', { boothId: BOOTH });
      await until(() => state().startsWith('consultation') || undefined, 'booth in consultation');
      // The call's signaling on both sides, with real mediasoup transports, producer and consumer.
      const caps = parseMediaResult(MEDIA.capabilities, await host.media.signal(MEDIA.capabilities, {}));
      const send = parseMediaResult(MEDIA.createTransport, await host.media.signal(MEDIA.createTransport, { direction: 'send' }));
      const produced = parseMediaResult(MEDIA.produce, await host.media.signal(MEDIA.produce, {
        transportId: send.id, kind: 'video', source: 'camera',
        rtpParameters: { mid: '0', codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90_000, rtcpFeedback: [] }], encodings: [{ ssrc: 0x1000 + (clock % 100_000) }], rtcp: { cname: 'soak' } },
      }));
      const ccaps = await specialist.call<{ rtpCapabilities: unknown }>('media.capabilities', {});
      const recv = await specialist.call<{ id: string }>('media.createTransport', { direction: 'recv' });
      const consumer = await specialist.call<{ id: string }>('media.consume', { transportId: recv.id, producerId: produced.id, rtpCapabilities: ccaps.rtpCapabilities ?? caps.rtpCapabilities });
      await specialist.call('media.resumeConsumer', { consumerId: consumer.id });
      // Media through the SFU: a loopback RTP sender into the room's router.
      const room = hub.media!.service.roomOfBooth(BOOTH) as unknown as { router?: ms.Router } | undefined;
      const router = room?.router && !room.router.closed ? room.router : null;
      let bytes = 0;
      if (router) bytes = await rtpThrough(router, sender, sink);
      else {
        const own = await hub.media!.pool.createRouter();
        try { bytes = await rtpThrough(own, sender, sink); } finally { own.close(); }
      }
      await measure('temperature');
      await measure('blood-pressure');
      await measure('temperature');
      await specialist.call('room.leave', {});
      return bytes;
    };

    const realCall = async (): Promise<void> => {
      const context = await browser!.newContext();
      try {
        const kioskPage = await context.newPage();
        await kioskPage.goto(transport.url);
        const consolePage = await context.newPage();
        await signInOnConsole(consolePage, hub.url);
        const claim = consolePage.locator(`li[data-booth="${BOOTH}"] button`).first();
        await claim.waitFor({ timeout: 15_000 });
        await claim.click();
        await until(() => state().startsWith('consultation') || undefined, 'booth in consultation (real call)');
        const firstFrame = (page: typeof kioskPage) => page.waitForFunction(() => window.__cabineTimeline?.().some((s) => s.step === 'firstFrame'), undefined, { timeout: 30_000, polling: 100 });
        await Promise.all([firstFrame(kioskPage), firstFrame(consolePage)]);
        await measure('temperature');
        await measure('blood-pressure');
        await endConsultation(consolePage);
        await until(() => hub.media!.service.roomCount() === 0 || undefined, 'room closed (real call)');
      } finally {
        await context.close();
      }
    };

    /** Wrap-up to attract: whatever the step, the patient moves on (the report to the GP accepted). */
    const wrapUpToAttract = async () => {
      await until(() => !state().startsWith('consultation') || undefined, 'call ended on the booth');
      for (let step = 0; step < 20 && state() !== 'attract'; step++) {
        const s = state();
        if (s.startsWith('wrapUp.report')) await ui({ type: 'ACCEPT' });
        else if (s.startsWith('wrapUp.goodbye')) await ui({ type: 'FINISH' });
        else if (s.startsWith('wrapUp')) await ui({ type: 'NEXT' });
        else if (s.startsWith('privacyWipe')) await ui({ type: 'TOUCH' });
        else throw new Error(`unexpected state after the call: ${s}`);
      }
      if (state() !== 'attract') throw new Error(`the session did not return to attract (${state()})`);
    };

    let realCalls = 0;
    let rtpCalls = 0;
    let rtpBytes = 0;
    await sample(0);
    for (let i = 1; i <= opts.sessions; i++) {
      clock += HOUR_MS;
      await ui({ type: 'TOUCH' });
      await ui({ type: 'CHOOSE_LANGUAGE', language: i % 2 ? 'fr' : 'en' });
      await ui({ type: 'ACCEPT' });
      const login = await d('assistantLogin', { pin: PIN });
      if (!login.ok) throw new Error('assistant PIN refused');
      await d('assistantSetIdentity', { identity: { firstName: 'Patient', lastName: `Soak${i}`, birthDate: '1950-01-01' } });
      await d('assistantLogout');
      await until(() => hub.media!.service.waiting().some((b) => b.boothId === BOOTH) || undefined, `session ${i}: booth in the queue`);
      if (opts.realCallEvery > 0 && i % opts.realCallEvery === 0) {
        await realCall();
        realCalls++;
      } else {
        rtpBytes += await scriptedCall();
        rtpCalls++;
      }
      await wrapUpToAttract();
      host.purgeExpired();
      if (i % opts.sampleEvery === 0) await sample(i);
    }

    // Everything shown reached the hub's record, once; and the record holds no reading the kiosk never showed.
    await checkRecord();
    const held = (await record.boothItems(BOOTH)).filter((s) => s.item.kind === 'reading').map((s) => s.item.id);
    duplicated += held.length - new Set(held).size;
    const after = samples.filter((s) => s.session >= opts.warmup);
    const heapSlope = slope(after.map((s) => ({ x: s.session, y: s.heapMiB }))) * 100;
    const rssSlope = slope(after.map((s) => ({ x: s.session, y: s.rssMiB }))) * 100;
    const fds = after.map((s) => s.fds);
    return {
      sessions: opts.sessions,
      realCalls,
      rtpCalls,
      readingsShown: shownTotal,
      readingsInRecord: held.length,
      lost,
      duplicated,
      rtpBytesForwarded: rtpBytes,
      samples,
      heapSlopeMiBPer100: heapSlope,
      rssSlopeMiBPer100: rssSlope,
      fdSpreadAfterWarmup: fds.length ? Math.max(...fds) - Math.min(...fds) : Number.NaN,
      durationS: (Date.now() - started) / 1000,
      gcExposed: gc !== undefined,
    };
  } finally {
    await browser?.close();
    for (const c of closers) {
      try {
        await c();
      } catch {
        // best effort on the way out
      }
    }
  }
}
