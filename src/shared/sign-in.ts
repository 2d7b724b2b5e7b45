/**
 * Signing in with an email and a password, as the doctor's console and the
 * counter page both do: POST the pair as JSON, the hub sets the session
 * cookie and answers who signed in. The pages only word the outcome.
 */

export type SignInOutcome<Me> =
  | { ok: true; me: Me }
  /** The hub said no; `message` is its own words (French) when it gave any. */
  | { ok: false; reason: 'refused'; message: string | null }
  /** No answer, or not one the hub would give (a proxy's error page). */
  | { ok: false; reason: 'unreachable' };

export async function signIn<Me>(url: string, email: unknown, password: unknown, fetchImpl: typeof fetch = fetch): Promise<SignInOutcome<Me>> {
  let res: Response;
  let body: unknown;
  try {
    res = await fetchImpl(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: typeof email === 'string' ? email : '', password: typeof password === 'string' ? password : '' }),
    });
    body = await res.json();
  } catch {
    return { ok: false, reason: 'unreachable' };
  }
  if (res.ok) return { ok: true, me: body as Me };
  const message = body !== null && typeof body === 'object' && 'message' in body && typeof body.message === 'string' ? body.message : null;
  return { ok: false, reason: 'refused', message };
}
