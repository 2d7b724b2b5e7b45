/**
 * Shared result and error types for every protocol codec in `devices/protocols/`.
 *
 * Decoders never throw: they return a {@link DecodeResult}, whose failure branch
 * carries a {@link DecodeError} with a stable `code` the driver can switch on.
 * Encoders are used by simulators and tests with values we control, so they throw
 * an {@link EncodeError} on a value the wire format cannot carry.
 *
 * @module
 */

/** Stable codes for everything a decoder can reject. Never rename one: drivers and logs match on them. */
export type DecodeErrorCode =
  /** The input ends before a field the flags or lengths say is present. */
  | 'TRUNCATED'
  /** Bytes left over after the last field the flags or lengths describe. */
  | 'TRAILING_BYTES'
  /** A flag bit the specification reserves for future use is set. */
  | 'RESERVED_BITS'
  /** A field holds a value the specification reserves or forbids. */
  | 'RESERVED_VALUE'
  /** Serial frame whose CRC-16/CCITT-FALSE does not match. */
  | 'BAD_FRAME_CRC'
  /** Serial frame whose length field exceeds the 512-byte maximum. */
  | 'BAD_FRAME_LENGTH'
  /** Serial frame whose type byte is not one we know. */
  | 'UNKNOWN_FRAME_TYPE'
  /** Serial frame still incomplete when the decoder was flushed (end of stream or idle line). */
  | 'TRUNCATED_FRAME'
  /** Command frame whose opcode is not one we know. */
  | 'UNKNOWN_COMMAND'
  /** A string field is not well-formed UTF-8. */
  | 'INVALID_UTF8'
  /** HID input report with another report id than the codec's. */
  | 'WRONG_REPORT_ID';

/**
 * Why some bytes could not be decoded.
 *
 * It is a real `Error` (with a stack) so a driver can pass it as the `cause` of
 * its own `DeviceError`; decoders only ever *return* it, never throw it.
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  /** Stable machine-readable reason. */
  readonly code: DecodeErrorCode;
  /** Byte offset in the decoder's input (for the serial decoder: in the whole stream) where the problem was found. */
  readonly offset: number | undefined;

  constructor(code: DecodeErrorCode, message: string, options: { offset?: number; cause?: unknown } = {}) {
    // A decode error describes bad bytes, not a code path, so its stack says
    // nothing useful; capturing one costs several microseconds, which adds up
    // on a noisy serial line (one error per stray A5). Skip it.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message, options.cause === undefined ? undefined : { cause: options.cause });
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    this.code = code;
    this.offset = options.offset;
  }
}

/** Outcome of a decoder: the decoded value, or why the bytes were rejected. */
export type DecodeResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: DecodeError };

/** Builds a success result. */
export function ok<T>(value: T): DecodeResult<T> {
  return { ok: true, value };
}

/** Builds a failure result with a fresh {@link DecodeError}. */
export function fail<T = never>(code: DecodeErrorCode, message: string, offset?: number): DecodeResult<T> {
  return { ok: false, error: new DecodeError(code, message, offset === undefined ? {} : { offset }) };
}

/** Stable codes for values an encoder refuses. */
export type EncodeErrorCode =
  /** The value is outside what the field can carry at all. */
  | 'VALUE_OUT_OF_RANGE'
  /** `exact: true` was asked and the value would need rounding. */
  | 'NOT_EXACTLY_REPRESENTABLE'
  /** A payload or string is longer than its length field allows. */
  | 'TOO_LONG';

/** Thrown by encoders when asked to put on the wire a value the format cannot carry. */
export class EncodeError extends RangeError {
  override readonly name = 'EncodeError';
  /** Stable machine-readable reason. */
  readonly code: EncodeErrorCode;

  constructor(code: EncodeErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * A number that may instead be a special, non-numeric marker (IEEE 11073 NaN,
 * an "unknown" sentinel in an HID report, …).
 *
 * The special branch has no `value` property, so TypeScript will not let a
 * caller use it as a number without first checking `ok`.
 */
export type NumericValue<S extends string> =
  | { readonly ok: true; readonly value: number }
  | { readonly ok: false; readonly special: S };
