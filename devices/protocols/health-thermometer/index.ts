/**
 * Bluetooth Health Thermometer: Temperature Measurement (0x2A1C) codec.
 * @module
 */
export {
  TEMPERATURE_MEASUREMENT_UUID,
  decodeTemperatureMeasurement,
  encodeTemperatureMeasurement,
} from './temperature-measurement';
export type {
  TemperatureMeasurement,
  TemperatureMeasurementInput,
  TemperatureSite,
  TemperatureUnit,
} from './temperature-measurement';
