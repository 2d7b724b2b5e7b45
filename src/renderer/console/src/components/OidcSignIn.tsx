import { useEffect, useState } from 'react';
import { fetchOidcConfig, oidcLoginHref, type OidcPublicConfig } from '../../../../shared/oidc-protocol';

/** What the hub says about OIDC sign-in, asked once (null until it answers, or if it cannot be asked). */
export function useOidcConfig(): OidcPublicConfig | null {
  const [config, setConfig] = useState<OidcPublicConfig | null>(null);
  useEffect(() => {
    let live = true;
    void fetchOidcConfig().then((c) => { if (live) setConfig(c); });
    return () => { live = false; };
  }, []);
  return config;
}

/**
 * « Se connecter avec Pro Santé Connect »: a plain link (a full-page
 * navigation to the hub, which sends the browser on to the provider).
 */
export function OidcSignIn({ config }: { config: OidcPublicConfig }) {
  return <a className="oidc-sign-in" href={oidcLoginHref('specialist')} data-testid="oidc-sign-in">{config.label}</a>;
}
