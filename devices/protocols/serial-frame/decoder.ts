/**
 * Incremental decoder for the Cabine serial frame: feed it whatever bytes the
 * port delivers, get back checked frames and typed errors, in stream order.
 *
 * @module
 */

import { DecodeError } from '../result';
import type { DecodeResult } from '../result';
import { u16le, u8 } from '../bytes';
import { crc16CcittFalse } from './crc';
import {
  FRAME_HEADER_LENGTH,
  FRAME_SYNC,
  FRAME_TRAILER_LENGTH,
  MAX_PAYLOAD_LENGTH,
  MIN_FRAME_LENGTH,
  frameTypeLabel,
  isFrameType,
} from './frame';
import type { Frame, FrameType } from './frame';

/**
 * One decoder output: a checked frame, or a bad frame reported as a
 * {@link DecodeError} with code `BAD_FRAME_CRC`, `BAD_FRAME_LENGTH`,
 * `UNKNOWN_FRAME_TYPE` or (from {@link SerialFrameDecoder.flush}) `TRUNCATED_FRAME`.
 * The error's `offset` is the position of the frame's `A5` in the whole stream.
 */
export type FrameResult = DecodeResult<Frame>;

/** Counters for diagnostics (line noise shows as skipped bytes and bad frames). */
export interface SerialFrameDecoderStats {
  /** Frames that passed every check. */
  readonly frames: number;
  /** Candidate frames rejected (each one was also reported as an error). */
  readonly badFrames: number;
  /** Bytes skipped while looking for a sync byte (not reported one by one). */
  readonly skippedBytes: number;
}

/**
 * Incremental, never-throwing serial frame decoder.
 *
 * Resynchronisation: every `A5` is a candidate frame start. The header is
 * checked as soon as its bytes arrive (known type, length ≤ 512) and the CRC as
 * soon as the whole frame has arrived. When a candidate fails, scanning resumes
 * at the byte after *that* `A5`, never after the length it claimed, so a valid
 * frame hiding inside the bytes a stray `A5` claimed is still found.
 *
 * A stray `A5` whose header looks plausible makes the decoder wait for up to
 * 519 bytes before its CRC can be checked. If the line then goes quiet, call
 * {@link flush} (the driver does so after an idle gap): it gives up on the
 * pending candidate and decodes whatever complete frames follow it.
 *
 * A frame with an `A5` among its CRC bytes is held until the bytes after it
 * (or a flush) show whether that `A5` starts a frame (valid, or with a sound
 * header and only a wrong CRC): if it does, the first was a frame cut short,
 * completed by chance, and is reported as `TRUNCATED_FRAME`.
 */
export class SerialFrameDecoder {
  private buf: Uint8Array = new Uint8Array(0);
  /** Scan position in `buf`; bytes before it are consumed. */
  private pos = 0;
  /** Stream offset of `buf[0]`. */
  private base = 0;
  private counts = { frames: 0, badFrames: 0, skippedBytes: 0 };

  /** Adds bytes and returns every frame and error they complete, in order. Never throws. */
  push(chunk: Uint8Array): FrameResult[] {
    this.append(chunk);
    const out: FrameResult[] = [];
    this.scan(out, false);
    if (this.buf === chunk) {
      // Keep only our own copy of the pending tail: the caller may reuse its buffer.
      this.base += this.pos;
      this.buf = chunk.slice(this.pos);
      this.pos = 0;
    }
    return out;
  }

  /**
   * Declares that no more bytes are coming for now (end of stream, or an idle
   * line): reports each incomplete candidate frame as `TRUNCATED_FRAME`, keeps
   * scanning after it, and returns everything found. The decoder is empty
   * afterwards and can keep being used. Never throws.
   */
  flush(): FrameResult[] {
    const out: FrameResult[] = [];
    this.scan(out, true);
    this.base += this.buf.length;
    this.buf = new Uint8Array(0);
    this.pos = 0;
    return out;
  }

  /** Drops buffered bytes without reporting them (e.g. after the port was reopened). Stream offsets restart at 0. */
  reset(): void {
    this.buf = new Uint8Array(0);
    this.pos = 0;
    this.base = 0;
  }

  /** Bytes buffered while waiting for the rest of a candidate frame. */
  get pendingBytes(): number {
    return this.buf.length - this.pos;
  }

  /** Running counters since construction. */
  get stats(): SerialFrameDecoderStats {
    return { ...this.counts };
  }

  private append(chunk: Uint8Array): void {
    if (this.pos === this.buf.length) {
      // Nothing pending: scan the caller's chunk in place (push() copies any tail it leaves).
      this.base += this.pos;
      this.buf = chunk;
      this.pos = 0;
      return;
    }
    const rest = this.buf.subarray(this.pos);
    const next = new Uint8Array(rest.length + chunk.length);
    next.set(rest, 0);
    next.set(chunk, rest.length);
    this.base += this.pos;
    this.buf = next;
    this.pos = 0;
  }

  private reject(out: FrameResult[], code: DecodeError['code'], message: string): void {
    out.push({ ok: false, error: new DecodeError(code, message, { offset: this.base + this.pos }) });
    this.counts.badFrames += 1;
    // NOTE: resume right after the failed A5, not after the length it claimed:
    // the claimed span may hold the start of the next valid frame.
    this.pos += 1;
  }

  /**
   * Whether the checked frame ending at `end` is really a frame cut one or two
   * bytes short whose CRC the next frame's first bytes completed by chance
   * (1 frame in 256 ends in A5): taking it would invent a value nobody sent and
   * swallow the real frame. It is, when an A5 among its CRC bytes starts a
   * frame — a valid one, or one whose header holds (known type, length within
   * bounds) and only its own CRC fails, since a damaged frame may follow a cut
   * one. `'wait'` until the bytes after it can tell. A frame that really ends
   * in A5 is followed by the next frame's A5 (not a known type), an idle line,
   * or noise that rarely forms a header: dropping one such frame (measured
   * again) is the safe side of inventing a value.
   */
  private cutFrameCompletedByNext(buf: Uint8Array, end: number, final: boolean): boolean | 'wait' {
    for (let at = end - FRAME_TRAILER_LENGTH; at < end; at += 1) {
      if (buf[at] !== FRAME_SYNC) continue;
      const next = checkCandidate(buf, at);
      if (next.kind === 'frame' || (next.kind === 'bad' && next.code === 'BAD_FRAME_CRC')) return true;
      if (next.kind === 'incomplete' && !final) return 'wait';
    }
    return false;
  }

  private scan(out: FrameResult[], final: boolean): void {
    const buf = this.buf;
    for (;;) {
      const sync = buf.indexOf(FRAME_SYNC, this.pos);
      if (sync < 0) {
        this.counts.skippedBytes += buf.length - this.pos;
        this.pos = buf.length;
        return;
      }
      this.counts.skippedBytes += sync - this.pos;
      this.pos = sync;

      const found = checkCandidate(buf, sync);
      if (found.kind === 'bad') {
        this.reject(out, found.code, found.message);
        continue;
      }
      if (found.kind === 'incomplete') {
        if (!final) return;
        this.reject(out, 'TRUNCATED_FRAME', found.message);
        continue;
      }
      const end = sync + found.total;
      const cut = this.cutFrameCompletedByNext(buf, end, final);
      if (cut === 'wait') return;
      if (cut) {
        this.reject(out, 'TRUNCATED_FRAME', 'frame cut short: its CRC ends inside the next frame');
        continue;
      }
      out.push({ ok: true, value: { type: found.type, seq: u8(buf, sync + 2), payload: buf.slice(sync + FRAME_HEADER_LENGTH, end - FRAME_TRAILER_LENGTH) } });
      this.counts.frames += 1;
      this.pos = end;
    }
  }
}

type Candidate =
  | { readonly kind: 'frame'; readonly type: FrameType; readonly total: number }
  | { readonly kind: 'bad'; readonly code: 'BAD_FRAME_CRC' | 'BAD_FRAME_LENGTH' | 'UNKNOWN_FRAME_TYPE'; readonly message: string }
  | { readonly kind: 'incomplete'; readonly message: string };

/**
 * What the bytes from the `A5` at `sync` are: a checked frame of `total` bytes,
 * a bad candidate (checked as soon as the header, then the whole frame, has
 * arrived), or not all there yet.
 */
function checkCandidate(buf: Uint8Array, sync: number): Candidate {
  const available = buf.length - sync;
  if (available < 2) return { kind: 'incomplete', message: `frame cut short after ${available} of at least ${MIN_FRAME_LENGTH} bytes` };
  const type = u8(buf, sync + 1);
  if (!isFrameType(type)) return { kind: 'bad', code: 'UNKNOWN_FRAME_TYPE', message: `unknown frame type ${frameTypeLabel(type)}` };
  if (available < FRAME_HEADER_LENGTH) return { kind: 'incomplete', message: `frame cut short after ${available} of at least ${MIN_FRAME_LENGTH} bytes` };
  const length = u16le(buf, sync + 3);
  if (length > MAX_PAYLOAD_LENGTH) return { kind: 'bad', code: 'BAD_FRAME_LENGTH', message: `frame length ${length} exceeds ${MAX_PAYLOAD_LENGTH}` };
  const total = MIN_FRAME_LENGTH + length;
  if (available < total) return { kind: 'incomplete', message: `frame cut short after ${available} of ${total} bytes` };
  const crcAt = sync + FRAME_HEADER_LENGTH + length;
  const expected = crc16CcittFalse(buf, sync + 1, crcAt);
  const actual = u16le(buf, crcAt);
  if (expected !== actual) {
    return {
      kind: 'bad',
      code: 'BAD_FRAME_CRC',
      message: `frame CRC 0x${actual.toString(16).padStart(4, '0')} does not match computed 0x${expected.toString(16).padStart(4, '0')}`,
    };
  }
  return { kind: 'frame', type, total };
}
