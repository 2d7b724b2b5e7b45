/**
 * The Cabine serial frame used by the thermometer and the blood-pressure cuff
 * (DESIGN §3), little-endian:
 *
 * ```
 * A5 | type u8 | seq u8 | len u16 | payload (len ≤ 512) | crc u16
 * ```
 *
 * The CRC is CRC-16/CCITT-FALSE over `type..payload` (the sync byte is not included).
 *
 * @module
 */

import { EncodeError } from '../result';
import { hex8, isIntIn, putU16le } from '../bytes';
import { crc16CcittFalse } from './crc';

/** Start-of-frame byte. */
export const FRAME_SYNC = 0xa5;
/** Largest payload a frame may carry. */
export const MAX_PAYLOAD_LENGTH = 512;
/** Bytes before the payload: sync, type, seq, len (2). */
export const FRAME_HEADER_LENGTH = 5;
/** Bytes after the payload: crc (2). */
export const FRAME_TRAILER_LENGTH = 2;
/** Smallest possible frame (empty payload). */
export const MIN_FRAME_LENGTH = FRAME_HEADER_LENGTH + FRAME_TRAILER_LENGTH;

/** Frame type bytes. */
export const FrameType = {
  /** Device → host: model, serial number, firmware. */
  Hello: 0x01,
  /** Device → host: a GATT characteristic value. */
  Measurement: 0x02,
  /** Device → host: state and code. */
  Status: 0x03,
  /** Host → device: start, cancel, send last, set clock. */
  Command: 0x10,
  /** Either way: acknowledges the frame with the given seq. */
  Ack: 0x11,
  /** Device → host: error code and text. */
  Error: 0x7f,
} as const;

/** One of the {@link FrameType} bytes. */
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

const KNOWN_TYPES: ReadonlySet<number> = new Set<number>(Object.values(FrameType));

/** True when `type` is one of the {@link FrameType} bytes. */
export function isFrameType(type: number): type is FrameType {
  return KNOWN_TYPES.has(type);
}

/** A checked frame: its CRC matched, its type is known and its payload is at most 512 bytes. */
export interface Frame {
  readonly type: FrameType;
  /** Sequence number chosen by the sender, 0–255. */
  readonly seq: number;
  /** The payload bytes (a copy: it does not alias the decoder's buffer). */
  readonly payload: Uint8Array;
}

/**
 * Encodes a frame.
 *
 * `type` accepts any byte so simulators can send frame types the host does not
 * know; the host decoder rejects those with `UNKNOWN_FRAME_TYPE`.
 *
 * @throws {EncodeError} `VALUE_OUT_OF_RANGE` for a type or seq outside 0–255,
 *   `TOO_LONG` for a payload over 512 bytes.
 */
export function encodeFrame(frame: { readonly type: number; readonly seq: number; readonly payload: Uint8Array }): Uint8Array {
  const { type, seq, payload } = frame;
  if (!isIntIn(type, 0, 0xff)) throw new EncodeError('VALUE_OUT_OF_RANGE', `frame type ${type} is not a byte`);
  if (!isIntIn(seq, 0, 0xff)) throw new EncodeError('VALUE_OUT_OF_RANGE', `frame seq ${seq} is not a byte`);
  if (payload.length > MAX_PAYLOAD_LENGTH) {
    throw new EncodeError('TOO_LONG', `frame payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD_LENGTH}`);
  }
  const out = new Uint8Array(MIN_FRAME_LENGTH + payload.length);
  out[0] = FRAME_SYNC;
  out[1] = type;
  out[2] = seq;
  putU16le(out, 3, payload.length);
  out.set(payload, FRAME_HEADER_LENGTH);
  const crcAt = FRAME_HEADER_LENGTH + payload.length;
  putU16le(out, crcAt, crc16CcittFalse(out, 1, crcAt));
  return out;
}

/** `0x7F`-style name of a frame type, for messages and logs. */
export function frameTypeLabel(type: number): string {
  return `0x${hex8(type)}`;
}
