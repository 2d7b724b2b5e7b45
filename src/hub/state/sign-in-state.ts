/**
 * What the sign-in steps keep between two requests (./repository.ts): the
 * last TOTP step each account used, the sign-ins half done (a password
 * waiting for its code, a browser at the OIDC provider), and the counter's
 * staff sessions. The hub state store
 * in a hub, so the next request may land on any node; LocalSignInState in a
 * process's memory for unit tests and a hub built without a state store.
 */
import { systemClock, type Clock } from '../../shared/clock';
import { PENDING_SIGN_INS_MAX, type HubStateRepository, type PendingSignInKind, type StoredStaffSession } from './repository';

export type SignInState = Pick<HubStateRepository, 'useTotpStep' | 'putPendingSignIn' | 'takePendingSignIn' | 'putStaffSession' | 'staffSession' | 'removeStaffSession'>;

/** This process only (beside the state stores it stands for); never for a network of nodes. */
export class LocalSignInState implements SignInState {
  private readonly last = new Map<string, number>();
  private readonly pending = new Map<string, { body: unknown; expires: number }>();
  private readonly staff = new Map<string, StoredStaffSession>();

  constructor(private readonly clock: Pick<Clock, 'now'> = systemClock, private readonly max = PENDING_SIGN_INS_MAX) {}

  async useTotpStep(account: string, step: number): Promise<boolean> {
    if ((this.last.get(account) ?? -1) >= step) return false;
    this.last.set(account, step);
    return true;
  }

  async putPendingSignIn(kind: PendingSignInKind, token: string, body: unknown, expires: number): Promise<void> {
    const now = this.clock.now();
    const mine = [...this.pending].filter(([key]) => key.startsWith(`${kind}:`));
    for (const [key, p] of mine) if (p.expires < now) this.pending.delete(key);
    const left = mine.filter(([key]) => this.pending.has(key)).sort((a, b) => a[1].expires - b[1].expires);
    for (const [key] of left.slice(0, Math.max(0, left.length - this.max + 1))) this.pending.delete(key);
    this.pending.set(`${kind}:${token}`, { body: structuredClone(body), expires });
  }

  async putStaffSession(token: string, session: StoredStaffSession): Promise<void> {
    this.staff.set(token, { ...session });
  }

  async staffSession(token: string): Promise<StoredStaffSession | null> {
    const s = this.staff.get(token);
    if (!s) return null;
    if (s.expires >= this.clock.now()) return { ...s };
    this.staff.delete(token);
    return null;
  }

  async removeStaffSession(token: string): Promise<void> {
    this.staff.delete(token);
  }

  async takePendingSignIn<T>(kind: PendingSignInKind, token: string): Promise<T | null> {
    const key = `${kind}:${token}`;
    const p = this.pending.get(key);
    this.pending.delete(key);
    return p && p.expires >= this.clock.now() ? (p.body as T) : null;
  }
}

/** A LocalSignInState as the getter the sign-in steps take (what a hub built without a state store uses). */
export function localSignInState(clock: Pick<Clock, 'now'> = systemClock): () => SignInState {
  const state = new LocalSignInState(clock);
  return () => state;
}
