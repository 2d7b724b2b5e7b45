/**
 * The forwarded cases' HTTP routes (src/shared/case-protocol.ts):
 * - `caseAnswerPdfUrl(caseId)`: the doctor's answer as the pharmacy prints it
 *   (../consult/case-answer-pdf.ts), for the pharmacy's staff with the counter's
 *   cookie; a case of another pharmacy and an unknown one get the same 404; a
 *   case not answered yet a 409 that says so.
 * - `caseBundleUrl(caseId)`: the case as a FHIR R4 Bundle, for a doctor of
 *   its specialty with the console's cookie (the rule of `case.open`); another
 *   specialty and an unknown id get the same 404; a case whose parts have not
 *   all arrived a 409.
 * No cookie is a 401. Every body is private (`Cache-Control: no-store`); the
 * PDF's file name holds the pick-up code, never the patient's name.
 *
 * Both are journaled (../journal) before a byte leaves — the PDF as a read of
 * `case.answer` by the member of staff, the bundle as an export of
 * `case.fhir` by the doctor (./index.ts) — and a journal that cannot be
 * written turns them into a 503 JOURNAL_UNAVAILABLE. A signed-in caller
 * refused a case is journaled as a refusal; a caller without a cookie is not.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CASE_ERRORS } from '../../shared/case-protocol';
import { formatPickupCode } from '../../shared/case-record';
import { HubRequestError } from '../../shared/hub-protocol';
import type { SpecialistAuth } from '../auth';
import { CaseNotAnsweredError, caseAnswerPdf } from '../consult/case-answer-pdf';
import type { StaffAuth } from '../counter/staff-auth';
import type { HubConfig } from '../directory';
import { JournalUnavailableError } from '../journal/errors';
import { callerAddress, journaled, journalRefusal } from '../journal/report';
import type { AccessJournal } from '../journal/types';
import type { HubRoute } from '../ports';
import { notFound, PRIVATE, privateJson as json } from '../private-answer';
import type { HubCases } from './index';

const ANSWER_PDF = /^\/api\/counter\/cases\/([^/]+)\/answer\.pdf$/;
const BUNDLE = /^\/api\/cases\/([^/]+)\/case\.fhir\.json$/;
const CaseId = z.uuid();

export interface CaseRouteDeps {
  cases: Pick<HubCases, 'counterCaseFor' | 'bundleFor'>;
  staffAuth: Pick<StaffAuth, 'session'>;
  /** The console's sign-in; none on a hub without media (then no doctor, and no bundle route). */
  specialistAuth: Pick<SpecialistAuth, 'session'> | null;
  config: HubConfig;
  /** The hub's own address: the video's absolute URL in the bundle. */
  hubUrl: string;
  /** Who saw what: the printed answers (the bundles are journaled by `bundleFor`). */
  journal: AccessJournal;
  log: Logger;
}

/** The case id of a path, or null when it cannot be one (never sent to the record). */
function caseIdOf(part: string): string | null {
  try {
    const id = decodeURIComponent(part);
    return CaseId.safeParse(id).success ? id : null;
  } catch {
    return null;
  }
}

const refusal = (error: unknown, code: string): boolean => error instanceof HubRequestError && error.code === code;

export function caseRoute(deps: CaseRouteDeps): HubRoute {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const pdf = ANSWER_PDF.exec(path);
    const bundle = pdf || !deps.specialistAuth ? null : BUNDLE.exec(path);
    if (!pdf && !bundle) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'METHOD' }, { Allow: 'GET, HEAD' });
    try {
      return await (pdf ? answerPdf(deps, req, res, pdf[1]!) : caseBundle(deps, req, res, bundle![1]!));
    } catch (error) {
      // The entry is written before the head: nothing of the document has left.
      if (!(error instanceof JournalUnavailableError) || res.headersSent) throw error;
      return json(res, 503, { error: error.code, message: error.messageFor('fr') }, { 'Retry-After': '5' });
    }
  };
}

async function answerPdf(deps: CaseRouteDeps, req: IncomingMessage, res: ServerResponse, part: string): Promise<true> {
  const staff = await deps.staffAuth.session(req);
  if (!staff) return json(res, 401, { error: 'NOT_LOGGED_IN', message: 'Connectez-vous à la page du comptoir pour imprimer cette réponse.' });
  const actor = { role: 'staff', id: staff.staffId } as const;
  const from = callerAddress(req);
  const caseId = caseIdOf(part);
  if (!caseId) {
    await journalRefusal(deps.journal, { actor, action: 'read', resource: 'case.answer', reason: 'NOT_FOUND', from }, deps.log);
    return notFound(res);
  }
  let c;
  try {
    c = await deps.cases.counterCaseFor({ staffId: staff.staffId, firstName: staff.firstName, pharmacyId: staff.pharmacyId }, caseId);
  } catch (error) {
    if (refusal(error, CASE_ERRORS.unknownCase)) {
      await journalRefusal(deps.journal, { actor, action: 'read', resource: 'case.answer', resourceId: caseId, caseId, reason: CASE_ERRORS.unknownCase, from }, deps.log);
      return notFound(res);
    }
    throw error;
  }
  // The pharmacy as the hub knows it: the booth's, else the first of the staff member's own.
  const booth = deps.config.booths.find((b) => b.boothId === c.boothId) ?? deps.config.booths.find((b) => b.pharmacyId === staff.pharmacyId);
  let bytes: Buffer;
  try {
    bytes = await caseAnswerPdf(c, booth?.pharmacy ?? { name: '', city: '' });
  } catch (error) {
    if (!(error instanceof CaseNotAnsweredError)) throw error;
    return json(res, 409, { error: error.code, message: error.messageFor('fr') });
  }
  await journaled(deps.journal, { actor, action: 'read', resource: 'case.answer', resourceId: caseId, caseId, boothId: c.boothId, outcome: 'allowed', from }, deps.log);
  deps.log.info({ staffId: staff.staffId, caseId }, 'case answer printed');
  res.writeHead(200, {
    'Content-Type': 'application/pdf',
    'Content-Length': String(bytes.length),
    'Content-Disposition': `inline; filename="reponse-${formatPickupCode(c.pickupCode)}.pdf"`,
    ...PRIVATE,
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
  return true;
}

async function caseBundle(deps: CaseRouteDeps, req: IncomingMessage, res: ServerResponse, part: string): Promise<true> {
  const session = await deps.specialistAuth!.session(req);
  if (!session) return json(res, 401, { error: 'NOT_LOGGED_IN', message: 'Connectez-vous à la console pour exporter ce dossier.' });
  const caseId = caseIdOf(part);
  if (!caseId) return notFound(res);
  let bundle;
  try {
    bundle = await deps.cases.bundleFor(session.specialistId, caseId, deps.hubUrl, callerAddress(req));
  } catch (error) {
    if (refusal(error, CASE_ERRORS.unknownCase) || refusal(error, CASE_ERRORS.notYourSpecialty)) return notFound(res);
    if (refusal(error, CASE_ERRORS.incomplete)) return json(res, 409, { error: CASE_ERRORS.incomplete, message: (error as Error).message });
    throw error;
  }
  const body = Buffer.from(JSON.stringify(bundle));
  res.writeHead(200, { 'Content-Type': 'application/fhir+json; charset=utf-8', 'Content-Length': String(body.length), ...PRIVATE });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
