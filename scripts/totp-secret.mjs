#!/usr/bin/env node
// A new TOTP secret for a local account (issue #21): `npm run totp-secret -- dr.martin@cabine.example`.
// Prints the secret, the otpauth:// URI to give an authenticator app (as a QR code or typed in),
// and the line to paste into the account in hub-config ("totpSecret"). The secret is the account's
// second factor: hand it over in person or over a channel the password does not travel on.
import { register } from 'tsx/esm/api';

register();
const { newTotpSecret, otpauthUri } = await import('../src/node/totp.ts');

const account = process.argv[2];
if (!account || account.startsWith('-')) {
  console.error('usage: npm run totp-secret -- <e-mail of the account> [issuer, "Cabine" by default]');
  process.exit(2);
}
const issuer = process.argv[3] ?? 'Cabine';
const secret = newTotpSecret();
console.log(`secret:   ${secret}`);
console.log(`otpauth:  ${otpauthUri(secret, account, issuer)}`);
console.log(`config:   "totpSecret": "${secret}",`);
