/**
 * The one-time codes against the RFCs' own test vectors: base32 (RFC 4648
 * §10), HOTP (RFC 4226 appendix D), TOTP (RFC 6238 appendix B); then the
 * window the hub accepts and what it refuses.
 */
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, matchTotp, newTotpSecret, otpauthUri, totpAt, totpStep } from '../../../src/node/totp';

describe('base32 (RFC 4648)', () => {
  const vectors: [string, string][] = [
    ['', ''], ['f', 'MY======'], ['fo', 'MZXQ===='], ['foo', 'MZXW6==='], ['foob', 'MZXW6YQ='], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI======'],
  ];
  for (const [plain, encoded] of vectors) {
    it(`encodes ${JSON.stringify(plain)} as ${JSON.stringify(encoded)} and decodes it back`, () => {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      expect(base32Decode(encoded).toString()).toBe(plain);
    });
  }

  it('forgives lower case, spaces and missing padding, as secrets are typed from an app', () => {
    expect(base32Decode('mzxw 6ytb oi').toString()).toBe('foobar');
  });

  it('refuses a character outside the alphabet and a non-canonical last character', () => {
    expect(() => base32Decode('MZXW1YTB')).toThrow(/base32 character/);
    expect(() => base32Decode('MZ======')).toThrow(/canonical/);
  });
});

describe('HOTP (RFC 4226 appendix D)', () => {
  const key = Buffer.from('12345678901234567890');
  const codes = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  codes.forEach((code, counter) => {
    it(`gives ${code} at counter ${counter}`, () => {
      expect(hotp(key, counter)).toBe(code);
    });
  });
});

describe('TOTP (RFC 6238 appendix B, 8 digits)', () => {
  const keys = {
    sha1: Buffer.from('12345678901234567890'),
    sha256: Buffer.from('12345678901234567890123456789012'),
    sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
  };
  const table: [number, string, string, string][] = [
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];
  for (const [seconds, sha1, sha256, sha512] of table) {
    it(`gives the RFC's codes at T = ${seconds} s`, () => {
      expect(totpAt(keys.sha1, seconds * 1000, { digits: 8 })).toBe(sha1);
      expect(totpAt(keys.sha256, seconds * 1000, { digits: 8, algorithm: 'sha256' })).toBe(sha256);
      expect(totpAt(keys.sha512, seconds * 1000, { digits: 8, algorithm: 'sha512' })).toBe(sha512);
    });
  }

  it('counts steps of 30 s from the epoch', () => {
    expect(totpStep(59_000)).toBe(1);
    expect(totpStep(1111111109_000)).toBe(0x23523ec);
  });
});

describe('matching a typed code', () => {
  const key = base32Decode(newTotpSecret());
  const now = 1_800_000_000_000;
  const step = totpStep(now);

  it('accepts the current code and names its step', () => {
    expect(matchTotp(key, totpAt(key, now), now)).toBe(step);
  });

  it('accepts the previous and the next step (a clock a little off) and names which', () => {
    expect(matchTotp(key, totpAt(key, now - 30_000), now)).toBe(step - 1);
    expect(matchTotp(key, totpAt(key, now + 30_000), now)).toBe(step + 1);
  });

  it('refuses codes two steps away', () => {
    for (const at of [now - 60_000, now + 60_000]) {
      const code = totpAt(key, at);
      // A code two steps away could equal one in the window by chance (1 in 10^6): only then is a match right.
      const inWindow = [-1, 0, 1].some((d) => totpAt(key, now + d * 30_000) === code);
      expect(matchTotp(key, code, now) === null).toBe(!inWindow);
    }
  });

  it('refuses anything but six digits', () => {
    const code = totpAt(key, now);
    for (const bad of ['', `${code} `, code.slice(0, 5), `0${code}`, 'abcdef', '１２３４５６']) expect(matchTotp(key, bad, now)).toBeNull();
  });
});

describe('enrolment', () => {
  it('makes 160-bit secrets the config accepts, different each time', () => {
    const a = newTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(a)).toHaveLength(20);
    expect(newTotpSecret()).not.toBe(a);
  });

  it('writes the otpauth URI an authenticator app reads', () => {
    const uri = new URL(otpauthUri('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 'dr.martin@cabine.example'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Cabine:dr.martin@cabine.example');
    expect(Object.fromEntries(uri.searchParams)).toEqual({ secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', issuer: 'Cabine', algorithm: 'SHA1', digits: '6', period: '30' });
  });
});
