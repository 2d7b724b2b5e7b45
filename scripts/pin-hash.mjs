#!/usr/bin/env node
// Prints the kiosk-config `assistant.pinHash` for a PIN: `npm run pin-hash -- 4821`.
import { randomBytes, scryptSync } from 'node:crypto';

const pin = process.argv[2];
if (!pin || !/^\d{4,8}$/.test(pin)) {
  console.error('usage: npm run pin-hash -- <PIN of 4 to 8 digits>');
  process.exit(2);
}
const N = 16384, r = 8, p = 1;
const salt = randomBytes(16);
const hash = scryptSync(pin, salt, 32, { N, r, p });
console.log(`scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`);
