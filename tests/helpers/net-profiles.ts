/**
 * The lines a pharmacy's booth may sit on, as impairment relay profiles
 * (./net-relay.ts): what the adaptation e2e and the media bench put between
 * the browsers and the SFU. 'up' is the browser's upload.
 */
import type { LineProfile, NetProfile } from './net-relay';

/**
 * Bursty loss of mean `share` in bursts of ~3 packets (Gilbert–Elliott:
 * stationary share of the bad state p / (p + r), mean burst 1 / r).
 */
export function burstyLoss(share: number, meanBurst = 3.3): NonNullable<LineProfile['burst']> {
  const leaveBad = 1 / meanBurst;
  return { enterBad: (share * leaveBad) / (1 - share), leaveBad };
}

export const LINES = {
  fibre: { up: { delayMs: 20 }, down: { delayMs: 20 } },
  ruralAdsl: { up: { rateKbps: 1000, delayMs: 40, loss: 0.01, queueBytes: 32_000 }, down: { rateKbps: 8000, delayMs: 40, loss: 0.01, queueBytes: 128_000 } },
  weak4g: { up: { rateKbps: 600, delayMs: 120, jitterMs: 40, loss: 0.03, queueBytes: 24_000 }, down: { rateKbps: 600, delayMs: 120, jitterMs: 40, loss: 0.03, queueBytes: 24_000 } },
  bad: { up: { rateKbps: 300, delayMs: 300, burst: burstyLoss(0.08), queueBytes: 16_000 }, down: { rateKbps: 300, delayMs: 300, burst: burstyLoss(0.08), queueBytes: 16_000 } },
} as const satisfies Record<string, NetProfile>;

export type LineName = keyof typeof LINES;

/** A copy the relay may keep (its profiles are plain objects). */
export function line(name: LineName): NetProfile {
  const p = LINES[name];
  return { up: { ...p.up }, down: { ...p.down } };
}
