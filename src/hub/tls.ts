/**
 * HTTPS on the hub (issue #21, docs/security.md). A hub node serves TLS
 * itself when its config names a certificate (`tls`), or plain HTTP on
 * loopback behind a TLS terminator on the same machine that sends
 * `X-Forwarded-Proto: https`. It never listens in clear on another
 * interface. Over TLS every answer carries HSTS, and the session cookies are
 * `Secure` (./auth.ts).
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CabineError, codeOf } from '../shared/errors';
import { isLoopbackHost } from '../shared/transport';
import type { HubConfig } from './directory';

/** Two years, subdomains included: the nodes of a network share a parent domain (config node.cookieDomain). */
export const HSTS = 'max-age=63072000; includeSubDomains';

/** The hub refused to start in clear, or cannot read its certificate. */
export class HubTlsError extends CabineError {
  constructor(code: 'TLS_REQUIRED' | 'TLS_UNREADABLE', detail: string, cause?: unknown) {
    super(code, code === 'TLS_REQUIRED'
      ? {
        fr: `Le hub ne peut pas écouter en clair sur ${detail} : donnez-lui un certificat (section "tls" de sa configuration) ou laissez-le sur 127.0.0.1 derrière un terminateur TLS.`,
        en: `The hub cannot listen in clear on ${detail}: give it a certificate (the config's "tls" section) or keep it on 127.0.0.1 behind a TLS terminator.`,
      }
      : {
        fr: `Le certificat du hub est illisible (${detail}) : vérifiez les chemins "tls.certFile" et "tls.keyFile" et leurs droits.`,
        en: `The hub's certificate cannot be read (${detail}): check the "tls.certFile" and "tls.keyFile" paths and their permissions.`,
      }, { cause, detail });
  }
}

/** Whether a request reached this hub over TLS: its own, or a terminator's in front of it. */
export function requestIsTls(req: IncomingMessage): boolean {
  return Boolean((req.socket as { encrypted?: boolean }).encrypted) || req.headers['x-forwarded-proto'] === 'https';
}

/** Sets HSTS on an answer to a request that came over TLS (a browser ignores it over plain HTTP anyway). */
export function markStrictTransport(req: IncomingMessage, res: ServerResponse): void {
  if (requestIsTls(req)) res.setHeader('Strict-Transport-Security', HSTS);
}

/** The certificate and key to serve, or null for plain HTTP, which only loopback may have. */
export function tlsCredentials(config: Pick<HubConfig, 'tls'>, host: string): { cert: Buffer; key: Buffer } | null {
  if (!config.tls) {
    if (!isLoopbackHost(host)) throw new HubTlsError('TLS_REQUIRED', host);
    return null;
  }
  const { certFile, keyFile } = config.tls;
  try {
    return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  } catch (cause) {
    throw new HubTlsError('TLS_UNREADABLE', `${codeOf(cause) ?? 'unreadable'}: ${certFile}, ${keyFile}`, cause);
  }
}
