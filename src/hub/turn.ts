/**
 * TURN for networks that block everything but a TLS port: the hub holds the
 * secret it shares with coturn (`use-auth-secret`) and hands each
 * authenticated booth and console a credential of its own that expires, the
 * time-limited scheme of coturn's REST API: the username is
 * `<expiry in Unix seconds>:<holder>`, the password base64(HMAC-SHA1(secret,
 * username)). coturn recomputes it and refuses it after the expiry, so a
 * credential copied out of a page is worth little and the secret never
 * leaves the hub.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';

/** `turn:` or `turns:`, a host (name, IPv4 or [IPv6]), an optional port and transport. */
const TURN_URL = /^turns?:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?(\?transport=(udp|tcp))?$/;

export const TurnConfig = z.object({
  /** What the pages are given, e.g. `turns:turn.example.org:443?transport=tcp`. */
  urls: z.array(z.string().regex(TURN_URL, 'a TURN URL such as "turns:turn.example.org:443?transport=tcp"')).min(1, 'at least one TURN URL').max(4),
  /** coturn's `static-auth-secret` (the same string in both configs). */
  secret: z.string().min(16, 'the secret shared with coturn, at least 16 characters (e.g. `openssl rand -hex 32`)'),
  /** How long a credential holds; a call that outlives it keeps its allocation (coturn checks it when allocating and refreshing). */
  ttlSeconds: z.number().int().min(60).max(86_400, 'at most a day (86400): credentials are meant to be short-lived').default(3600),
}).strict();
export type TurnConfig = z.infer<typeof TurnConfig>;

export interface TurnCredential {
  username: string;
  credential: string;
  /** When coturn stops taking it (epoch ms). */
  expiresAt: number;
}

/** A credential for `holder` (a booth or specialist id) valid `ttlSeconds` from `now` (epoch ms). */
export function turnCredential(secret: string, holder: string, ttlSeconds: number, now = Date.now()): TurnCredential {
  const expiry = Math.floor(now / 1000) + ttlSeconds;
  const username = `${expiry}:${holder}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64'), expiresAt: expiry * 1000 };
}

export interface IceServer {
  urls: string[];
  username: string;
  credential: string;
}

/** The `iceServers` a page of `holder` is given: none when the hub has no TURN server configured. */
export function iceServersFor(turn: TurnConfig | undefined, holder: string, now = Date.now()): IceServer[] {
  if (!turn) return [];
  const { username, credential } = turnCredential(turn.secret, holder, turn.ttlSeconds, now);
  return [{ urls: [...turn.urls], username, credential }];
}
