/**
 * Signing in with an email and a password, as the doctor's console and the
 * counter page both do: POST the pair as JSON, the hub sets the session
 * cookie and answers who signed in. The pages only word the outcome.
 *
 * An account with a second factor (src/hub/second-factor.ts) gets no
 * cookie for its password: the hub answers 202 with a pending sign-in, and
 * the page posts the code of the person's authenticator app with it to
 * `<login URL>/totp` (`sendTotpCode`), which sets the cookie.
 */

/** The status of "right password, now the code". */
export const SECOND_FACTOR_STATUS = 202;

/** The body of that answer. */
export interface SecondFactorAsked {
  secondFactor: 'totp';
  /** Opaque, single-use, short-lived: sent back with the code. */
  pending: string;
  expiresInSeconds: number;
}

/** What a refusal of the code step asks for next: another code, or the password again (the pending sign-in is gone). */
export type SecondFactorRetry = 'code' | 'password';

/** Where the code of a login URL is posted. */
export function totpUrl(loginUrl: string): string {
  return `${loginUrl}/totp`;
}

export type SignInOutcome<Me> =
  | { ok: true; me: Me }
  /** The password was right; the hub asks for the code of the person's authenticator app. */
  | { ok: false; reason: 'totp'; pending: string }
  /** The hub said no; `message` is its own words (French) when it gave any; `retry` after a refused code. */
  | { ok: false; reason: 'refused'; message: string | null; retry?: SecondFactorRetry }
  /** No answer, or not one the hub would give (a proxy's error page). */
  | { ok: false; reason: 'unreachable' };

export async function signIn<Me>(url: string, email: unknown, password: unknown, fetchImpl: typeof fetch = fetch): Promise<SignInOutcome<Me>> {
  return post<Me>(fetchImpl, url, { email: typeof email === 'string' ? email : '', password: typeof password === 'string' ? password : '' });
}

/** The second step: the code typed, with the pending sign-in the password step gave. */
export async function sendTotpCode<Me>(loginUrl: string, pending: string, code: unknown, fetchImpl: typeof fetch = fetch): Promise<SignInOutcome<Me>> {
  return post<Me>(fetchImpl, totpUrl(loginUrl), { pending, code: typeof code === 'string' ? code : '' });
}

async function post<Me>(fetchImpl: typeof fetch, url: string, payload: Record<string, string>): Promise<SignInOutcome<Me>> {
  let res: Response;
  let body: unknown;
  try {
    res = await fetchImpl(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
    body = await res.json();
  } catch {
    return { ok: false, reason: 'unreachable' };
  }
  const fields = body !== null && typeof body === 'object' ? body as Record<string, unknown> : {};
  if (res.status === SECOND_FACTOR_STATUS && fields.secondFactor === 'totp' && typeof fields.pending === 'string') return { ok: false, reason: 'totp', pending: fields.pending };
  if (res.ok) return { ok: true, me: body as Me };
  const message = typeof fields.message === 'string' ? fields.message : null;
  const retry = fields.retry === 'code' || fields.retry === 'password' ? fields.retry : undefined;
  return { ok: false, reason: 'refused', message, ...(retry ? { retry } : {}) };
}
