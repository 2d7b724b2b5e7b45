/**
 * OpenID Connect sign-in between the hub and the login pages (console and
 * counter): the routes, and what the tiny public `GET /api/oidc/config`
 * answers so a page knows whether to show « Se connecter avec Pro Santé
 * Connect » and whether the password form stays.
 */
import { z } from 'zod';

export const OIDC_API = {
  /** 302 to the provider; `?role=specialist|staff`. */
  login: '/api/oidc/login',
  /** The provider sends the browser back here (the `redirectUri` registered with it). */
  callback: '/api/oidc/callback',
  /** Public: whether OIDC is configured, the button's label, whether passwords are still accepted. */
  config: '/api/oidc/config',
} as const;

export const OidcRole = z.enum(['specialist', 'staff']);
export type OidcRole = z.infer<typeof OidcRole>;

export const OidcPublicConfig = z.object({
  enabled: z.boolean(),
  /** The button's text (« Se connecter avec Pro Santé Connect »). */
  label: z.string(),
  /** False: the page shows no password form (the hub refuses passwords). */
  allowPasswords: z.boolean(),
});
export type OidcPublicConfig = z.infer<typeof OidcPublicConfig>;

export const OIDC_DEFAULT_LABEL = 'Se connecter avec Pro Santé Connect';

/** The sign-in URL for a role (what the page's button links to). */
export function oidcLoginHref(role: OidcRole): string {
  return `${OIDC_API.login}?role=${role}`;
}

/** What the hub says about OIDC; `null` when it cannot be asked (the page then shows the password form alone). */
export async function fetchOidcConfig(fetchImpl: typeof fetch = fetch): Promise<OidcPublicConfig | null> {
  try {
    const res = await fetchImpl(OIDC_API.config, { headers: { Accept: 'application/json' } });
    if (!res.ok) return null;
    const parsed = OidcPublicConfig.safeParse(await res.json());
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
