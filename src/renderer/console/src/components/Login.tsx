import { useState, type FormEvent } from 'react';
import { sendTotpCode, signIn, type SignInOutcome } from '../../../../shared/sign-in';
import type { Me } from '../types';
import { OidcSignIn, useOidcConfig } from './OidcSignIn';

const LOGIN = '/api/login';

/**
 * Email and password against POST /api/login; the hub sets the session
 * cookie. An account with a second factor is then asked for the code of its
 * authenticator app (POST /api/login/totp with the pending sign-in). When the
 * hub has OIDC, its sign-in link comes first, and the password form stays
 * only while the hub still accepts passwords.
 */
export function Login({ onLogin }: { onLogin: (me: Me) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<string | null>(null);
  const settle = (outcome: SignInOutcome<Me>): void => {
    if (outcome.ok) return onLogin(outcome.me);
    if (outcome.reason === 'totp') {
      setPending(outcome.pending);
      return;
    }
    if (outcome.reason === 'unreachable') return setError('Serveur injoignable.');
    // A pending sign-in that died (expired, too many wrong codes) starts again at the password.
    if (outcome.retry === 'password') setPending(null);
    setError(outcome.message ?? 'Connexion refusée.');
  };
  const oidc = useOidcConfig();
  const submit = async (e: FormEvent<HTMLFormElement>): Promise<void> => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    const outcome = pending === null
      ? await signIn<Me>(LOGIN, form.get('email'), form.get('password'))
      : await sendTotpCode<Me>(LOGIN, pending, form.get('code'));
    setBusy(false);
    settle(outcome);
  };
  return (
    <main className="card login">
      <h1>Cabine — console du médecin</h1>
      {oidc?.enabled && pending === null && <OidcSignIn config={oidc} />}
      {pending === null
        ? (oidc?.allowPasswords !== false && (
          <form key="password" onSubmit={(e) => void submit(e)}>
            <label>Adresse e-mail<input name="email" type="email" autoComplete="username" required /></label>
            <label>Mot de passe<input name="password" type="password" autoComplete="current-password" required /></label>
            {error && <p className="error" role="alert">{error}</p>}
            <button type="submit" disabled={busy}>Se connecter</button>
          </form>
        ))
        : (
          <form key="code" onSubmit={(e) => void submit(e)}>
            <label>
              Code de votre application d’authentification
              <input
                name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} minLength={6}
                required autoFocus aria-describedby="code-help"
              />
            </label>
            <p id="code-help" className="muted">Les 6 chiffres affichés maintenant par l’application.</p>
            {error && <p className="error" role="alert">{error}</p>}
            <button type="submit" disabled={busy}>Valider le code</button>
          </form>
        )}
    </main>
  );
}
