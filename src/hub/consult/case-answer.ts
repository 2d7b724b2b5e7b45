/**
 * The hub's signature over a forwarded case's answer (src/shared/case-protocol.ts
 * CaseAnswer.signature): HMAC-SHA256 with the hub's signing key (the
 * prescription's, `<dataDir>/prescription.key`, ./prescription.ts) over the
 * answer's canonical JSON without `signature` — keys sorted at every depth,
 * no spaces — in base64url (43 characters). The counter's PDF and any tool
 * holding the key can tell the answer came from this hub and was not altered.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CaseAnswer } from '../../shared/case-protocol';

/** JSON with object keys sorted at every depth: one text for one value, whatever the order it was built in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function mac(answer: Omit<CaseAnswer, 'signature'>, key: Buffer): string {
  return createHmac('sha256', key).update(canonicalJson(answer)).digest('base64url');
}

/** The answer with its signature. */
export function signCaseAnswer(answer: Omit<CaseAnswer, 'signature'>, key: Buffer): CaseAnswer {
  return { ...answer, signature: mac(answer, key) };
}

/** Whether the signature matches the rest of the answer under `key`. */
export function verifyCaseAnswer(answer: CaseAnswer, key: Buffer): boolean {
  const { signature, ...rest } = answer;
  const want = Buffer.from(mac(rest, key));
  const got = Buffer.from(signature);
  return got.length === want.length && timingSafeEqual(got, want);
}
