/**
 * PCM WAV (RIFF, format 1, 16-bit little-endian), written and read without
 * any codec: a stethoscope clip recorded at the booth, the simulators' heart
 * sounds fed to the browser, and the bench's comparison of what was sent
 * with what arrived all use this one format. Pure: runs in Node and in the
 * renderers.
 */
import { CabineError } from './errors';

export class WavError extends CabineError {
  constructor(code: 'WAV_TRUNCATED' | 'WAV_NOT_RIFF' | 'WAV_UNSUPPORTED' | 'WAV_NO_DATA', detail: string) {
    super(code, { fr: 'Cet enregistrement sonore est illisible.', en: 'This sound recording cannot be read.' }, { detail });
  }
}

export interface Pcm {
  readonly sampleRate: number;
  /** One array per channel, samples in [-1, 1]. */
  readonly channels: readonly Float32Array[];
}

const HEADER_BYTES = 44;

/** Encodes channels of equal length as 16-bit PCM WAV (samples clipped to [-1, 1]). */
export function encodeWav({ sampleRate, channels }: Pcm): Uint8Array {
  if (channels.length === 0) throw new WavError('WAV_NO_DATA', 'a WAV needs at least one channel');
  const frames = channels[0]!.length;
  if (channels.some((c) => c.length !== frames)) throw new WavError('WAV_UNSUPPORTED', 'every channel must have the same number of samples');
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new WavError('WAV_UNSUPPORTED', `a sample rate must be a positive integer, got ${sampleRate}`);
  const blockAlign = channels.length * 2;
  const dataBytes = frames * blockAlign;
  const out = new Uint8Array(HEADER_BYTES + dataBytes);
  const view = new DataView(out.buffer);
  const ascii = (at: number, text: string): void => { for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i); };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, channels.length, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  let at = HEADER_BYTES;
  for (let i = 0; i < frames; i++) {
    for (const channel of channels) {
      const s = Math.max(-1, Math.min(1, channel[i]!));
      view.setInt16(at, s < 0 ? Math.round(s * 0x8000) : Math.round(s * 0x7fff), true);
      at += 2;
    }
  }
  return out;
}

/** Reads a 16-bit PCM WAV; other chunks (LIST, fact) are skipped. */
export function decodeWav(bytes: Uint8Array): Pcm {
  if (bytes.length < 12) throw new WavError('WAV_TRUNCATED', `a WAV file has at least 12 bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number): string => String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new WavError('WAV_NOT_RIFF', 'not a RIFF/WAVE file');
  let at = 12;
  let format: { channels: number; sampleRate: number } | null = null;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (body + size > bytes.length) throw new WavError('WAV_TRUNCATED', `the "${id}" chunk runs past the end of the file`);
    if (id === 'fmt ') {
      if (size < 16) throw new WavError('WAV_TRUNCATED', 'the format chunk is too short');
      const audioFormat = view.getUint16(body, true);
      const bits = view.getUint16(body + 14, true);
      if (audioFormat !== 1 || bits !== 16) throw new WavError('WAV_UNSUPPORTED', `only 16-bit PCM is read (format ${audioFormat}, ${bits} bits)`);
      format = { channels: view.getUint16(body + 2, true), sampleRate: view.getUint32(body + 4, true) };
      if (format.channels < 1) throw new WavError('WAV_UNSUPPORTED', 'the file declares no channel');
    } else if (id === 'data') {
      if (!format) throw new WavError('WAV_UNSUPPORTED', 'the data chunk comes before the format chunk');
      const frames = Math.floor(size / (2 * format.channels));
      const channels = Array.from({ length: format.channels }, () => new Float32Array(frames));
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < format.channels; c++) {
          const v = view.getInt16(body + (i * format.channels + c) * 2, true);
          channels[c]![i] = v < 0 ? v / 0x8000 : v / 0x7fff;
        }
      }
      return { sampleRate: format.sampleRate, channels };
    }
    at = body + size + (size % 2);
  }
  throw new WavError('WAV_NO_DATA', 'the file has no data chunk');
}
