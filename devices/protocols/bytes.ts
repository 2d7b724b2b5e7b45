/**
 * Little-endian byte helpers shared by the codecs. Internal: not re-exported.
 *
 * Readers assume the caller has already checked the length; they return 0 for
 * a missing byte rather than `undefined` so arithmetic stays in `number`.
 */

/** Unsigned byte at `i` (0 if out of range: callers check lengths first). */
export function u8(bytes: Uint8Array, i: number): number {
  return bytes[i] ?? 0;
}

/** Unsigned 16-bit little-endian integer at `i`. */
export function u16le(bytes: Uint8Array, i: number): number {
  return u8(bytes, i) | (u8(bytes, i + 1) << 8);
}

/** Writes an unsigned 16-bit little-endian integer at `i`. */
export function putU16le(bytes: Uint8Array, i: number, value: number): void {
  bytes[i] = value & 0xff;
  bytes[i + 1] = (value >>> 8) & 0xff;
}

/** Concatenates byte arrays into a new one. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** True when `value` is an integer in `[min, max]`. */
export function isIntIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** Two-digit upper-case hex of a byte, for messages. */
export function hex8(value: number): string {
  return value.toString(16).toUpperCase().padStart(2, '0');
}
