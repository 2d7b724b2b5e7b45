/**
 * Answers of the routes that serve patient data (reports, photos, clips,
 * cases): never cached, never sniffed, and one 404 for what does not exist
 * and what the reader may not see, so a stranger learns nothing of what exists.
 */
import type { ServerResponse } from 'node:http';

export const PRIVATE = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' } as const;

/** Sends `body` as JSON with the private headers; true, the route's "answered". */
export function privateJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): true {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...PRIVATE, ...extra }).end(JSON.stringify(body));
  return true;
}

export const notFound = (res: ServerResponse): true => privateJson(res, 404, { error: 'NOT_FOUND', message: 'Introuvable, ou vous n’y avez pas accès.' });
