import { useState, type FormEvent } from 'react';
import { signIn } from '../../../../shared/sign-in';
import type { Me } from '../types';
import { OidcSignIn, useOidcConfig } from './OidcSignIn';

/**
 * Email and password against POST /api/login; the hub sets the session
 * cookie. When the hub has OIDC, its sign-in link comes first, and the
 * password form stays only while the hub still accepts passwords.
 */
export function Login({ onLogin }: { onLogin: (me: Me) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const oidc = useOidcConfig();
  const submit = async (e: FormEvent<HTMLFormElement>): Promise<void> => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    const outcome = await signIn<Me>('/api/login', form.get('email'), form.get('password'));
    setBusy(false);
    if (outcome.ok) onLogin(outcome.me);
    else setError(outcome.reason === 'unreachable' ? 'Serveur injoignable.' : (outcome.message ?? 'Connexion refusée.'));
  };
  return (
    <main className="card login">
      <h1>Cabine — console du médecin</h1>
      {oidc?.enabled && <OidcSignIn config={oidc} />}
      {oidc?.allowPasswords !== false && <form onSubmit={(e) => void submit(e)}>
        <label>Adresse e-mail<input name="email" type="email" autoComplete="username" required /></label>
        <label>Mot de passe<input name="password" type="password" autoComplete="current-password" required /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>Se connecter</button>
      </form>}
    </main>
  );
}
