/**
 * `npm run totp-secret`: the secret it prints is one the hub config takes
 * and an authenticator app computes the hub's codes from, through the URI.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HubConfig } from '../../../src/hub/directory';
import { base32Decode, matchTotp, totpAt } from '../../../src/node/totp';
import { ROOT } from '../../helpers/config';

describe('totp-secret script', () => {
  it('prints a secret the config accepts, its otpauth URI and the line to paste', () => {
    const out = execFileSync(process.execPath, ['scripts/totp-secret.mjs', 'marie@pharmacie-test-1.example'], { cwd: ROOT, encoding: 'utf8' });
    const secret = /^secret: +([A-Z2-7]+)$/m.exec(out)?.[1];
    expect(secret).toBeDefined();
    expect(out).toContain(`"totpSecret": "${secret}",`);
    const uri = new URL(/^otpauth: +(\S+)$/m.exec(out)![1]!);
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(decodeURIComponent(uri.pathname)).toBe('/Cabine:marie@pharmacie-test-1.example');
    // What the app computes from the URI's secret, the hub accepts from the config's.
    const now = Date.now();
    expect(matchTotp(base32Decode(secret!), totpAt(base32Decode(uri.searchParams.get('secret')!), now), now)).not.toBeNull();
    const config = HubConfig.safeParse({ specialists: [{ id: 'x', email: 'x@cabine.example', name: 'X', passwordHash: 'scrypt$1024$8$1$AAAA$AAAA', totpSecret: secret }] });
    expect(config.success).toBe(true);
  });

  it('says how to use it when the account is missing', () => {
    const r = spawnSync(process.execPath, ['scripts/totp-secret.mjs'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/usage: npm run totp-secret -- <e-mail/);
  });
});
