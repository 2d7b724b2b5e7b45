/**
 * Prescription numbers and the signed QR payload: a SIMULATED e-prescription
 * format modelled on the French "ordonnance numérique" (a unique number per
 * prescription, printed as a QR code the pharmacy scans). Documented in the
 * README ("Prescriptions (simulated e-prescription format)").
 *
 * Number: `CAB-<year>-<8 random Crockford base-32 symbols>-<check>`, e.g.
 * `CAB-2026-7K3F9Q2M-X`. The check symbol is Luhn mod 32 over the year and
 * the random part, so a mistyped symbol or two swapped neighbours are caught
 * when a pharmacist keys a number in by hand.
 *
 * QR: `CABRX1|<number>|<YYYY-MM-DD>|<prescriber id>|<content digest>|<signature>`:
 * version prefix, number, issue date (Europe/Paris), prescriber, the first 16
 * hex of SHA-256 over the prescription's content (items, instructions,
 * patient), and HMAC-SHA256 over everything before the last `|`, truncated
 * to 128 bits (base64url, 22 characters), with the hub's key
 * `<dataDir>/prescription.key` (0600). A pharmacy tool holding that key
 * checks the payload came from this hub and the paper was not altered.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { Prescription, type PrescribeParams as PrescribeSchema } from '../../shared/consult-protocol';
import { codeOf } from '../../shared/errors';

/** Crockford's base 32: no I, L, O, U (read as 1, 1, 0 or a rude word). */
export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const QR_PREFIX = 'CABRX1';
const NUMBER = /^CAB-(\d{4})-([0-9A-HJKMNP-TV-Z]{8})-([0-9A-HJKMNP-TV-Z])$/;
const SIGNATURE_BYTES = 16;

/** Luhn mod N over Crockford symbols (N = 32): the symbol that makes the sum divisible by 32. */
export function checkSymbol(payload: string): string {
  const n = CROCKFORD.length;
  let factor = 2;
  let sum = 0;
  for (let i = payload.length - 1; i >= 0; i--) {
    const code = CROCKFORD.indexOf(payload[i]!);
    if (code < 0) throw new Error(`not a Crockford base-32 symbol: ${payload[i]}`);
    let addend = factor * code;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / n) + (addend % n);
    sum += addend;
  }
  return CROCKFORD[(n - (sum % n)) % n]!;
}

/** A new prescription number for the given issue year. */
export function newPrescriptionNumber(year: number, random: (size: number) => Buffer = randomBytes): string {
  const bytes = random(8);
  const body = [...bytes].map((b) => CROCKFORD[b & 31]).join('');
  return `CAB-${year}-${body}-${checkSymbol(`${year}${body}`)}`;
}

/** Whether a number is well formed and its check symbol matches (typing errors). */
export function isValidPrescriptionNumber(number: string): boolean {
  const m = NUMBER.exec(number);
  return m !== null && checkSymbol(`${m[1]}${m[2]}`) === m[3];
}

/** The calendar day in France (prescriptions are dated where they are dispensed). */
export function parisDate(iso: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

/**
 * A new prescription, numbered (this year in France), dated now, its QR signed:
 * what a call's prescription and a forwarded case's answer both issue.
 */
export function issuePrescription(
  o: { sessionId: string | null; boothId: string; prescriber: Prescription['prescriber']; patient: Prescription['patient']; params: z.output<typeof PrescribeSchema> },
  key: Buffer,
  issuedAt = new Date().toISOString(),
): Prescription {
  const base: Omit<Prescription, 'qr'> = {
    number: newPrescriptionNumber(Number(parisDate(issuedAt).slice(0, 4))),
    issuedAt,
    sessionId: o.sessionId,
    boothId: o.boothId,
    prescriber: o.prescriber,
    patient: o.patient,
    items: o.params.items,
    instructions: o.params.instructions,
  };
  return Prescription.parse({ ...base, qr: qrPayload(base, key) });
}

/** SHA-256 over the clinical content, first 16 hex: a QR that matches a different paper fails. */
export function contentDigest(p: Pick<Prescription, 'items' | 'instructions' | 'patient'>): string {
  const canonical = JSON.stringify({
    items: p.items.map((i) => [i.name, i.dosage, i.duration ?? '', i.quantity ?? '']),
    instructions: p.instructions,
    patient: [p.patient.firstName ?? '', p.patient.age ?? ''],
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

function sign(key: Buffer, signed: string): string {
  return createHmac('sha256', key).update(signed).digest().subarray(0, SIGNATURE_BYTES).toString('base64url');
}

/** The QR text of a prescription (everything but `qr` itself must be filled in). */
export function qrPayload(p: Omit<Prescription, 'qr'>, key: Buffer): string {
  const signed = [QR_PREFIX, p.number, parisDate(p.issuedAt), p.prescriber.id, contentDigest(p)].join('|');
  return `${signed}|${sign(key, signed)}`;
}

export interface QrCheck {
  valid: boolean;
  /** Why it is not valid (for the pharmacy tool's message). */
  reason?: 'FORMAT' | 'VERSION' | 'NUMBER' | 'SIGNATURE' | 'CONTENT';
  fields?: { number: string; issuedOn: string; prescriberId: string; digest: string };
}

/**
 * Checks a scanned payload: format, version, number check symbol, signature,
 * and (when the paper's content is given) the content digest.
 */
export function verifyQr(qr: string, key: Buffer, content?: Pick<Prescription, 'items' | 'instructions' | 'patient'>): QrCheck {
  const parts = qr.split('|');
  if (parts.length !== 6) return { valid: false, reason: 'FORMAT' };
  const [prefix, number, issuedOn, prescriberId, digest, signature] = parts as [string, string, string, string, string, string];
  if (prefix !== QR_PREFIX) return { valid: false, reason: 'VERSION' };
  const fields = { number, issuedOn, prescriberId, digest };
  if (!isValidPrescriptionNumber(number)) return { valid: false, reason: 'NUMBER', fields };
  const want = Buffer.from(sign(key, parts.slice(0, 5).join('|')));
  const got = Buffer.from(signature);
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { valid: false, reason: 'SIGNATURE', fields };
  if (content && contentDigest(content) !== digest) return { valid: false, reason: 'CONTENT', fields };
  return { valid: true, fields };
}

/**
 * The hub's signing key: 32 random bytes (base64) in a 0600 file, created on
 * first use with an exclusive create (two hubs starting at once agree on one
 * key). A key file readable by others is refused: it would let anyone sign.
 */
export function loadSigningKey(file: string): Buffer {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    chmodSync(file, 0o600);
  } catch (error) {
    if (codeOf(error) !== 'EEXIST') throw error;
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new Error(`${file} is readable by other users (mode ${mode.toString(8)}): run \`chmod 600 ${file}\` and restart the hub`);
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key: restore it from the backup (prescriptions already issued are verified with it)`);
  return key;
}
