/**
 * The stethoscope's sound on the doctor's side, with the Web Audio API:
 * the received track → high-pass → low-pass (the filter mode) → gain (the
 * volume) → the speakers; and, beside it, the raw sound into the envelope
 * tracker (src/shared/heart-sound.ts) that the phonocardiogram draws and the
 * heart-rate estimate reads.
 */
import { EnvelopeTracker } from '../../../shared/heart-sound';

/** Bell: the heart's low sounds; diaphragm: the higher ones and the lungs; wide: everything a stethoscope carries. */
export const FILTER_MODES = {
  bell: { label: 'Cloche (20–200 Hz)', highpass: 20, lowpass: 200 },
  diaphragm: { label: 'Membrane (100–500 Hz)', highpass: 100, lowpass: 500 },
  wide: { label: 'Large (20–2000 Hz)', highpass: 20, lowpass: 2000 },
} as const;
export type FilterMode = keyof typeof FILTER_MODES;

export class StethoscopePlayer {
  readonly tracker: EnvelopeTracker;
  private readonly source: MediaStreamAudioSourceNode;
  private readonly highpass: BiquadFilterNode;
  private readonly lowpass: BiquadFilterNode;
  private readonly gain: GainNode;
  private readonly tap: ScriptProcessorNode;
  private readonly silent: GainNode;
  /** NOTE: Chromium gives Web Audio silence from a remote WebRTC track unless a media element also plays it (muted here). */
  private readonly element: HTMLAudioElement;
  /** The raw sound's RMS over the last block (0..1). */
  level = 0;
  private recording: { blocks: Float32Array[]; want: number; got: number; done: (samples: Float32Array) => void } | null = null;

  constructor(readonly ctx: AudioContext, track: MediaStreamTrack, mode: FilterMode, volume: number) {
    const stream = new MediaStream([track]);
    this.element = new Audio();
    this.element.muted = true;
    this.element.srcObject = stream;
    this.element.play().catch(() => undefined);
    this.source = ctx.createMediaStreamSource(stream);
    this.highpass = ctx.createBiquadFilter();
    this.highpass.type = 'highpass';
    this.lowpass = ctx.createBiquadFilter();
    this.lowpass.type = 'lowpass';
    this.gain = ctx.createGain();
    this.source.connect(this.highpass).connect(this.lowpass).connect(this.gain).connect(ctx.destination);
    this.tracker = new EnvelopeTracker(ctx.sampleRate, 8);
    // NOTE: a ScriptProcessor (deprecated, still in every Chromium) hands over every sample without a worklet module to serve.
    this.tap = ctx.createScriptProcessor(2048, 1, 1);
    this.tap.onaudioprocess = (e) => {
      const block = e.inputBuffer.getChannelData(0);
      this.tracker.push(block);
      let sum = 0;
      for (const x of block) sum += x * x;
      this.level = Math.sqrt(sum / block.length);
      const r = this.recording;
      if (r) {
        r.blocks.push(Float32Array.from(block));
        r.got += block.length;
        if (r.got >= r.want) {
          this.recording = null;
          const out = new Float32Array(r.want);
          let at = 0;
          for (const b of r.blocks) {
            out.set(b.subarray(0, Math.min(b.length, r.want - at)), at);
            at += b.length;
            if (at >= r.want) break;
          }
          r.done(out);
        }
      }
    };
    this.silent = ctx.createGain();
    this.silent.gain.value = 0;
    this.source.connect(this.tap).connect(this.silent).connect(ctx.destination);
    this.setMode(mode);
    this.setVolume(volume);
  }

  /** The next `seconds` of the received sound, unfiltered (what the fidelity bench compares with the source). */
  record(seconds: number): Promise<Float32Array> {
    return new Promise((done) => {
      this.recording = { blocks: [], want: Math.round(seconds * this.ctx.sampleRate), got: 0, done };
    });
  }

  setMode(mode: FilterMode): void {
    this.highpass.frequency.value = FILTER_MODES[mode].highpass;
    this.lowpass.frequency.value = FILTER_MODES[mode].lowpass;
  }

  setVolume(volume: number): void {
    this.gain.gain.value = volume;
  }

  stop(): void {
    this.tap.onaudioprocess = null;
    for (const node of [this.source, this.highpass, this.lowpass, this.gain, this.tap, this.silent]) node.disconnect();
    this.element.srcObject = null;
  }
}

/**
 * A recorded clip (a case's WAV in an <audio controls> element) through the
 * same filters as the live listening: element → high-pass → low-pass →
 * the speakers. Built on the first play (a user gesture: browsers start
 * audio contexts only then); once built, the element plays only through it.
 */
export class ClipFilter {
  private readonly highpass: BiquadFilterNode;
  private readonly lowpass: BiquadFilterNode;
  private readonly source: MediaElementAudioSourceNode;

  constructor(readonly ctx: AudioContext, element: HTMLMediaElement, mode: FilterMode) {
    this.source = ctx.createMediaElementSource(element);
    this.highpass = ctx.createBiquadFilter();
    this.highpass.type = 'highpass';
    this.lowpass = ctx.createBiquadFilter();
    this.lowpass.type = 'lowpass';
    this.source.connect(this.highpass).connect(this.lowpass).connect(ctx.destination);
    this.setMode(mode);
  }

  setMode(mode: FilterMode): void {
    this.highpass.frequency.value = FILTER_MODES[mode].highpass;
    this.lowpass.frequency.value = FILTER_MODES[mode].lowpass;
  }

  close(): void {
    for (const node of [this.source, this.highpass, this.lowpass]) node.disconnect();
    void this.ctx.close().catch(() => undefined);
  }
}
