/**
 * node:stream wrapper around {@link SerialFrameDecoder} for the serial drivers:
 * pipe the port into it and read `FrameResult` objects.
 *
 * @module
 */

import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { SerialFrameDecoder } from './decoder';
import type { SerialFrameDecoderStats } from './decoder';

/**
 * Bytes in, `FrameResult` objects out (`readableObjectMode`).
 *
 * Bad frames are pushed as `{ ok: false, error }` objects, never emitted as a
 * stream `'error'`, so one corrupt frame does not tear down the pipeline.
 * At end of input the pending partial frame, if any, is reported as
 * `TRUNCATED_FRAME`. Call {@link flushPending} after an idle gap on the line to
 * release frames held behind a stray `A5` (see {@link SerialFrameDecoder}).
 */
export class SerialFrameDecoderStream extends Transform {
  private readonly decoder = new SerialFrameDecoder();

  constructor() {
    super({ readableObjectMode: true, writableObjectMode: false });
  }

  override _transform(chunk: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (chunk instanceof Uint8Array) {
      for (const result of this.decoder.push(chunk)) this.push(result);
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.flushPending();
    callback();
  }

  /** Gives up on the pending partial frame and pushes every result found after it. */
  flushPending(): void {
    for (const result of this.decoder.flush()) this.push(result);
  }

  /** The decoder's running counters. */
  get stats(): SerialFrameDecoderStats {
    return this.decoder.stats;
  }
}
