/**
 * The assistant's PIN (DESIGN §7): checked against kiosk-config's scrypt
 * `pinHash`, never stored or logged in clear; after `maxTries` wrong tries in
 * a row, every try is refused for `lockoutMinutes` — even the right PIN —
 * so a patient cannot guess it. The clock is injected (tests).
 */
import { scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { systemClock, type Clock } from '../shared/clock';

const HASH = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

function scrypt(secret: string, salt: Buffer, len: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(secret, salt, len, opts, (e, k) => (e ? reject(e) : resolve(k))));
}

/** True when `pin` matches `scrypt$N$r$p$salt$hash`; false for a malformed hash. */
export async function verifyPin(pin: string, hash: string): Promise<boolean> {
  const m = HASH.exec(hash);
  if (!m) return false;
  const [, N, r, p, salt, expected] = m;
  const want = Buffer.from(expected!, 'base64');
  const got = await scrypt(pin, Buffer.from(salt!, 'base64'), want.length, { N: Number(N), r: Number(r), p: Number(p), maxmem: 256 * 1024 * 1024 });
  return got.length === want.length && timingSafeEqual(got, want);
}

export interface AssistantAuthOptions {
  pinHash: string;
  maxTries: number;
  lockoutMinutes: number;
  clock?: Pick<Clock, 'now'>;
}

export interface LoginResult {
  ok: boolean;
  triesLeft: number;
  /** ISO time until which every try is refused, or null. */
  lockedUntil: string | null;
}

export class AssistantAuth {
  private failures = 0;
  private lockedUntilMs = 0;
  private readonly clock: Pick<Clock, 'now'>;

  constructor(private readonly opts: AssistantAuthOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  async login(pin: string): Promise<LoginResult> {
    const now = this.clock.now();
    if (this.lockedUntilMs > now) return { ok: false, triesLeft: 0, lockedUntil: new Date(this.lockedUntilMs).toISOString() };
    if (this.lockedUntilMs !== 0) {
      // The lock-out is over: a fresh set of tries.
      this.lockedUntilMs = 0;
      this.failures = 0;
    }
    if (await verifyPin(pin, this.opts.pinHash)) {
      this.failures = 0;
      return { ok: true, triesLeft: this.opts.maxTries, lockedUntil: null };
    }
    this.failures += 1;
    if (this.failures >= this.opts.maxTries) {
      this.lockedUntilMs = this.clock.now() + this.opts.lockoutMinutes * 60_000;
      return { ok: false, triesLeft: 0, lockedUntil: new Date(this.lockedUntilMs).toISOString() };
    }
    return { ok: false, triesLeft: this.opts.maxTries - this.failures, lockedUntil: null };
  }
}
