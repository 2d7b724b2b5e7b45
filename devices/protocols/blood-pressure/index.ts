/**
 * Bluetooth Blood Pressure: Blood Pressure Measurement (0x2A35) and
 * Intermediate Cuff Pressure (0x2A36) codecs.
 * @module
 */
export {
  BLOOD_PRESSURE_MEASUREMENT_UUID,
  INTERMEDIATE_CUFF_PRESSURE_UUID,
  decodeBloodPressureMeasurement,
  decodeIntermediateCuffPressure,
  encodeBloodPressureMeasurement,
  encodeIntermediateCuffPressure,
} from './measurement';
export type {
  BloodPressureMeasurement,
  BloodPressureMeasurementInput,
  BloodPressureOptionalFields,
  BloodPressureOptionalInput,
  IntermediateCuffPressure,
  IntermediateCuffPressureInput,
  MeasurementStatus,
  PressureUnit,
  PulseRateRange,
} from './measurement';
