/**
 * Pure byte codecs for the booth's medical devices (DESIGN §3). Drivers import
 * the module they need, e.g. `devices/protocols/serial-frame`; this index
 * gathers the shared types and each module as a namespace.
 * @module
 */
export { DecodeError, EncodeError, fail, ok } from './result';
export type { DecodeErrorCode, DecodeResult, EncodeErrorCode, NumericValue } from './result';
export { DATE_TIME_LENGTH, dateTimeFromDate, dateTimeToDate, decodeDateTime, encodeDateTime } from './date-time';
export type { GattDateTime } from './date-time';
export * as serialFrame from './serial-frame';
export * as ieee11073 from './ieee11073';
export * as healthThermometer from './health-thermometer';
export * as bloodPressure from './blood-pressure';
export * as oximeterHid from './oximeter-hid';
export * as dermatoscopeHid from './dermatoscope-hid';
