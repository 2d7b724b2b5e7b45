/**
 * What one direction of the call's line can carry, and which video layers
 * to ask for: pure, so the decisions are tested on sequences of samples
 * (browser code; MediaSession feeds it the browser's own statistics).
 *
 * Each sample (one stats interval, 2 s) is judged 'carries', 'strained' or
 * 'cannot'; the line's state moves only after a run of agreeing samples,
 * and the way back is slower and stricter than the way down (hysteresis),
 * so an estimate that swings does not make the picture come and go:
 * - good → degraded after 2 samples that are not 'carries';
 * - any → audioOnly after 2 'cannot' in a row;
 * - audioOnly → degraded after 2 samples in a row that are not 'cannot'
 *   (measured on the smallest layer, which keeps flowing as a probe at a
 *   trickle: a few frames per second is all it can show);
 * - degraded → good after 3 'carries' in a row.
 * Thresholds: video breaks beyond ~6 % loss (audio with in-band FEC holds
 * well past it) or a 1.5 s round trip; under 12 frames/s, 2 % loss, a
 * 400 ms round trip or a 300 kbit/s estimate (the middle layer beside the
 * audio) the picture is strained. Frames and the estimate never say
 * 'cannot' alone (see THRESHOLDS.cannot).
 */

export { parseLayers } from '../shared/media-protocol';

export type LineState = 'good' | 'degraded' | 'audioOnly';
export type Verdict = 'carries' | 'strained' | 'cannot';

/** One direction over one interval. */
export interface DirectionSample {
  /** Frames per second of the camera's video that way; null when no video flows (the camera is off). */
  fps: number | null;
  /** Share of packets lost over the interval (0..1). */
  loss: number;
  /** Round trip (ms); null when unknown. */
  rttMs: number | null;
  /** The bandwidth estimate that way (kbit/s); null when the browser gives none. */
  estimateKbps: number | null;
}

export const THRESHOLDS = {
  // Only the line itself says 'cannot': loss, or a round trip no conversation survives. The estimate climbs back slowly after a trickle
  // (the sender was app-limited), and few frames may be a busy processor rather than the line: both only strain.
  cannot: { lossAtLeast: 0.06, rttAboveMs: 1500 },
  strained: { fpsBelow: 12, lossAtLeast: 0.02, rttAboveMs: 400, estimateBelowKbps: 300 },
  downAfter: 2,
  /** From audio-only back to degraded: video back within ~5 s of the line's recovery (the goal: 10 s). */
  probeUpAfter: 2,
  upAfter: 3,
} as const;

const readable = (n: number | null, max: number): boolean => n === null || (Number.isFinite(n) && n >= 0 && n <= max);

/** Whether a sample can be judged at all (a browser's stats may hold NaN, or a counter that went backwards). */
export function isReadable(s: DirectionSample): boolean {
  return readable(s.fps, 500) && readable(s.loss, 1) && readable(s.rttMs, 60_000) && readable(s.estimateKbps, 10_000_000);
}

export function verdictOf(s: DirectionSample): Verdict {
  const c = THRESHOLDS.cannot;
  if (s.loss >= c.lossAtLeast || (s.rttMs !== null && s.rttMs > c.rttAboveMs)) return 'cannot';
  const st = THRESHOLDS.strained;
  if ((s.fps !== null && s.fps < st.fpsBelow) || s.loss >= st.lossAtLeast || (s.rttMs !== null && s.rttMs > st.rttAboveMs) || (s.estimateKbps !== null && s.estimateKbps < st.estimateBelowKbps)) return 'strained';
  return 'carries';
}

/** One direction's state, moved by runs of samples (see the file's comment). */
export class LineJudge {
  private current: LineState = 'good';
  /** Consecutive samples of each kind, up to now. */
  private cannot = 0;
  private notCarrying = 0;
  private carrying = 0;
  /** From audio-only: samples in a row where the smallest layer, the probe, got through (anything but 'cannot'). */
  private probing = 0;

  get state(): LineState {
    return this.current;
  }

  next(sample: DirectionSample): LineState {
    // An unreadable sample is no news: it neither counts nor breaks a run.
    if (!isReadable(sample)) return this.current;
    const v = verdictOf(sample);
    this.cannot = v === 'cannot' ? this.cannot + 1 : 0;
    this.notCarrying = v === 'carries' ? 0 : this.notCarrying + 1;
    this.carrying = v === 'carries' ? this.carrying + 1 : 0;
    this.probing = v === 'cannot' ? 0 : this.probing + 1;
    const { downAfter, upAfter, probeUpAfter } = THRESHOLDS;
    if (this.cannot >= downAfter) this.move('audioOnly');
    else if (this.current === 'good' && this.notCarrying >= downAfter) this.move('degraded');
    else if (this.current === 'audioOnly' && this.probing >= probeUpAfter) this.move('degraded');
    else if (this.current === 'degraded' && this.carrying >= upAfter) this.move('good');
    return this.current;
  }

  private move(to: LineState): void {
    if (to === this.current) return;
    this.current = to;
    // A new state starts its own runs: the way back needs a full run of its own.
    this.cannot = 0;
    this.notCarrying = 0;
    this.carrying = 0;
    this.probing = 0;
  }
}

/** Rough bitrate of each simulcast layer (kbit/s), smallest first: what session.ts asks the encoder for. */
export const LAYER_KBPS = [150, 500, 1200] as const;

export interface LayerChoice {
  spatialLayer: number;
  temporalLayer: number;
}

/**
 * The layers a video element asks for: the smallest spatial layer at least
 * as tall as the element (the top one for a larger element), no more than
 * the bandwidth estimate carries, and the smallest on an audio-only line —
 * it keeps flowing, hidden, so the
 * judge sees when the line carries video again. Full frame rate always: the
 * face keeps its movement (maintain-framerate) and the temporal layers
 * matter only to the SFU's own bandwidth-driven choice. A degraded line is
 * left to that choice too: measured through the relay, capping it there
 * made the layers switch back and forth, each switch waiting for a key
 * frame (a freeze).
 */
export function chooseLayers(opts: { viewHeight: number; layerHeights: number[]; temporalLayers: number; state: LineState; estimateKbps?: number | null }): LayerChoice {
  const top = Math.max(0, opts.layerHeights.length - 1);
  const temporalLayer = Math.max(0, opts.temporalLayers - 1);
  if (opts.state === 'audioOnly') return { spatialLayer: 0, temporalLayer };
  let spatial = opts.layerHeights.findIndex((h) => h >= opts.viewHeight);
  if (spatial < 0) spatial = top;
  if (opts.estimateKbps != null) {
    let fits = 0;
    for (let i = 0; i <= top; i++) if ((LAYER_KBPS[i] ?? Infinity) <= opts.estimateKbps * 0.85) fits = i;
    spatial = Math.min(spatial, fits);
  }
  return { spatialLayer: Math.min(spatial, top), temporalLayer };
}
