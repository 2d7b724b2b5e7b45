/**
 * A stethoscope clip put together from the audio callbacks: exactly the
 * frames asked for (CLIP_SECONDS at the capture rate), copied out of the
 * buffer the callback reuses, then written as a 16-bit PCM WAV with no
 * codec in between. Pure: no browser API, so it is tested in Node.
 */
import { CabineError } from '../../../shared/errors';
import { encodeWav } from '../../../shared/wav';

export class ClipIncomplete extends CabineError {
  constructor(detail: string) {
    super('CLIP_INCOMPLETE', { fr: 'L’enregistrement n’est pas complet.', en: 'The recording is not complete.' }, { detail });
  }
}

export class PcmCollector {
  private readonly samples: Float32Array;
  private filled = 0;

  constructor(readonly sampleRate: number, seconds: number) {
    this.samples = new Float32Array(Math.round(sampleRate * seconds));
  }

  /** Takes one callback's buffer (copied: the caller may reuse it); what is past the end is dropped. */
  push(buffer: Float32Array): void {
    const n = Math.min(buffer.length, this.samples.length - this.filled);
    if (n <= 0) return;
    this.samples.set(buffer.subarray(0, n), this.filled);
    this.filled += n;
  }

  done(): boolean {
    return this.filled >= this.samples.length;
  }

  /** From 0 to 1: how much of the clip is recorded (the kiosk's and console's progress). */
  progress(): number {
    return this.filled / this.samples.length;
  }

  /** The whole clip; never a part of one. */
  pcm(): Float32Array {
    if (!this.done()) throw new ClipIncomplete(`${this.filled} of ${this.samples.length} frames`);
    return this.samples;
  }

  wav(): Uint8Array {
    return encodeWav({ sampleRate: this.sampleRate, channels: [this.pcm()] });
  }
}
