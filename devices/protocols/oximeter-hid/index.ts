/**
 * Cabine pulse-oximeter HID input report (id 0x01) codec.
 * @module
 */
export {
  OXIMETER_REPORT_HEADER_LENGTH,
  OXIMETER_REPORT_ID,
  decodeOximeterReport,
  encodeOximeterReport,
} from './report';
export type { OximeterReport, OximeterReportInput } from './report';
