import { useState, type FormEvent } from 'react';
import type { Me } from '../types';

/** Email and password against POST /api/login; the hub sets the session cookie. */
export function Login({ onLogin }: { onLogin: (me: Me) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>): Promise<void> => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/api/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: form.get('email'), password: form.get('password') }),
      });
      const body = (await res.json()) as Me & { message?: string };
      if (!res.ok) setError(body.message ?? 'Connexion refusée.');
      else onLogin(body);
    } catch {
      setError('Serveur injoignable.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="card login">
      <h1>Cabine — console du médecin</h1>
      <form onSubmit={(e) => void submit(e)}>
        <label>Adresse e-mail<input name="email" type="email" autoComplete="username" required /></label>
        <label>Mot de passe<input name="password" type="password" autoComplete="current-password" required /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>Se connecter</button>
      </form>
    </main>
  );
}
