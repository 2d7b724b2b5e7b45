import { describe, expect, it } from 'vitest';
import { sendTotpCode, signIn } from '../../../src/shared/sign-in';

function answering(status: number, body: string): { fetch: typeof fetch; sent: { url: string; body: unknown }[] } {
  const sent: { url: string; body: unknown }[] = [];
  const f = (async (url: string, init?: RequestInit) => {
    sent.push({ url, body: JSON.parse(String(init?.body)) });
    return new Response(body, { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { fetch: f, sent };
}

describe('signing in', () => {
  it('posts the email and password and returns who signed in', async () => {
    const hub = answering(200, JSON.stringify({ id: 'dr-martin', name: 'Dr Claire Martin' }));
    await expect(signIn('/api/login', 'dr.martin@cabine.example', 'secret', hub.fetch)).resolves.toEqual({ ok: true, me: { id: 'dr-martin', name: 'Dr Claire Martin' } });
    expect(hub.sent).toEqual([{ url: '/api/login', body: { email: 'dr.martin@cabine.example', password: 'secret' } }]);
  });

  it('passes on the hub\'s own words when it refuses', async () => {
    const hub = answering(401, JSON.stringify({ message: 'Adresse ou mot de passe incorrect.' }));
    await expect(signIn('/api/login', 'x@y.example', 'wrong', hub.fetch)).resolves.toEqual({ ok: false, reason: 'refused', message: 'Adresse ou mot de passe incorrect.' });
  });

  it('calls the hub unreachable when nothing answers, or something that is not the hub does', async () => {
    const down = (async () => { throw new TypeError('fetch failed'); }) as typeof fetch;
    await expect(signIn('/api/login', 'a@b.example', 'p', down)).resolves.toEqual({ ok: false, reason: 'unreachable' });
    const proxy = answering(502, '<html>Bad gateway</html>');
    await expect(signIn('/api/login', 'a@b.example', 'p', proxy.fetch)).resolves.toEqual({ ok: false, reason: 'unreachable' });
  });

  it('never sends a file or a missing field as the password', async () => {
    const hub = answering(401, JSON.stringify({}));
    await expect(signIn('/api/login', null, new Blob(['x']), hub.fetch)).resolves.toEqual({ ok: false, reason: 'refused', message: null });
    expect(hub.sent[0]!.body).toEqual({ email: '', password: '' });
  });

  it('hands back the pending sign-in when the hub asks for a second factor (202), not a session', async () => {
    const hub = answering(202, JSON.stringify({ secondFactor: 'totp', pending: 'p-123', expiresInSeconds: 300 }));
    await expect(signIn('/api/login', 'dr.martin@cabine.example', 'secret', hub.fetch)).resolves.toEqual({ ok: false, reason: 'totp', pending: 'p-123' });
  });

  it('posts the code with the pending sign-in to <login>/totp and passes on what to retry when refused', async () => {
    const ok = answering(200, JSON.stringify({ id: 'marie' }));
    await expect(sendTotpCode('/api/counter/login', 'p-123', '123456', ok.fetch)).resolves.toEqual({ ok: true, me: { id: 'marie' } });
    expect(ok.sent).toEqual([{ url: '/api/counter/login/totp', body: { pending: 'p-123', code: '123456' } }]);
    const refused = answering(401, JSON.stringify({ error: 'TOTP_EXPIRED', message: 'La connexion a expiré.', retry: 'password' }));
    await expect(sendTotpCode('/api/login', 'p-123', '123456', refused.fetch)).resolves.toEqual({ ok: false, reason: 'refused', message: 'La connexion a expiré.', retry: 'password' });
  });
});
