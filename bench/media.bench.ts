/**
 * Media figures (DESIGN §9):
 * 1. Call set-up: from the specialist's claim to the first decoded video
 *    frame on BOTH sides, over N real calls between two Chromium pages (kiosk
 *    through its host, console direct) via the real hub and mediasoup worker.
 *    Baseline in the same run: claim → the booth host hearing `queue.claimed`
 *    (signaling alone).
 * 2. SFU cost per consumer: CPU and RSS of one worker forwarding one real
 *    RTP stream (VP8-shaped, ~300 kbps, 30 packets/s, sent by this process
 *    over loopback UDP into a PlainTransport producer) to N consumers on
 *    PlainTransports that send to a loopback sink socket here. Baseline: the
 *    same worker with the producer and no consumer. Beside it, mediasoup's
 *    own guidance of roughly 500 consumers per worker (one CPU core).
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import { testConfig } from '../tests/helpers/config';
import { launchChromium } from '../tests/helpers/chromium';
import { BOOTH_SECRETS, ensureRenderersBuilt, startTestHub } from '../tests/helpers/hub';
import { startKioskHost } from '../tests/helpers/kiosk';
import { cheapPinHash } from '../tests/resilience/support/clients';
import { MEDIA_CODECS } from '../src/hub/media/workers';
import { percentile, type BenchResult } from './types';
import { vp8RtpPacket } from './rtp';
import { endConsultation, signInOnConsole } from '../tests/helpers/console-page';

const CALLS = Number(process.env.BENCH_MEDIA_CALLS ?? 20);
const CONSUMER_STEPS = [0, 50, 100, 250, 500];
const BITRATE_KBPS = 300;
const PACKETS_PER_SECOND = 30;
const MEASURE_MS = 5000;

async function callSetup(): Promise<BenchResult[]> {
  ensureRenderersBuilt();
  const hub = await startTestHub();
  const kiosk = await startKioskHost(testConfig({ boothId: 'demo-booth-1', hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRETS['demo-booth-1'] }, assistant: { pinHash: cheapPinHash('482193'), maxTries: 5, lockoutMinutes: 5 } }));
  // The kiosk shows the call only in a consultation: each call starts with a patient walked to the waiting room.
  const d = (method: string, params: unknown = {}) => kiosk.host.dispatch(method, params);
  const toWaitingRoom = async (): Promise<void> => {
    for (const event of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }]) await d('sendEvent', { event });
    await d('assistantLogin', { pin: '482193' });
    await d('assistantSetIdentity', { identity: { firstName: 'Jeanne', lastName: 'Bench', birthDate: '1950-01-01' } });
    await d('assistantLogout');
  };
  const backToAttract = async (): Promise<void> => {
    for (let i = 0; i < 20 && kiosk.host.view().state !== 'attract'; i++) {
      const s = kiosk.host.view().state;
      if (s.startsWith('consultation')) await new Promise((r) => setTimeout(r, 20));
      else await d('sendEvent', { event: { type: s.startsWith('wrapUp.report') ? 'ACCEPT' : s.startsWith('wrapUp.goodbye') ? 'FINISH' : s.startsWith('privacyWipe') ? 'TOUCH' : 'NEXT' } });
    }
  };
  const browser = await launchChromium();
  const setup: number[] = [];
  const signaling: number[] = [];
  try {
    while (kiosk.host.hubLink.status !== 'online') await new Promise((r) => setTimeout(r, 20));
    const kioskPage = await browser.newPage();
    await kioskPage.goto(kiosk.transport.url);
    const consolePage = await browser.newPage();
    await signInOnConsole(consolePage, hub.url);
    await consolePage.getByText('Salle d’attente').waitFor();
    for (let i = 0; i < CALLS; i++) {
      await toWaitingRoom();
      const claimButton = consolePage.locator('li[data-booth="demo-booth-1"] button');
      await claimButton.waitFor();
      let claimedAt = 0;
      const heard = new Promise<void>((resolve) => {
        const on = (m: string): void => {
          if (m !== 'queue.claimed') return;
          claimedAt = performance.now();
          kiosk.host.hubLink.off('note', on);
          resolve();
        };
        kiosk.host.hubLink.on('note', on);
      });
      const t0 = performance.now();
      const claimEpoch = performance.timeOrigin + t0;
      await claimButton.click();
      await heard;
      signaling.push(claimedAt - t0);
      // Each page marks its first decoded frame itself (epoch ms); no polling error in the figure.
      const firstFrame = async (page: typeof kioskPage): Promise<number> => {
        const handle = await page.waitForFunction(() => window.__cabineTimeline?.().find((s) => s.step === 'firstFrame')?.at, undefined, { timeout: 15_000, polling: 50 });
        return (await handle.jsonValue()) as number;
      };
      const [k, c] = await Promise.all([firstFrame(kioskPage), firstFrame(consolePage)]);
      setup.push(Math.max(k, c) - claimEpoch);
      if (process.env.BENCH_MEDIA_TRACE) {
        for (const [name, page] of [['kiosk', kioskPage], ['console', consolePage]] as const) {
          const steps = await page.evaluate(() => window.__cabineTimeline?.() ?? []);
          console.error(`call ${i} ${name}: ${steps.map((s) => `${s.step}@${Math.round(s.at - claimEpoch)}`).join(' ')}`);
        }
      }
      await endConsultation(consolePage);
      while (hub.media!.service.roomCount() > 0) await new Promise((r) => setTimeout(r, 20));
      await kioskPage.locator('.video-area').waitFor({ state: 'detached' });
      await backToAttract();
      // The console shows its wrap-up after a call; the specialist goes back to the waiting room.
      const back = consolePage.getByRole('button', { name: 'Retour à la salle d’attente' });
      if (await back.isVisible()) await back.click();
    }
  } finally {
    await browser.close();
    await kiosk.close();
    await hub.close();
  }
  const note = `${setup.length} calls; each page marks its own first decoded frame (stats checked every 10 ms); budget 400 ms`;
  return [
    { area: 'media', name: 'claim → first decoded frame on both sides, p50', value: percentile(setup, 50), unit: 'ms', baseline: { name: 'claim → booth hears queue.claimed, p50', value: percentile(signaling, 50) }, note },
    { area: 'media', name: 'claim → first decoded frame on both sides, p95', value: percentile(setup, 95), unit: 'ms', baseline: { name: 'claim → booth hears queue.claimed, p95', value: percentile(signaling, 95) }, note },
  ];
}

function workerRss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function sfuCost(): Promise<BenchResult[]> {
  const worker = await mediasoup.createWorker({ logLevel: 'error' });
  const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
  const ingress = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
  const ssrc = 0x1234abcd;
  const producer = await ingress.produce({
    kind: 'video',
    rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90_000 }], encodings: [{ ssrc }] },
  });
  const sender = dgram.createSocket('udp4');
  const sink = dgram.createSocket('udp4');
  let sinkBytes = 0;
  sink.on('message', (m) => (sinkBytes += m.length));
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
  // A large receive buffer, so the sink (not the worker) is never what drops packets.
  sink.setRecvBufferSize(32 * 1024 * 1024);
  const sinkPort = sink.address().port;
  const packetBytes = Math.round((BITRATE_KBPS * 1000) / 8 / PACKETS_PER_SECOND);
  let seq = 0;
  const timer = setInterval(() => {
    const pkt = vp8RtpPacket(seq, seq * (90_000 / PACKETS_PER_SECOND), ssrc, seq % PACKETS_PER_SECOND === 0, packetBytes);
    seq++;
    sender.send(pkt, ingress.tuple.localPort, '127.0.0.1');
  }, 1000 / PACKETS_PER_SECOND);

  const consumers: { t: ms.PlainTransport; c: ms.Consumer }[] = [];
  const results: BenchResult[] = [];
  let baseline: { cpu: number; rss: number } | null = null;
  try {
    for (const n of CONSUMER_STEPS) {
      while (consumers.length < n) {
        const t = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1', portRange: { min: 42000, max: 43999 } }, rtcpMux: true, comedia: false });
        await t.connect({ ip: '127.0.0.1', port: sinkPort });
        const c = await t.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
        consumers.push({ t, c });
      }
      // Let every consumer see a key frame and settle.
      await new Promise((r) => setTimeout(r, 1500));
      const u0 = await worker.getResourceUsage();
      const b0 = sinkBytes;
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, MEASURE_MS));
      const u1 = await worker.getResourceUsage();
      const elapsed = performance.now() - t0;
      const cpu = ((u1.ru_utime + u1.ru_stime - u0.ru_utime - u0.ru_stime) / elapsed) * 100;
      const rss = workerRss(worker.pid);
      const deliveredKbps = n > 0 ? ((sinkBytes - b0) * 8) / (elapsed / 1000) / 1000 / n : 0;
      if (n === 0) {
        baseline = { cpu, rss };
        continue;
      }
      const note = `${n} consumers × ${BITRATE_KBPS} kbps VP8-shaped RTP; delivered ${deliveredKbps.toFixed(0)} kbps per consumer; mediasoup's guidance ≈ 500 consumers per worker (one core)`;
      results.push(
        { area: 'media', name: `worker CPU, ${n} consumers`, value: cpu, unit: '% of one core', baseline: { name: 'worker CPU, producer only', value: baseline!.cpu }, note },
        { area: 'media', name: `worker RSS, ${n} consumers`, value: rss, unit: 'MiB', baseline: { name: 'worker RSS, producer only', value: baseline!.rss }, note },
      );
      if (n === CONSUMER_STEPS.at(-1)) {
        results.push({ area: 'media', name: `worker CPU per consumer (at ${n})`, value: (cpu - baseline!.cpu) / n, unit: '% of one core', baseline: { name: 'one core / 500 consumers (mediasoup guidance)', value: 100 / 500 }, note });
      }
    }
  } finally {
    clearInterval(timer);
    sender.close();
    sink.close();
    worker.close();
  }
  return results;
}

export async function run(): Promise<BenchResult[]> {
  // BENCH_MEDIA_ONLY=calls|sfu runs one half.
  const only = process.env.BENCH_MEDIA_ONLY;
  const sfu = only === 'calls' ? [] : await sfuCost();
  const calls = only === 'sfu' ? [] : await callSetup();
  return [...calls, ...sfu];
}

if (process.argv[1]?.endsWith('media.bench.ts')) {
  const rows = await run();
  for (const r of rows) console.log(`${r.name}: ${r.value.toFixed(2)} ${r.unit}${r.baseline ? ` (baseline ${r.baseline.name}: ${r.baseline.value.toFixed(2)})` : ''}${r.note ? ` — ${r.note}` : ''}`);
}
