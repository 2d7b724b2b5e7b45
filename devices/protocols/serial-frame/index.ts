/**
 * Cabine serial framing (thermometer, blood-pressure cuff): CRC, frame
 * encoder, incremental decoder, stream wrapper and typed message payloads.
 * @module
 */
export { CRC16_INIT, crc16CcittFalse } from './crc';
export {
  FRAME_HEADER_LENGTH,
  FRAME_SYNC,
  FRAME_TRAILER_LENGTH,
  FrameType,
  MAX_PAYLOAD_LENGTH,
  MIN_FRAME_LENGTH,
  encodeFrame,
  frameTypeLabel,
  isFrameType,
} from './frame';
export type { Frame } from './frame';
export { SerialFrameDecoder } from './decoder';
export type { FrameResult, SerialFrameDecoderStats } from './decoder';
export { SerialFrameDecoderStream } from './stream';
export {
  CommandOp,
  decodeAck,
  decodeCommand,
  decodeErrorPayload,
  decodeHello,
  decodeMeasurementPayload,
  decodeMessage,
  decodeStatus,
  encodeMessage,
  encodeMessagePayload,
} from './messages';
export type {
  AckMessage,
  CommandMessage,
  ErrorMessage,
  HelloMessage,
  MeasurementMessage,
  SerialMessage,
  SetClockCommandMessage,
  SimpleCommandMessage,
  StatusMessage,
} from './messages';
