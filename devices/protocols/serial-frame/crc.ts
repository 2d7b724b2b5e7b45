/**
 * CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no input or
 * output reflection, no final XOR. Check value 0x29B1 for ASCII "123456789".
 *
 * @module
 */

const TABLE: Uint16Array = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte += 1) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit += 1) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
    table[byte] = crc;
  }
  return table;
})();

/** Initial register value of CRC-16/CCITT-FALSE. */
export const CRC16_INIT = 0xffff;

/**
 * CRC-16/CCITT-FALSE of `bytes[start..end)`, continuing from `crc` (pass a
 * previous result to checksum data in pieces).
 */
export function crc16CcittFalse(bytes: Uint8Array, start = 0, end = bytes.length, crc = CRC16_INIT): number {
  let reg = crc & 0xffff;
  for (let i = start; i < end; i += 1) {
    reg = ((reg << 8) & 0xffff) ^ (TABLE[((reg >>> 8) ^ (bytes[i] ?? 0)) & 0xff] ?? 0);
  }
  return reg;
}
