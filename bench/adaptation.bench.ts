/**
 * Calls on a pharmacy's real lines (issue: calls that hold): a kiosk and a
 * console in a call whose media crosses the impairment relay
 * (tests/helpers/net-relay.ts), through five profiles on the booth's line,
 * both directions (its upload and its download) — fibre, rural ADSL, weak
 * 4G, bad, and a 5 s outage — each for a short window, the doctor on a
 * clean line; then rural ADSL at both ends, for information. Per profile, from the browsers' own statistics (both
 * pages, each receiving the other's camera and voice): audio concealment,
 * video freezes, frame rate and height received; after the bad profile and
 * after the outage, how long until both sides decode again (and, with
 * adaptation, until neither says the video is suspended). The same run is
 * made with adaptation on, and with it off (the page's
 * `__cabineAdaptation = false`: one stream per camera, no priorities, no
 * judge acting) as the baseline.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../tests/helpers/chromium';
import { endConsultation } from '../tests/helpers/console-page';
import { ensureRenderersBuilt } from '../tests/helpers/hub';
import { RELAY_BROWSER_ARGS, selectedPairs, startRelayedCall, startRelayedHub, type RelayedCall, type RelayedHub } from '../tests/helpers/net-call';
import { line, type LineName } from '../tests/helpers/net-profiles';
import type { NetProfile } from '../tests/helpers/net-relay';
import { decodeWav, encodeWav } from '../src/shared/wav';
import type { BenchResult } from './types';

const WINDOW_MS = Number(process.env.BENCH_LINE_SECONDS ?? 25) * 1000;
const SETTLE_MS = 6000;
const OUTAGE_MS = 5000;
const RECOVERY_CAP_MS = 30_000;

interface Received {
  concealed: number;
  samples: number;
  freezes: number;
  freezeSeconds: number;
  frames: number;
  height: number;
  at: number;
}

/** What the page received so far, summed over its peer connections (inbound audio and video). */
function received(page: Page): Promise<Received> {
  return page.evaluate(async () => {
    const r = { concealed: 0, samples: 0, freezes: 0, freezeSeconds: 0, frames: 0, height: 0, at: performance.now() };
    for (const pc of window.__peerConnections ?? []) {
      if (pc.connectionState === 'closed') continue;
      // No named helpers in here: the bench runs under tsx, whose names do not exist in the page.
      (await pc.getStats()).forEach((s: { type: string; kind?: string; concealedSamples?: number; totalSamplesReceived?: number; freezeCount?: number; totalFreezesDuration?: number; framesDecoded?: number; frameHeight?: number }) => {
        if (s.type !== 'inbound-rtp') return;
        if (s.kind === 'audio') {
          r.concealed += s.concealedSamples ?? 0;
          r.samples += s.totalSamplesReceived ?? 0;
        } else {
          r.freezes += s.freezeCount ?? 0;
          r.freezeSeconds += s.totalFreezesDuration ?? 0;
          r.frames += s.framesDecoded ?? 0;
          r.height = Math.max(r.height, s.frameHeight ?? 0);
        }
      });
    }
    return r;
  });
}

interface Window2 { concealment: number; freezes: number; freezeSeconds: number; fps: number; height: number }

/** The window's figures, the worse of the two directions. */
function windowOf(a: [Received, Received], b: [Received, Received]): Window2 {
  const each = [0, 1].map((i) => {
    const x = a[i]!;
    const y = b[i]!;
    const dt = (y.at - x.at) / 1000;
    const samples = y.samples - x.samples;
    return {
      concealment: samples > 0 ? (y.concealed - x.concealed) / samples : 1,
      freezes: y.freezes - x.freezes,
      freezeSeconds: y.freezeSeconds - x.freezeSeconds,
      fps: dt > 0 ? (y.frames - x.frames) / dt : 0,
      height: y.height,
    };
  });
  return {
    concealment: Math.max(...each.map((e) => e.concealment)),
    freezes: Math.max(...each.map((e) => e.freezes)),
    freezeSeconds: Math.max(...each.map((e) => e.freezeSeconds)),
    fps: Math.min(...each.map((e) => e.fps)),
    height: Math.min(...each.map((e) => e.height)),
  };
}

const both = (call: RelayedCall): Promise<[Received, Received]> => Promise.all([received(call.kioskPage), received(call.consolePage)]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const suspended = (page: Page): Promise<boolean> => page.evaluate(() => window.__cabineLine?.().videoSuspended ?? false);

/** Time (ms) from now until both pages decode new frames (and, if `calm`, neither says the video is suspended); the cap if never. */
async function recovery(call: RelayedCall, calm: boolean): Promise<number> {
  const t0 = performance.now();
  let last = await both(call);
  while (performance.now() - t0 < RECOVERY_CAP_MS) {
    await sleep(100);
    const now = await both(call);
    const decoding = now.every((r, i) => r.frames > last[i]!.frames);
    last = now;
    if (decoding && (!calm || !((await suspended(call.kioskPage)) || (await suspended(call.consolePage))))) return performance.now() - t0;
  }
  return RECOVERY_CAP_MS;
}

interface Measured { windows: Partial<Record<LineName, Window2>>; outage: Window2 & { recoverMs: number }; badRecoverMs: number; suspendedSeen: boolean; ruralBothEnds: Window2 }

/**
 * The booth's line: the profile applies to the SFU ports the kiosk's own
 * connections use (read from its browser's selected pairs, again at every
 * call since a reconnection may open new ones); the doctor's media crosses
 * the relay clean, as from a clinician's wired line. `bothEnds`: everyone
 * on the profile (every port).
 */
async function onLine(net: RelayedHub, call: RelayedCall, profile: NetProfile, bothEnds = false): Promise<void> {
  if (bothEnds) return net.relay.setProfile(profile);
  const ports = (await selectedPairs(call.kioskPage)).map((p) => p.remotePort);
  net.relay.setProfile(profile, { ports });
}

/** The booth's line on `profile` for `ms`, its ports followed; true if either side said the video was suspended. */
async function hold(net: RelayedHub, call: RelayedCall, profile: NetProfile, ms: number, bothEnds = false): Promise<boolean> {
  let suspendedSeen = false;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    await onLine(net, call, profile, bothEnds);
    await sleep(1000);
    if ((await suspended(call.kioskPage)) || (await suspended(call.consolePage))) suspendedSeen = true;
  }
  return suspendedSeen;
}

async function measure(browser: Browser, net: RelayedHub, adaptive: boolean): Promise<Measured> {
  net.relay.setProfile({});
  const call = await startRelayedCall(browser, net.hub, mkdtempSync(join(tmpdir(), 'bench-lines-')), adaptive ? 'demo-booth-1' : 'demo-booth-2', async (page) => {
    if (!adaptive) await page.addInitScript(() => { window.__cabineAdaptation = false; });
  });
  const windows: Measured['windows'] = {};
  let suspendedSeen = false;
  let badRecoverMs = RECOVERY_CAP_MS;
  try {
    await sleep(SETTLE_MS);
    for (const name of ['fibre', 'ruralAdsl', 'weak4g', 'bad'] as const) {
      await hold(net, call, line(name), SETTLE_MS);
      const start = await both(call);
      const seen = await hold(net, call, line(name), WINDOW_MS);
      if (name === 'bad') suspendedSeen = seen;
      windows[name] = windowOf(start, await both(call));
      if (name === 'bad') {
        await onLine(net, call, line('fibre'));
        badRecoverMs = await recovery(call, adaptive);
      } else {
        net.relay.setProfile({});
        await sleep(2000);
      }
    }
    // Both ends on rural ADSL (the doctor too): each direction crosses two lossy lines.
    await hold(net, call, line('ruralAdsl'), SETTLE_MS, true);
    const bothStart = await both(call);
    await hold(net, call, line('ruralAdsl'), WINDOW_MS, true);
    const ruralBothEnds = windowOf(bothStart, await both(call));
    // The outage: the booth's line on fibre, then 5 s of nothing, mid-call.
    await hold(net, call, line('fibre'), SETTLE_MS * 2);
    const start = await both(call);
    net.relay.cut();
    await sleep(OUTAGE_MS);
    net.relay.restore();
    const recoverMs = await recovery(call, false);
    await sleep(Math.max(0, WINDOW_MS - OUTAGE_MS - recoverMs));
    return { windows, outage: { ...windowOf(start, await both(call)), recoverMs }, badRecoverMs, suspendedSeen, ruralBothEnds };
  } finally {
    // The doctor ends the consultation: free for the next call (the baseline's).
    net.relay.setProfile({});
    await endConsultation(call.consolePage).catch(() => undefined);
    for (let i = 0; i < 100 && net.hub.media!.service.roomCount() > 0; i++) await sleep(100);
    await call.close();
  }
}

const LABEL: Record<LineName, string> = { fibre: 'fibre (20 ms)', ruralAdsl: 'rural ADSL (1 Mb/s up, 8 down, 40 ms, 1 % loss)', weak4g: 'weak 4G (600 kb/s, 120±40 ms, 3 % loss)', bad: 'bad (300 kb/s, 300 ms, 8 % bursty loss)' };
const GOALS: Partial<Record<LineName, { concealment?: number; freezes?: number; fps?: number }>> = {
  ruralAdsl: { concealment: 0.01, freezes: 0 },
  weak4g: { concealment: 0.03, fps: 10 },
  bad: { concealment: 0.05 },
};

/**
 * What the microphones say: the kiosk's own French guidance, one prompt
 * after another (speech, as in a consultation; Chromium's default fake
 * microphone is a beep, which Opus codes as music, where its in-band FEC
 * does not apply). Chromium loops the file.
 */
function speechWav(dir: string): string {
  const folder = join(process.cwd(), 'src/renderer/kiosk/public/audio/fr');
  const prompts = readdirSync(folder).filter((f) => f.startsWith('guide.') && f.endsWith('.wav')).sort().map((f) => decodeWav(readFileSync(join(folder, f))));
  const first = prompts[0];
  if (!first) throw new Error(`no spoken guidance in ${folder}: run npm run build`);
  const same = prompts.filter((p) => p.sampleRate === first.sampleRate && p.channels.length === 1);
  const mono = new Float32Array(same.reduce((n, p) => n + p.channels[0]!.length, 0));
  let at = 0;
  for (const p of same) {
    mono.set(p.channels[0]!, at);
    at += p.channels[0]!.length;
  }
  const path = join(dir, 'speech.wav');
  writeFileSync(path, encodeWav({ sampleRate: first.sampleRate, channels: [mono] }));
  return path;
}

export async function run(): Promise<BenchResult[]> {
  ensureRenderersBuilt();
  const net = await startRelayedHub();
  const speech = speechWav(mkdtempSync(join(tmpdir(), 'bench-speech-')));
  const browser = await launchChromium({ args: [...RELAY_BROWSER_ARGS, `--use-file-for-fake-audio-capture=${speech}`] });
  let on: Measured;
  let off: Measured;
  try {
    on = await measure(browser, net, true);
    process.stderr.write(`  adaptation on: ${JSON.stringify(on)}\n`);
    off = await measure(browser, net, false);
    process.stderr.write(`  adaptation off: ${JSON.stringify(off)}\n`);
  } finally {
    await browser.close();
    await net.close();
  }
  const out: BenchResult[] = [];
  const row = (name: string, unit: string, value: number, base: number, note?: string): void => {
    out.push({ area: 'lines', name, value, unit, baseline: { name: 'adaptation off, same profile', value: base }, ...(note ? { note } : {}) });
  };
  const verdict = (ok: boolean, goal: string): string => `${ok ? 'goal met' : 'GOAL MISSED'}: ${goal}`;
  for (const name of ['fibre', 'ruralAdsl', 'weak4g', 'bad'] as const) {
    const a = on.windows[name]!;
    const b = off.windows[name]!;
    const g = GOALS[name] ?? {};
    row(`${LABEL[name]}: audio concealed`, '%', a.concealment * 100, b.concealment * 100, g.concealment !== undefined ? verdict(a.concealment < g.concealment, `< ${g.concealment * 100} %`) : undefined);
    row(`${LABEL[name]}: video freezes`, 'count', a.freezes, b.freezes, g.freezes !== undefined ? verdict(a.freezes <= g.freezes, 'no freeze') : undefined);
    row(`${LABEL[name]}: total freeze time`, 's', a.freezeSeconds, b.freezeSeconds);
    row(`${LABEL[name]}: video frame rate received`, 'fps', a.fps, b.fps, g.fps !== undefined ? verdict(a.fps >= g.fps, `≥ ${g.fps} fps`) : name === 'bad' ? 'audio-only allowed' : undefined);
    row(`${LABEL[name]}: video height received`, 'px', a.height, b.height);
  }
  const rb = [on.ruralBothEnds, off.ruralBothEnds] as const;
  row('rural ADSL at both ends (the doctor too): audio concealed', '%', rb[0].concealment * 100, rb[1].concealment * 100, 'for information: two lossy lines per direction');
  row('rural ADSL at both ends (the doctor too): video freezes', 'count', rb[0].freezes, rb[1].freezes, 'for information');
  row('bad: video suspended (audio-only) seen', 'yes=1', on.suspendedSeen ? 1 : 0, off.suspendedSeen ? 1 : 0);
  row('bad → fibre: video back on both sides', 'ms', on.badRecoverMs, off.badRecoverMs, verdict(on.badRecoverMs <= 10_000, '≤ 10 s'));
  row('outage 5 s: both sides decoding again after the line returns', 'ms', on.outage.recoverMs, off.outage.recoverMs, verdict(on.outage.recoverMs <= 3000, '≤ 3 s'));
  row('outage 5 s: video freezes', 'count', on.outage.freezes, off.outage.freezes);
  row('outage 5 s: audio concealed (window incl. outage)', '%', on.outage.concealment * 100, off.outage.concealment * 100);
  return out;
}
