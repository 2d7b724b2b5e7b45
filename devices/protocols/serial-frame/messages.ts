/**
 * Typed payloads of the Cabine serial frame types (DESIGN §3).
 *
 * | type | direction     | payload                                                        |
 * |------|---------------|----------------------------------------------------------------|
 * | 01   | device → host | hello: model, serial, firmware, each u8 length + UTF-8          |
 * | 02   | device → host | measurement: characteristic UUID u16 LE, then its bytes verbatim |
 * | 03   | device → host | status: state u8, code u8                                       |
 * | 10   | host → device | command: op u8 (01 start, 02 cancel/deflate, 03 send last, 04 set clock + 7-byte Date Time) |
 * | 11   | either        | ack: seq u8 of the acknowledged frame                           |
 * | 7F   | device → host | error: code u8, then UTF-8 text to the end of the payload       |
 *
 * @module
 */

import { EncodeError, fail, ok } from '../result';
import type { DecodeResult } from '../result';
import { hex8, isIntIn, putU16le, u16le, u8 } from '../bytes';
import { DATE_TIME_LENGTH, decodeDateTime, encodeDateTime } from '../date-time';
import type { GattDateTime } from '../date-time';
import { FrameType, encodeFrame } from './frame';
import type { Frame } from './frame';

/** Device identity, sent once after power-up or reconnection; carried by every reading for traceability. */
export interface HelloMessage {
  readonly kind: 'hello';
  readonly model: string;
  readonly serial: string;
  readonly firmware: string;
}

/** A Bluetooth GATT characteristic value relayed verbatim (decode it with the matching codec). */
export interface MeasurementMessage {
  readonly kind: 'measurement';
  /** 16-bit characteristic UUID, e.g. 0x2A1C Temperature Measurement, 0x2A35 / 0x2A36 blood pressure. */
  readonly characteristic: number;
  /** The characteristic's bytes. */
  readonly data: Uint8Array;
}

/** Device state report. The meaning of `state` and `code` is device-specific. */
export interface StatusMessage {
  readonly kind: 'status';
  readonly state: number;
  readonly code: number;
}

/** Host → device command without an argument. */
export interface SimpleCommandMessage {
  readonly kind: 'command';
  /** `start` a measurement, `cancel` it (the cuff deflates), or `send-last` measurement again. */
  readonly command: 'start' | 'cancel' | 'send-last';
}

/** Host → device: set the device clock. */
export interface SetClockCommandMessage {
  readonly kind: 'command';
  readonly command: 'set-clock';
  readonly dateTime: GattDateTime;
}

/** Any host → device command. */
export type CommandMessage = SimpleCommandMessage | SetClockCommandMessage;

/** Acknowledgement of the frame whose seq is `ackSeq`. */
export interface AckMessage {
  readonly kind: 'ack';
  readonly ackSeq: number;
}

/** Device-side error. `code` is device-specific; `text` is for logs, not for the patient. */
export interface ErrorMessage {
  readonly kind: 'error';
  readonly code: number;
  readonly text: string;
}

/** Every typed serial message. */
export type SerialMessage = HelloMessage | MeasurementMessage | StatusMessage | CommandMessage | AckMessage | ErrorMessage;

/** Command opcodes on the wire. */
export const CommandOp = { start: 0x01, cancel: 0x02, 'send-last': 0x03, 'set-clock': 0x04 } as const;

const COMMAND_BY_OP: Readonly<Record<number, CommandMessage['command']>> = {
  0x01: 'start',
  0x02: 'cancel',
  0x03: 'send-last',
  0x04: 'set-clock',
};

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

function decodeUtf8(bytes: Uint8Array, offset: number, what: string): DecodeResult<string> {
  try {
    return ok(utf8.decode(bytes));
  } catch {
    return fail('INVALID_UTF8', `${what} is not valid UTF-8`, offset);
  }
}

function exactLength<T>(payload: Uint8Array, length: number, what: string, then: () => DecodeResult<T>): DecodeResult<T> {
  if (payload.length < length) return fail('TRUNCATED', `${what} payload needs ${length} bytes, got ${payload.length}`, payload.length);
  if (payload.length > length) return fail('TRAILING_BYTES', `${what} payload has ${payload.length - length} extra bytes`, length);
  return then();
}

/** Decodes a hello payload. Never throws. */
export function decodeHello(payload: Uint8Array): DecodeResult<HelloMessage> {
  const fields: string[] = [];
  let at = 0;
  for (const name of ['model', 'serial', 'firmware'] as const) {
    if (at >= payload.length) return fail('TRUNCATED', `hello ends before the ${name} length`, at);
    const length = u8(payload, at);
    if (payload.length - at - 1 < length) return fail('TRUNCATED', `hello ${name} needs ${length} bytes`, at + 1);
    const text = decodeUtf8(payload.subarray(at + 1, at + 1 + length), at + 1, `hello ${name}`);
    if (!text.ok) return text;
    fields.push(text.value);
    at += 1 + length;
  }
  if (at !== payload.length) return fail('TRAILING_BYTES', `hello has ${payload.length - at} extra bytes`, at);
  const [model = '', serial = '', firmware = ''] = fields;
  return ok({ kind: 'hello', model, serial, firmware });
}

/** Decodes a measurement payload (the characteristic bytes are copied). Never throws. */
export function decodeMeasurementPayload(payload: Uint8Array): DecodeResult<MeasurementMessage> {
  if (payload.length < 2) return fail('TRUNCATED', 'measurement needs a 2-byte characteristic UUID', payload.length);
  return ok({ kind: 'measurement', characteristic: u16le(payload, 0), data: payload.slice(2) });
}

/** Decodes a status payload. Never throws. */
export function decodeStatus(payload: Uint8Array): DecodeResult<StatusMessage> {
  return exactLength(payload, 2, 'status', () => ok({ kind: 'status', state: u8(payload, 0), code: u8(payload, 1) }));
}

/** Decodes a command payload; an unknown opcode is `UNKNOWN_COMMAND`. Never throws. */
export function decodeCommand(payload: Uint8Array): DecodeResult<CommandMessage> {
  if (payload.length < 1) return fail('TRUNCATED', 'command needs an opcode', 0);
  const op = u8(payload, 0);
  const command = COMMAND_BY_OP[op];
  if (command === undefined) return fail('UNKNOWN_COMMAND', `unknown command opcode 0x${hex8(op)}`, 0);
  if (command !== 'set-clock') return exactLength(payload, 1, `command ${command}`, () => ok({ kind: 'command', command }));
  return exactLength(payload, 1 + DATE_TIME_LENGTH, 'command set-clock', () => {
    const dateTime = decodeDateTime(payload, 1);
    if (!dateTime.ok) return dateTime;
    return ok({ kind: 'command', command, dateTime: dateTime.value });
  });
}

/** Decodes an ack payload. Never throws. */
export function decodeAck(payload: Uint8Array): DecodeResult<AckMessage> {
  return exactLength(payload, 1, 'ack', () => ok({ kind: 'ack', ackSeq: u8(payload, 0) }));
}

/** Decodes an error payload. Never throws. */
export function decodeErrorPayload(payload: Uint8Array): DecodeResult<ErrorMessage> {
  if (payload.length < 1) return fail('TRUNCATED', 'error needs a code', 0);
  // NOTE: DESIGN §3 gives the error text no length prefix: it runs to the end of the payload.
  const text = decodeUtf8(payload.subarray(1), 1, 'error text');
  if (!text.ok) return text;
  return ok({ kind: 'error', code: u8(payload, 0), text: text.value });
}

/** Decodes the payload of a checked frame according to its type. Never throws. */
export function decodeMessage(frame: Frame): DecodeResult<SerialMessage> {
  switch (frame.type) {
    case FrameType.Hello:
      return decodeHello(frame.payload);
    case FrameType.Measurement:
      return decodeMeasurementPayload(frame.payload);
    case FrameType.Status:
      return decodeStatus(frame.payload);
    case FrameType.Command:
      return decodeCommand(frame.payload);
    case FrameType.Ack:
      return decodeAck(frame.payload);
    case FrameType.Error:
      return decodeErrorPayload(frame.payload);
    default: {
      const type: never = frame.type;
      return fail('UNKNOWN_FRAME_TYPE', `unknown frame type ${String(type)}`, 0);
    }
  }
}

function checkByte(name: string, value: number): void {
  if (!isIntIn(value, 0, 0xff)) throw new EncodeError('VALUE_OUT_OF_RANGE', `${name} ${value} is not a byte`);
}

function lengthPrefixed(name: string, text: string): Uint8Array {
  const bytes = utf8Encoder.encode(text);
  if (bytes.length > 0xff) throw new EncodeError('TOO_LONG', `hello ${name} is ${bytes.length} UTF-8 bytes, at most 255 fit`);
  const out = new Uint8Array(1 + bytes.length);
  out[0] = bytes.length;
  out.set(bytes, 1);
  return out;
}

/**
 * The frame type and payload for a message.
 * @throws {EncodeError} when a field does not fit its wire type.
 */
export function encodeMessagePayload(message: SerialMessage): { type: FrameType; payload: Uint8Array } {
  switch (message.kind) {
    case 'hello': {
      const parts = [lengthPrefixed('model', message.model), lengthPrefixed('serial', message.serial), lengthPrefixed('firmware', message.firmware)];
      const payload = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        payload.set(p, at);
        at += p.length;
      }
      return { type: FrameType.Hello, payload };
    }
    case 'measurement': {
      if (!isIntIn(message.characteristic, 0, 0xffff)) {
        throw new EncodeError('VALUE_OUT_OF_RANGE', `characteristic UUID ${message.characteristic} is not 16-bit`);
      }
      const payload = new Uint8Array(2 + message.data.length);
      putU16le(payload, 0, message.characteristic);
      payload.set(message.data, 2);
      return { type: FrameType.Measurement, payload };
    }
    case 'status':
      checkByte('status state', message.state);
      checkByte('status code', message.code);
      return { type: FrameType.Status, payload: Uint8Array.of(message.state, message.code) };
    case 'command': {
      const op = CommandOp[message.command];
      if (message.command !== 'set-clock') return { type: FrameType.Command, payload: Uint8Array.of(op) };
      const payload = new Uint8Array(1 + DATE_TIME_LENGTH);
      payload[0] = op;
      payload.set(encodeDateTime(message.dateTime), 1);
      return { type: FrameType.Command, payload };
    }
    case 'ack':
      checkByte('ack seq', message.ackSeq);
      return { type: FrameType.Ack, payload: Uint8Array.of(message.ackSeq) };
    case 'error': {
      checkByte('error code', message.code);
      const text = utf8Encoder.encode(message.text);
      const payload = new Uint8Array(1 + text.length);
      payload[0] = message.code;
      payload.set(text, 1);
      return { type: FrameType.Error, payload };
    }
    default: {
      const unknown: never = message;
      throw new EncodeError('VALUE_OUT_OF_RANGE', `unknown message ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * A complete frame (sync to CRC) carrying `message` with sequence number `seq`.
 * @throws {EncodeError} when a field does not fit, or the payload exceeds 512 bytes.
 */
export function encodeMessage(message: SerialMessage, seq: number): Uint8Array {
  return encodeFrame({ ...encodeMessagePayload(message), seq });
}
