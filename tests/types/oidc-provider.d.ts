/**
 * The part of oidc-provider 9 that tests/helpers/oidc-provider.ts uses
 * (the package ships no types; @types/oidc-provider lags its majors).
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type { Socket } from 'node:net';

  export interface Grant {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  export interface KoaContext {
    path: string;
    body: unknown;
    socket: Socket;
    oidc: {
      provider: Provider;
      client?: { clientId: string };
      session?: { accountId?: string; grantIdFor(clientId: string): string | undefined };
      result?: { consent?: { grantId?: string } };
    };
  }

  export interface Interaction {
    uid: string;
    params: Record<string, unknown>;
  }

  export interface Configuration {
    clients?: Record<string, unknown>[];
    jwks?: { keys: Record<string, unknown>[] };
    clientAuthMethods?: string[];
    acrValues?: string[];
    claims?: Record<string, string[] | null>;
    pkce?: { required?: () => boolean };
    ttl?: Record<string, number>;
    features?: Record<string, unknown>;
    findAccount?: (ctx: KoaContext, sub: string) => { accountId: string; claims: () => Record<string, unknown> } | undefined;
    interactions?: { url: (ctx: KoaContext, interaction: Interaction) => string };
    loadExistingGrant?: (ctx: KoaContext) => Promise<Grant | undefined>;
    cookies?: { keys: string[] };
  }

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    Grant: {
      new (init: { clientId: string; accountId: string }): Grant;
      find(id: string): Promise<Grant | undefined>;
    };
    use(middleware: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  }
}
