/** The hub's signature over a case's answer, and the byte ranges the video route serves. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, signCaseAnswer, verifyCaseAnswer } from '../../../src/hub/consult/case-answer';
import { byteRange } from '../../../src/hub/consult/http';
import { CaseAnswer } from '../../../src/shared/case-protocol';

const answer = {
  caseId: '0190a5f0-0000-7000-8000-000000000001', kind: 'referral' as const, advice: 'Voir un dermatologue.', urgency: 'routine' as const,
  referral: { to: 'Dermatologie', reason: 'Lésion à surveiller' },
  answeredBy: { id: 'dr-bernard', name: 'Dr Paul Bernard', specialty: 'Dermatologie' }, answeredAt: '2026-03-03T10:00:00.000Z',
};

describe('the signature of a case answer', () => {
  const key = randomBytes(32);

  it('verifies what it signed, whatever the order of its keys, as the contract accepts it', () => {
    const signed = signCaseAnswer(answer, key);
    expect(CaseAnswer.parse(signed)).toEqual(signed);
    const reordered = Object.fromEntries(Object.entries(signed).reverse()) as CaseAnswer;
    expect(verifyCaseAnswer(reordered, key)).toBe(true);
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });

  it('refuses an altered answer, another key and a forged signature', () => {
    const signed = signCaseAnswer(answer, key);
    expect(verifyCaseAnswer({ ...signed, urgency: 'urgent' }, key)).toBe(false);
    expect(verifyCaseAnswer({ ...signed, referral: { to: 'Dermatologie', reason: 'autre' } }, key)).toBe(false);
    expect(verifyCaseAnswer(signed, randomBytes(32))).toBe(false);
    expect(verifyCaseAnswer({ ...signed, signature: 'x' }, key)).toBe(false);
  });
});

describe('the byte range of a video request', () => {
  it('serves one range, a suffix or an open end, and the whole without a usable header', () => {
    expect(byteRange('bytes=0-99', 1000)).toEqual([0, 99]);
    expect(byteRange('bytes=900-', 1000)).toEqual([900, 999]);
    expect(byteRange('bytes=-100', 1000)).toEqual([900, 999]);
    expect(byteRange('bytes=990-2000', 1000)).toEqual([990, 999]);
    expect(byteRange(undefined, 1000)).toBeNull();
    expect(byteRange('bytes=0-1,5-9', 1000)).toBeNull();
    expect(byteRange('items=0-1', 1000)).toBeNull();
  });

  it('says a range past the end cannot be served', () => {
    expect(byteRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(byteRange('bytes=-0', 1000)).toBe('unsatisfiable');
  });
});
