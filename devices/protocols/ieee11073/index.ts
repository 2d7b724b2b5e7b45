/**
 * IEEE 11073-20601 SFLOAT-16 and FLOAT-32 codecs.
 * @module
 */
export {
  FLOAT_LENGTH,
  SFLOAT_LENGTH,
  decodeFloat,
  decodeSfloat,
  encodeFloat,
  encodeSfloat,
  floatFromRaw,
  floatToRaw,
  sfloatFromRaw,
  sfloatToRaw,
  writeFloat,
  writeSfloat,
} from './float';
export type { MderDecimal, MderEncodeOptions, MderFloat, MderInput, MderSpecial } from './float';
