/**
 * Time-based one-time passwords (RFC 6238) over HOTP (RFC 4226), as the
 * authenticator apps doctors and pharmacy staff already carry compute them:
 * HMAC-SHA1, 6 digits, 30-second steps counted from the Unix epoch. The
 * secret travels as base32 (RFC 4648 §6), the alphabet those apps take.
 *
 * A code is accepted one step either side of the hub's clock (a phone a few
 * seconds off, a code typed as it rolled over); which step matched is
 * returned so that the caller can refuse a code of a step already used
 * (RFC 6238 §5.2: a verifier must not accept the second attempt of the
 * same OTP).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one. */
export const TOTP_WINDOW = 1;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, with `=` padding to a multiple of 8 characters. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out.padEnd(Math.ceil(out.length / 8) * 8, '=');
}

/**
 * RFC 4648 base32 to bytes. Case, spaces and padding are forgiven (apps
 * show secrets in groups of four, sometimes in lower case); any other
 * character throws, and so do trailing bits that are not zero, which no
 * encoder writes.
 */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of clean) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new TypeError(`not a base32 character: ${JSON.stringify(ch)}`);
    buffer = (buffer << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  if (buffer !== 0) throw new TypeError('not canonical base32: the last character carries bits beyond the data');
  return Buffer.from(out);
}

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** HOTP (RFC 4226 §5.3): the dynamically truncated HMAC of the 8-byte big-endian counter, `digits` decimal digits. */
export function hotp(key: Uint8Array, counter: number, digits = TOTP_DIGITS, algorithm: TotpAlgorithm = 'sha1'): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The time step (RFC 6238 T) of an instant in epoch milliseconds. */
export function totpStep(epochMs: number, stepSeconds = TOTP_STEP_SECONDS): number {
  return Math.floor(epochMs / 1000 / stepSeconds);
}

/** The code an authenticator shows at `epochMs`. */
export function totpAt(key: Uint8Array, epochMs: number, opts: { digits?: number; stepSeconds?: number; algorithm?: TotpAlgorithm } = {}): string {
  return hotp(key, totpStep(epochMs, opts.stepSeconds), opts.digits ?? TOTP_DIGITS, opts.algorithm ?? 'sha1');
}

/**
 * The step whose code `code` is, within `window` steps of `epochMs`, or
 * null. Every step of the window is compared (in constant time), so the
 * time taken does not tell which step nearly matched.
 */
export function matchTotp(key: Uint8Array, code: string, epochMs: number, window = TOTP_WINDOW): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const now = totpStep(epochMs);
  const given = Buffer.from(code);
  let found: number | null = null;
  for (let step = now - window; step <= now + window; step++) {
    if (step < 0) continue;
    if (timingSafeEqual(Buffer.from(hotp(key, step)), given) && found === null) found = step;
  }
  return found;
}

/** A new secret of 160 bits (RFC 4226 §4 recommends it), base32 without padding. */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/**
 * The `otpauth://totp/` URI authenticator apps read from a QR code (the Key
 * Uri Format of Google Authenticator, which the others follow).
 */
export function otpauthUri(secret: string, account: string, issuer = 'Cabine'): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const params = new URLSearchParams({ secret: secret.replace(/=+$/, ''), issuer, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_STEP_SECONDS) });
  return `otpauth://totp/${label}?${params.toString()}`;
}
