/**
 * Cabine dermatoscope HID input report (id 0x02) codec and capture-button edge detector.
 * @module
 */
export {
  DERMATOSCOPE_REPORT_ID,
  DERMATOSCOPE_REPORT_LENGTH,
  decodeDermatoscopeReport,
  encodeDermatoscopeReport,
} from './report';
export type { DermatoscopeReport, Polarisation } from './report';
export { CaptureButtonEdgeDetector } from './edge';
export type { ButtonEdge } from './edge';
