/**
 * A browser as far as an OpenID Connect code flow needs one, over fetch:
 * redirects followed by hand, a cookie jar per host (cookies ignore ports,
 * as in a browser: the hub and the test provider both live on 127.0.0.1),
 * the provider's sign-in form filled in. It stops at the hub's callback so a
 * test may alter what the provider sent before delivering it.
 */
import { OIDC_API } from '../../src/shared/oidc-protocol';

interface Cookie { value: string; path: string }

export class OidcBrowser {
  private readonly jar = new Map<string, Cookie>();

  /** `fetchImpl`: another fetch (one trusting a test authority, for a provider on HTTPS). */
  constructor(private readonly fetchImpl: (url: string, init: RequestInit & { redirect: 'manual' }) => Promise<Response> = fetch) {}

  /** The cookie named, if the jar holds it. */
  cookie(name: string): string | undefined {
    return this.jar.get(name)?.value;
  }

  /** One request, cookies sent and kept; redirects not followed. */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const path = new URL(url).pathname;
    const cookies = [...this.jar].filter(([, c]) => path.startsWith(c.path)).map(([n, c]) => `${n}=${c.value}`).join('; ');
    const headers = new Headers(init.headers);
    if (cookies) headers.set('cookie', cookies);
    const res = await this.fetchImpl(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const pathAttr = attrs.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('path='));
      const maxAge = attrs.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('max-age='));
      const expired = (maxAge && Number(maxAge.slice(8)) <= 0) || /expires=Thu, 01 Jan 1970/i.test(line);
      if (expired || value === '') this.jar.delete(name);
      else this.jar.set(name, { value, path: pathAttr ? pathAttr.slice(5) : '/' });
    }
    return res;
  }

  /**
   * Starts a sign-in at the hub and goes through the provider (signing in as
   * `login`) until the provider sends the browser back: returns the hub's
   * callback URL, not yet visited. `alterAuthorization` may change the
   * request sent to the provider (a test's forged nonce, another client).
   */
  async toCallback(hubUrl: string, role: 'specialist' | 'staff', login: string, alterAuthorization?: (url: URL) => void): Promise<URL> {
    const start = await this.request(`${hubUrl}${OIDC_API.login}?role=${role}`);
    if (start.status !== 302) throw new Error(`the hub did not send the browser to the provider (${start.status}): ${await start.text()}`);
    const authorization = new URL(start.headers.get('location')!);
    alterAuthorization?.(authorization);
    let next = authorization.href;
    for (let hops = 0; hops < 10; hops++) {
      const url = new URL(next);
      if (url.pathname === OIDC_API.callback) return url;
      const res = await this.request(next);
      if (res.status >= 300 && res.status < 400) {
        next = new URL(res.headers.get('location')!, next).href;
        continue;
      }
      const html = await res.text();
      const form = /<form method="post" action="([^"]+)">/.exec(html);
      if (res.status !== 200 || !form || !html.includes('name="login"')) throw new Error(`the provider answered ${res.status}: ${/<pre>([\s\S]*?)<\/pre>/.exec(html)?.[1] ?? html.slice(0, 500)}`);
      const posted = await this.request(new URL(form[1]!, next).href, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ login }).toString(),
      });
      if (posted.status < 300 || posted.status >= 400) throw new Error(`the provider's sign-in answered ${posted.status}: ${(await posted.text()).slice(0, 500)}`);
      next = new URL(posted.headers.get('location')!, next).href;
    }
    throw new Error('too many redirects between the hub and the provider');
  }
}
