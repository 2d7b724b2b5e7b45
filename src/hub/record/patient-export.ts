/**
 * The patient's GDPR export (right of access, art. 15; portability, art. 20):
 * one FHIR R4 Bundle of type `collection` holding everything the hub keeps
 * about one patient, found through the patient index:
 * - a Patient: the identity as the latest intake gave it (names, birth date,
 *   sex, the NIR as an INS identifier), with the pseudonym of each session,
 *   so the nested bundles' subjects point at it;
 * - each session's report bundle as the GP receives it (./export.ts:
 *   readings, photos and clips with their bytes, notes, prescriptions);
 * - each forwarded case's bundle (src/shared/fhir-case.ts), its video as a
 *   Binary in this bundle (the case bundle refers to it by its urn);
 * - an AuditEvent per journal entry about those sessions and cases: who saw
 *   or changed what, when, allowed or refused.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEvent, Binary, Bundle, BundleEntry, Identifier, Patient } from 'fhir/r4';
import { PSEUDONYM_SYSTEM } from '../../shared/fhir';
import type { CaseManifest } from '../../shared/case-record';
import { pseudonym } from '../consult/report';
import type { HubConfig } from '../directory';
import type { JournalEntry } from '../journal/types';
import { exportCase, exportSession } from './export';
import type { PatientSessions } from './patient-index';
import type { RecordRepository } from './repository';

/** The INS's NIR (identifiant national de santé, the NIR as INS): its OID in French health software. */
export const INS_NIR_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.8';

const urn = (id: string): string => `urn:uuid:${id}`;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' ? v as Record<string, unknown> : {});

/** The journal's actions as FHIR's AuditEvent action codes (C create, R read, D delete, E execute). */
const AUDIT_ACTION: Record<JournalEntry['action'], AuditEvent['action']> = {
  read: 'R', export: 'R', write: 'C', purge: 'D', 'sign-in': 'E', 'sign-out': 'E', 'key-rotation': 'E',
};

export function auditEvent(e: JournalEntry): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    id: randomUUID(),
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: 'urn:cabine:journal-action', code: e.action }],
    action: AUDIT_ACTION[e.action],
    recorded: new Date(e.at).toISOString(),
    outcome: e.outcome === 'allowed' ? '0' : '4',
    ...(e.reason ? { outcomeDesc: e.reason } : {}),
    agent: [{
      type: { text: e.actor.role },
      who: { identifier: { system: 'urn:cabine:account', value: e.actor.id ?? 'anonymous' } },
      requestor: true,
      ...(e.from ? { network: { address: e.from, type: '2' as const } } : {}),
    }],
    source: { observer: { display: `Cabine hub ${e.node}` }, site: `journal #${e.seq}` },
    entity: [{
      what: { identifier: { system: 'urn:cabine:resource', value: e.resourceId ?? e.caseId ?? e.sessionId ?? e.resource } },
      name: e.resource,
      ...(e.sessionId ? { description: `session ${e.sessionId}${e.caseId ? `, case ${e.caseId}` : ''}` } : e.caseId ? { description: `case ${e.caseId}` } : {}),
    }],
  };
}

/** The Patient from the latest intake (or identity) the sessions hold; the pseudonyms of every session. */
async function patientResource(repo: RecordRepository, found: PatientSessions): Promise<Patient> {
  let identity: Record<string, unknown> = {};
  let latest = '';
  for (const s of found.sessions) {
    for (const { item } of await repo.sessionItems(s.sessionId)) {
      if (item.boothId !== s.boothId || item.kind !== 'sessionEvent' || item.data.at < latest) continue;
      const d = obj(item.data.data);
      if (item.data.type === 'intake') {
        identity = obj(obj(d.intake).identity);
        latest = item.data.at;
      } else if (item.data.type === 'identity' && !str(identity.nir)) {
        identity = { birthName: d.lastName, firstNames: d.firstName, birthDate: d.birthDate };
        latest = item.data.at;
      }
    }
  }
  const identifier: Identifier[] = found.sessions.map((s) => ({ system: PSEUDONYM_SYSTEM, value: pseudonym(s.sessionId) }));
  const nir = str(identity.nir);
  if (nir) identifier.unshift({ use: 'official', system: INS_NIR_SYSTEM, value: nir });
  const family = str(identity.birthName);
  const given = str(identity.firstNames)?.split(/\s+/);
  const birthDate = str(identity.birthDate);
  const sex = str(identity.sex);
  return {
    resourceType: 'Patient',
    id: randomUUID(),
    identifier,
    ...(family || given ? { name: [{ use: 'official', ...(family ? { family } : {}), ...(given ? { given } : {}) }] } : {}),
    ...(birthDate ? { birthDate } : {}),
    ...(sex === 'F' ? { gender: 'female' as const } : sex === 'M' ? { gender: 'male' as const } : {}),
  };
}

/** Everything the hub holds about one patient (`found`: the patient index's answer), with the journal entries about it. */
export async function patientBundle(repo: RecordRepository, config: HubConfig, found: PatientSessions, journal: JournalEntry[], now: Date = new Date()): Promise<Bundle> {
  const entry: BundleEntry[] = [];
  const patient = await patientResource(repo, found);
  entry.push({ fullUrl: urn(patient.id!), resource: patient });
  for (const s of found.sessions) {
    const notes = await repo.notes(s.sessionId);
    const bundle = await exportSession(repo, s.sessionId, pseudonym(s.sessionId), {
      boothId: s.boothId,
      notes: notes ? { text: notes.text, at: notes.at, author: { id: notes.authorId, name: config.specialists.find((d) => d.id === notes.authorId)?.name ?? notes.authorId } } : null,
      prescriptions: (await repo.sessionPrescriptions(s.sessionId)).map((p) => p.prescription).filter((p) => p.boothId === s.boothId),
    });
    entry.push({ fullUrl: urn(bundle.id ?? randomUUID()), resource: bundle });
  }
  for (const caseId of found.caseIds) {
    const row = await repo.caseRow(caseId);
    const stored = row ? await repo.item(row.manifestId) : null;
    if (!row || !stored || stored.item.kind !== 'case') continue;
    const manifest: CaseManifest = stored.item.data;
    const binaries: { binary: Binary; videoId: string }[] = [];
    const bundle = await exportCase(repo, { manifest, boothId: row.boothId, receivedAt: row.receivedAt ?? manifest.completedAt, answer: row.answer }, pseudonym(row.sessionId), (videoId) => {
      // The video's bytes travel in this bundle, as a Binary the case's Media points at.
      const binary: Binary = { resourceType: 'Binary', id: randomUUID(), contentType: 'video/webm' };
      binaries.push({ binary, videoId });
      return urn(binary.id!);
    });
    entry.push({ fullUrl: urn(bundle.id ?? randomUUID()), resource: bundle });
    for (const { binary, videoId } of binaries) {
      const video = await repo.item(videoId);
      if (video?.item.kind === 'video') binary.contentType = video.item.data.mime;
      // A video still incomplete on the hub has no bytes to give: the Binary says so by its absence of data.
      const bytes = await repo.photoBytes(videoId);
      if (bytes) binary.data = bytes.toString('base64');
      entry.push({ fullUrl: urn(binary.id!), resource: binary });
    }
  }
  for (const e of journal) {
    const a = auditEvent(e);
    entry.push({ fullUrl: urn(a.id!), resource: a });
  }
  return { resourceType: 'Bundle', id: randomUUID(), type: 'collection', timestamp: now.toISOString(), entry };
}
