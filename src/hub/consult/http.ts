/**
 * The console's HTTP routes of the consultation, with the specialist's
 * session cookie: a photo's or a stethoscope clip's bytes, and the GP report (PDF, FHIR). Access
 * follows the claims the record keeps (so it survives a hub restart): a
 * specialist reaches only the sessions they held. Anything else is a 404
 * with one body for all cases, so a stranger learns nothing of what exists;
 * no cookie is a 401.
 *
 * Every photo, clip, video and report served is journaled first (../journal):
 * the entry is written before a byte leaves, and a journal that cannot be
 * written turns the read into a 503 JOURNAL_UNAVAILABLE. A signed-in
 * specialist refused an item is journaled as a refusal (FORBIDDEN when it
 * exists, NOT_FOUND when it does not); a caller without a cookie is not.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { SpecialistAuth } from '../auth';
import type { HubConfig } from '../directory';
import type { RecordRepository } from '../record/repository';
import { JournalUnavailableError } from '../journal/errors';
import { callerAddress, journaled, journalRefusal } from '../journal/report';
import type { AccessJournal, JournalEvent } from '../journal/types';
import type { HubRoute } from '../ports';
import { notFound, PRIVATE, privateJson as json } from '../private-answer';
import { gatherReport, reportBundle, reportPdf } from './report';

const PHOTO = /^\/api\/(photos|clips|videos)\/([^/]+)$/;
const REPORT = /^\/api\/sessions\/([^/]+)\/report\.(pdf|fhir\.json)$/;

function decode(part: string): string | null {
  try {
    const v = decodeURIComponent(part);
    return v.length > 0 && v.length <= 128 ? v : null;
  } catch {
    return null;
  }
}

export interface ConsultRouteDeps {
  auth: SpecialistAuth;
  repo: () => RecordRepository;
  config: HubConfig;
  /** Photos relayed to this specialist's current room (booths that gave no session id). */
  relayedTo: (specialistId: string, photoId: string) => boolean;
  /** Clips relayed to this specialist's current room (booths that gave no session id). */
  clipRelayedTo?: (specialistId: string, clipId: string) => boolean;
  /** Items of forwarded cases this doctor answers (their `cases` specialties): photos, clips and the patient's video. */
  caseReadable?: (specialistId: string, itemId: string) => Promise<boolean>;
  /** Who saw what: each document served awaits its entry. */
  journal: AccessJournal;
  log: Logger;
}

/**
 * The one byte range a `Range: bytes=…` header asks for, within `size` bytes:
 * null when there is none (or it is not a single bytes range: the whole is
 * served, as RFC 9110 allows), 'unsatisfiable' when it starts past the end.
 */
export function byteRange(header: string | undefined, size: number): [number, number] | null | 'unsatisfiable' {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return null;
  return [start, end];
}

export function consultRoute(deps: ConsultRouteDeps): HubRoute {
  const serve = documents(deps);
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    try {
      return await serve(req, res);
    } catch (error) {
      // The entry is written before the head: nothing of the document has left.
      if (!(error instanceof JournalUnavailableError) || res.headersSent) throw error;
      return json(res, 503, { error: error.code, message: error.messageFor('fr') }, { 'Retry-After': '5' });
    }
  };
}

function documents(deps: ConsultRouteDeps): HubRoute {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const photo = PHOTO.exec(path);
    const report = photo ? null : REPORT.exec(path);
    if (!photo && !report) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'METHOD' }, { Allow: 'GET, HEAD' });
    const session = await deps.auth.session(req);
    if (!session) return json(res, 401, { error: 'NOT_LOGGED_IN', message: 'Connectez-vous à la console pour voir ce document.' });
    const repo = deps.repo();
    const who = session.specialistId;
    const actor = { role: 'specialist', id: who } as const;
    const from = callerAddress(req);
    const refuse = async (event: Omit<JournalEvent, 'outcome' | 'actor' | 'action' | 'from'> & { reason: string }): Promise<true> => {
      await journalRefusal(deps.journal, { actor, action: 'read', from, ...event }, deps.log);
      return notFound(res);
    };

    if (photo) {
      // A photo, a clip or a case's video: the same access rules, the bytes under the item's own id.
      const kind = photo[1] === 'photos' ? 'photo' : photo[1] === 'clips' ? 'clip' : 'video';
      const photoId = decode(photo[2]!);
      if (!photoId) return refuse({ resource: kind, reason: 'NOT_FOUND' });
      const stored = await repo.item(photoId);
      // NOTE: the booth's outbox sends a photo (a clip) under its own id (item id = photo id).
      if (!stored || stored.item.kind !== kind || stored.item.data.id !== photoId) return refuse({ resource: kind, resourceId: photoId, reason: 'NOT_FOUND' });
      const meta = stored.item.data;
      const sessionId = meta.sessionId ?? stored.item.sessionId;
      // A video exists only in a forwarded case: the doctors of its specialty read it, nobody else.
      const inCall = kind === 'video' ? false : sessionId !== null
        ? (await repo.claimsOf(who, sessionId)).some((c) => c.boothId === stored.boothId)
        : kind === 'photo' ? deps.relayedTo(who, photoId) : deps.clipRelayedTo?.(who, photoId) ?? false;
      const allowed = inCall || (await deps.caseReadable?.(who, photoId) ?? false);
      if (!allowed) {
        deps.log.warn({ specialistId: who, kind }, 'refused a photo, clip or video outside the specialist\'s sessions and cases');
        return refuse({ resource: kind, resourceId: photoId, sessionId: sessionId ?? undefined, boothId: stored.boothId, reason: 'FORBIDDEN' });
      }
      const bytes = await repo.photoBytes(photoId);
      if (!bytes) return refuse({ resource: kind, resourceId: photoId, sessionId: sessionId ?? undefined, boothId: stored.boothId, reason: 'NOT_FOUND' });
      await journaled(deps.journal, {
        actor, action: 'read', resource: kind, resourceId: photoId, sessionId: sessionId ?? undefined, boothId: stored.boothId,
        outcome: 'allowed', reason: inCall ? 'session' : 'case', from,
      }, deps.log);
      const head = { 'Content-Type': meta.mime, 'Content-Security-Policy': "default-src 'none'", ...PRIVATE };
      if (kind !== 'video') {
        res.writeHead(200, { ...head, 'Content-Length': String(bytes.length) });
        res.end(req.method === 'HEAD' ? undefined : bytes);
        return true;
      }
      // <video> seeks with byte ranges (RFC 9110 §14): one range served, several or none satisfiable refused.
      const range = byteRange(req.headers.range, bytes.length);
      if (range === 'unsatisfiable') {
        res.writeHead(416, { ...head, 'Content-Range': `bytes */${bytes.length}` }).end();
        return true;
      }
      const [start, end] = range ?? [0, bytes.length - 1];
      const body = bytes.subarray(start, end + 1);
      res.writeHead(range ? 206 : 200, {
        ...head, 'Accept-Ranges': 'bytes', 'Content-Length': String(body.length), ...(range ? { 'Content-Range': `bytes ${start}-${end}/${bytes.length}` } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    }

    const resource = report![2] === 'pdf' ? 'report' : 'report.fhir';
    const sessionId = decode(report![1]!);
    if (!sessionId) return refuse({ resource, reason: 'NOT_FOUND' });
    const claims = await repo.claimsOf(who, sessionId);
    if (claims.length === 0) {
      deps.log.warn({ specialistId: who }, 'refused a report outside the specialist\'s sessions');
      return refuse({ resource, resourceId: sessionId, sessionId, reason: 'FORBIDDEN' });
    }
    const data = await gatherReport(repo, deps.config, sessionId, claims);
    await journaled(deps.journal, {
      actor, action: report![2] === 'pdf' ? 'read' : 'export', resource, resourceId: sessionId, sessionId, boothId: claims[0]!.boothId, outcome: 'allowed', from,
    }, deps.log);
    deps.log.info({ specialistId: who, format: report![2] }, 'report served');
    if (report![2] === 'pdf') {
      const pdf = await reportPdf(data);
      res.writeHead(200, {
        'Content-Type': 'application/pdf',
        'Content-Length': String(pdf.length),
        'Content-Disposition': `inline; filename="compte-rendu-${sessionId.replace(/[^A-Za-z0-9-]/g, '')}.pdf"`,
        ...PRIVATE,
      });
      res.end(req.method === 'HEAD' ? undefined : pdf);
      return true;
    }
    const bundle = await reportBundle(repo, data);
    const body = Buffer.from(JSON.stringify(bundle));
    res.writeHead(200, { 'Content-Type': 'application/fhir+json; charset=utf-8', 'Content-Length': String(body.length), ...PRIVATE });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
