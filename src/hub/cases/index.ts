/**
 * Forwarded cases on the hub (src/shared/case-protocol.ts): the queue by
 * specialty, the doctor's review and answer, the pharmacy's counter.
 *
 * - Completeness: the record indexes a case when its manifest (the `case`
 *   item) is ingested, `incomplete`. It turns `waiting` (receivedAt = that
 *   moment) once the record holds the manifest, every entry's item and every
 *   upload of those items; re-checked when the manifest arrives, when any
 *   item of its session is stored, when an upload's last chunk lands, and
 *   when a node starts (a node that stopped between the two writes leaves no
 *   case behind), whatever the order of arrival. The step is one conditional
 *   statement: two nodes checking at once step it once.
 * - Changes travel by id on the network's bus (topic `cases`; no data on the
 *   bus): each node re-reads the case and notes its own consoles
 *   (`case.queue`, the whole queue of their specialties) and counter pages
 *   (`counter.cases`, the pharmacy's). Without a network, the node does it at once.
 * - One answer wins: the record's conditional statement decides (on
 *   PostgreSQL, across nodes); the loser is told who answered.
 * - An `urgent` answer rings the pharmacy's counter pages on each node
 *   (`counter.caseRing`) at once and every `counter.ringAgainSeconds` until a
 *   member of staff acknowledges it (recorded with their name).
 *
 * Health data (names, readings, answers) never goes to the log: ids and codes only.
 *
 * The access journal (../journal): a case opened, exported or answered, a
 * counter case acknowledged, each with its case id, is journaled before the
 * data leaves or the answer is stored; a doctor refused a case is journaled
 * as a refusal with the code. A queue (the doctor's list, the counter's
 * cases) is journaled once per view — asked for, or sent to a console or
 * page that just connected — as one entry without case ids; the updates an
 * open view then receives are not (like live readings of an opened session).
 */
import type { Bundle } from 'fhir/r4';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ageOn } from '../../shared/birth-date';
import {
  AcknowledgeCaseParams, AnswerCaseParams, CASE, CASE_ERRORS, CaseAnswer, CaseFile, OpenCaseParams, caseVideoUrl,
  type CaseQueueNote, type CaseSummary, type CounterCase,
} from '../../shared/case-protocol';
import { TARGET_ANSWER_HOURS, type CaseManifest, type CaseSpecialty } from '../../shared/case-record';
import { clipUrl } from '../../shared/clip-protocol';
import { codeOf } from '../../shared/errors';
import { systemClock, type Clock } from '../../shared/clock';
import { photoUrl, type Prescription } from '../../shared/consult-protocol';
import { reasonText } from '../../shared/intake';
import type { ClusterNode } from '../cluster/index';
import { signCaseAnswer } from '../consult/case-answer';
import { issuePrescription, loadSigningKey } from '../consult/prescription';
import { pseudonym } from '../consult/report';
import type { CounterPage, StaffRef } from '../counter/alerts';
import type { HubCounter } from '../counter/index';
import type { HubConfig } from '../directory';
import { refused, type Peer } from '../peer';
import { journaled, journalRefusal } from '../journal/report';
import type { AccessJournal, JournalAction, JournalResource } from '../journal/types';
import { exportCase } from '../record/export';
import type { HubRecord } from '../record/index';
import { RecordRefusal, type CaseRow, type RecordRepository } from '../record/repository';
import { Refreshes } from '../refresh';
import type { SpecialistGateway } from '../specialist-gateway';

/** Answered cases stay in a doctor's list this long after the answer. */
export const ANSWERED_LIST_MS = 7 * 24 * 3600_000;

export interface CasesOptions {
  record: HubRecord;
  config: HubConfig;
  log: Logger;
  counter: HubCounter;
  /** The consoles' gateway; none on a hub without media (then only the counter side runs). */
  specialists: SpecialistGateway | null;
  /** The network's bus; none on a single hub. */
  cluster: ClusterNode | null;
  /** Who saw what: cases opened, exported, answered, acknowledged; queues viewed. */
  journal: AccessJournal;
  /** Rings and "now" (tests). */
  clock?: Clock;
}

/** A case as the record holds it, with its manifest. */
interface Loaded {
  row: CaseRow;
  manifest: CaseManifest;
}

const UPLOADED = new Set(['photo', 'clip', 'video']);

export class HubCases {
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly consoles = new Set<Peer>();
  private readonly rings = new Map<string, { timer: unknown; ring: number; pharmacyId: string; pickupCode: string }>();
  /** A console's queue and a pharmacy's cases: one read at a time each, the last sent read after the last change. */
  private readonly queueReads = new Refreshes<Peer>();
  private readonly pharmacyReads = new Refreshes<string>();
  /** Cases acknowledged through this node whose acknowledgement no pharmacy read has seen yet. */
  private readonly acknowledgedHere = new Set<string>();
  private readonly unsubscribe: (() => void)[] = [];
  private key: Buffer | null = null;
  private closed = false;
  private recovered: Promise<void> | null = null;

  constructor(private readonly o: CasesOptions) {
    this.log = o.log.child({ module: 'hub.cases' });
    this.clock = o.clock ?? systemClock;
  }

  private get repo(): RecordRepository {
    return this.o.record.repo;
  }

  register(): void {
    const { record, specialists, counter, cluster } = this.o;
    this.unsubscribe.push(record.onIngested((_boothId, items) => {
      // A new manifest: the pharmacy's counter shows the case on its way (incomplete) at once.
      for (const item of items) if (item.kind === 'case') this.changed(item.data.caseId);
      const sessions = new Set(items.map((i) => i.sessionId).filter((s): s is string => s !== null));
      for (const sessionId of sessions) void this.recheck(sessionId);
    }));
    this.unsubscribe.push(record.onBlobComplete((_boothId, blobId) => {
      void this.repo.item(blobId).then((stored) => (stored?.item.sessionId ? this.recheck(stored.item.sessionId) : undefined))
        .catch((error: unknown) => this.log.error({ err: (error as Error).message }, 'case re-check after an upload failed'));
    }));
    if (cluster) {
      this.unsubscribe.push(cluster.bus.subscribe('cases', (event) => (event.kind === 'case' ? Promise.all(event.ids.map((id) => this.applyChange(id))).then(() => undefined) : undefined)));
      const resync = (): void => void this.refreshAll();
      cluster.on('resync', resync);
      this.unsubscribe.push(() => cluster.off('resync', resync));
    }

    if (specialists) {
      specialists.on('connected', (peer) => {
        this.consoles.add(peer);
        void this.noteQueue(peer, true);
      });
      specialists.on('disconnected', (peer) => this.consoles.delete(peer));
      specialists.handle(CASE.list, z.object({}).strict(), async (peer) => {
        const cases = await this.list(peer.id);
        await this.queueViewed({ role: 'specialist', id: peer.id }, 'case', peer.from);
        return { cases };
      });
      specialists.handle(CASE.open, OpenCaseParams, (peer, p) => this.open(peer.id, p.caseId, peer.from));
      specialists.handle(CASE.answer, AnswerCaseParams, (peer, p) => this.answer(peer.id, p, peer.from));
    }

    counter.handlePage(CASE.counterList, z.object({}).strict(), async (staff, _p, from) => {
      const cases = await this.counterCases(staff.pharmacyId);
      await this.queueViewed({ role: 'staff', id: staff.staffId }, 'counter.case', from);
      return { cases };
    });
    counter.handlePage(CASE.acknowledge, AcknowledgeCaseParams, (staff, p, from) => this.acknowledge(staff, p.caseId, from));
    this.unsubscribe.push(counter.onPageConnected((page) => void this.refreshPharmacy(page.pharmacyId, page)));
  }

  close(): void {
    this.closed = true;
    for (const off of this.unsubscribe) off();
    for (const r of this.rings.values()) this.clock.clearTimeout(r.timer);
    this.rings.clear();
    this.consoles.clear();
  }

  // ---- completeness ----------------------------------------------------------------------

  /**
   * Once per node, at the first use of the cases (not at start: a hub that
   * never receives a record opens no record file, ../stores.ts): a node that
   * stopped between storing a case's last part and stepping it left the case
   * incomplete; it is stepped here.
   */
  private recover(): Promise<void> {
    return (this.recovered ??= this.repo.incompleteCases().then(async (rows) => {
      for (const sessionId of new Set(rows.map((r) => r.sessionId))) await this.stepComplete(sessionId);
    }).catch((error: unknown) => this.log.error({ err: (error as Error).message }, 'case recovery failed')));
  }

  /** Steps every incomplete case of a session whose parts are all held. */
  async recheck(sessionId: string): Promise<void> {
    await this.recover();
    await this.stepComplete(sessionId);
  }

  private async stepComplete(sessionId: string): Promise<void> {
    try {
      for (const row of await this.repo.casesOfSession(sessionId)) {
        if (row.state !== 'incomplete' || !(await this.complete(row))) continue;
        if (await this.repo.markCaseWaiting(row.caseId, new Date(this.clock.now()).toISOString())) {
          this.log.info({ caseId: row.caseId, specialty: row.specialty }, 'case complete: in the queue');
          this.changed(row.caseId);
        }
      }
    } catch (error) {
      this.log.error({ err: (error as Error).message }, 'case re-check failed');
    }
  }

  private async complete(row: CaseRow): Promise<boolean> {
    const manifest = await this.manifestOf(row);
    if (!manifest) return false;
    for (const entry of manifest.entries) {
      if (entry.itemId === null) continue;
      const stored = await this.repo.item(entry.itemId);
      // An item of another booth under that id is not this case's.
      if (!stored || stored.boothId !== row.boothId) return false;
      if (UPLOADED.has(stored.item.kind) && !(await this.repo.blobComplete(entry.itemId))) return false;
    }
    return true;
  }

  private async manifestOf(row: CaseRow): Promise<CaseManifest | null> {
    const stored = await this.repo.item(row.manifestId);
    return stored?.item.kind === 'case' && stored.boothId === row.boothId ? stored.item.data : null;
  }

  private async load(caseId: string): Promise<Loaded | null> {
    await this.recover();
    const row = await this.repo.caseRow(caseId);
    if (!row) return null;
    const manifest = await this.manifestOf(row);
    return manifest ? { row, manifest } : null;
  }

  // ---- changes ----------------------------------------------------------------------------

  /** A case changed: every node (this one without a network) re-reads it and notes its consoles and pages. */
  private changed(caseId: string): void {
    const cluster = this.o.cluster;
    if (!cluster) {
      void this.applyChange(caseId);
      return;
    }
    cluster.bus.publish('cases', { kind: 'case', ids: [caseId] }).catch((error: unknown) => {
      this.log.error({ err: (error as Error).message, caseId }, 'hub network: case change not sent; noting this node only');
      void this.applyChange(caseId);
    });
  }

  private async applyChange(caseId: string): Promise<void> {
    if (this.closed) return;
    try {
      const row = await this.repo.caseRow(caseId);
      if (!row) return;
      for (const peer of this.consoles) {
        if (this.doctor(peer.id)?.cases.includes(row.specialty)) await this.noteQueue(peer);
      }
      if (row.pharmacyId) await this.refreshPharmacy(row.pharmacyId);
    } catch (error) {
      this.log.error({ err: (error as Error).message, caseId }, 'case change not applied');
    }
  }

  private async refreshAll(): Promise<void> {
    for (const peer of this.consoles) await this.noteQueue(peer);
    const pharmacies = new Set(this.o.config.booths.map((b) => b.pharmacyId).filter((p): p is string => !!p));
    for (const p of pharmacies) await this.refreshPharmacy(p);
  }

  /** A queue shown (one entry, no case ids); JournalUnavailableError when it cannot be journaled. */
  private queueViewed(actor: { role: 'specialist' | 'staff'; id: string }, resource: JournalResource, from: string | undefined): Promise<void> {
    return journaled(this.o.journal, { actor, action: 'read', resource, outcome: 'allowed', reason: 'list', from }, this.log);
  }

  /**
   * Sends a console its queue, read after any change before this call (one
   * read per console at a time: ../refresh.ts). `first`: the console just
   * connected; its first view is journaled before it is read (updates after
   * it are not), and nothing is shown if the journal refuses.
   */
  private async noteQueue(peer: Peer, first = false): Promise<void> {
    try {
      if (first) await this.queueViewed({ role: 'specialist', id: peer.id }, 'case', peer.from);
      await this.queueReads.request(peer, async () => {
        const note: CaseQueueNote = { cases: await this.list(peer.id) };
        peer.notify(CASE.queueNote, note);
      });
    } catch (error) {
      this.log.error({ err: (error as Error).message }, 'case queue not sent');
    }
  }

  /**
   * Notes the pharmacy's pages on this node its cases, read after any change
   * before this call (one read per pharmacy at a time: ../refresh.ts), and
   * rings what stands urgent and unacknowledged. `newPage`: a page just
   * opened, its first view journaled first; it rings at once too.
   */
  private async refreshPharmacy(pharmacyId: string, newPage?: CounterPage): Promise<void> {
    if (this.closed) return;
    try {
      if (newPage) await this.queueViewed({ role: 'staff', id: newPage.staffId }, 'counter.case', newPage.from);
      // Rings started before the page opened have not rung on it (those started from now on ring on every page).
      const rungBefore = new Set(this.rings.keys());
      await this.pharmacyReads.request(pharmacyId, async () => {
        const loaded = await this.pharmacyCases(pharmacyId);
        const cases = loaded.map((l) => counterCase(l));
        for (const page of this.o.counter.pagesOf(pharmacyId)) page.notify(CASE.counterNote, { cases });
        for (const { row } of loaded) {
          // A read begun before an acknowledgement here was stored must not ring that case again.
          if (row.acknowledgedBy !== null) this.acknowledgedHere.delete(row.caseId);
          const urgent = row.answer?.urgency === 'urgent' && row.acknowledgedBy === null && !this.acknowledgedHere.has(row.caseId);
          const ringing = this.rings.get(row.caseId);
          if (urgent && !ringing) this.startRing(row.caseId, pharmacyId, row.pickupCode);
          else if (!urgent && ringing) this.stopRing(row.caseId);
        }
      });
      if (newPage) {
        for (const [caseId, ringing] of this.rings) {
          if (ringing.pharmacyId === pharmacyId && rungBefore.has(caseId)) newPage.notify(CASE.ringNote, { caseId, pickupCode: ringing.pickupCode, ring: ringing.ring });
        }
      }
    } catch (error) {
      this.log.error({ err: (error as Error).message }, 'counter cases not sent');
    }
  }

  private startRing(caseId: string, pharmacyId: string, pickupCode: string): void {
    const ring = { timer: null as unknown, ring: 0, pharmacyId, pickupCode };
    const again = (): void => {
      ring.ring += 1;
      for (const page of this.o.counter.pagesOf(pharmacyId)) page.notify(CASE.ringNote, { caseId, pickupCode, ring: ring.ring });
      ring.timer = this.clock.setTimeout(again, this.o.config.counter.ringAgainSeconds * 1000);
    };
    this.rings.set(caseId, ring);
    again();
  }

  private stopRing(caseId: string): void {
    const ring = this.rings.get(caseId);
    if (!ring) return;
    this.clock.clearTimeout(ring.timer);
    this.rings.delete(caseId);
  }

  // ---- the console ----------------------------------------------------------------------------

  private doctor(specialistId: string): HubConfig['specialists'][number] | undefined {
    return this.o.config.specialists.find((s) => s.id === specialistId);
  }

  /** The doctor's queue: waiting cases of their specialties, the most overdue first, then those answered in the last 7 days, latest first. */
  async list(specialistId: string): Promise<CaseSummary[]> {
    await this.recover();
    const specialties = this.doctor(specialistId)?.cases ?? [];
    const since = new Date(this.clock.now() - ANSWERED_LIST_MS).toISOString();
    const out: { s: CaseSummary; answeredAt: string }[] = [];
    for (const row of await this.repo.casesOfSpecialties(specialties, since)) {
      const manifest = await this.manifestOf(row);
      if (manifest) out.push({ s: summary(row, manifest, this.o.config), answeredAt: row.answeredAt ?? '' });
    }
    const waiting = out.filter((c) => c.s.state === 'waiting').sort((a, b) => a.s.dueAt.localeCompare(b.s.dueAt));
    const answered = out.filter((c) => c.s.state === 'answered').sort((a, b) => b.answeredAt.localeCompare(a.answeredAt));
    return [...waiting, ...answered].map((c) => c.s);
  }

  /** A case this doctor may see, or the refusal that says why not (an unknown id and a forged one are alike). */
  private async forDoctor(specialistId: string, caseId: string): Promise<Loaded> {
    const loaded = await this.load(caseId);
    if (!loaded) throw refused(CASE_ERRORS.unknownCase, 'Ce dossier n’existe pas (ou plus) : rechargez la liste des dossiers.');
    if (!this.doctor(specialistId)?.cases.includes(loaded.row.specialty)) {
      this.log.warn({ specialistId, caseId }, 'refused a case outside the doctor\'s specialties');
      throw refused(CASE_ERRORS.notYourSpecialty, 'Ce dossier est adressé à une autre spécialité que la vôtre : il reste dans la file de cette spécialité.');
    }
    if (loaded.row.state === 'incomplete') throw refused(CASE_ERRORS.incomplete, 'Toutes les pièces de ce dossier ne sont pas encore arrivées : il apparaîtra dans la file dès qu’il sera complet.');
    return loaded;
  }

  /** forDoctor, a refusal journaled (the doctor is signed in: ../journal/report.ts says why only then). */
  private async forDoctorJournaled(specialistId: string, caseId: string, action: JournalAction, resource: JournalResource, from?: string): Promise<Loaded> {
    try {
      return await this.forDoctor(specialistId, caseId);
    } catch (error) {
      await journalRefusal(this.o.journal, {
        actor: { role: 'specialist', id: specialistId }, action, resource, resourceId: caseId, caseId, reason: codeOf(error) ?? 'INTERNAL', from,
      }, this.log);
      throw error;
    }
  }

  /** The entry of a doctor's access to a case, written before the data leaves or the answer is stored. */
  private doctorAccess(specialistId: string, row: CaseRow, action: JournalAction, resource: JournalResource, from?: string): Promise<void> {
    return journaled(this.o.journal, {
      actor: { role: 'specialist', id: specialistId }, action, resource, resourceId: row.caseId, caseId: row.caseId,
      sessionId: row.sessionId, boothId: row.boothId, outcome: 'allowed', from,
    }, this.log);
  }

  async open(specialistId: string, caseId: string, from?: string): Promise<CaseFile> {
    const { row, manifest } = await this.forDoctorJournaled(specialistId, caseId, 'read', 'case', from);
    const file: CaseFile = {
      summary: summary(row, manifest, this.o.config),
      patient: manifest.patient,
      note: manifest.note,
      compiledBy: `${manifest.compiledBy.name}, ${manifest.compiledBy.pharmacy.name}`,
      checklist: manifest.checklist,
      entries: manifest.entries,
      readings: [],
      photos: [],
      clips: [],
      video: null,
      answer: row.answer,
    };
    for (const entry of manifest.entries) {
      if (entry.itemId === null) continue;
      const stored = await this.repo.item(entry.itemId);
      if (!stored || stored.boothId !== row.boothId) continue;
      const { item } = stored;
      if (item.kind === 'reading') file.readings.push(item.data);
      else if (item.kind === 'photo') file.photos.push({ meta: item.data, url: photoUrl(item.data.id) });
      else if (item.kind === 'clip') file.clips.push({ meta: item.data, url: clipUrl(item.data.id) });
      else if (item.kind === 'video') file.video = { meta: item.data, url: caseVideoUrl(item.data.id) };
    }
    const parsed = CaseFile.parse(file);
    await this.doctorAccess(specialistId, row, 'read', 'case', from);
    this.log.info({ specialistId, caseId }, 'case opened');
    return parsed;
  }

  /**
   * The case as a FHIR R4 Bundle for a doctor of its specialty, with the
   * refusals of `case.open`: the subject under the pseudonym of the session's
   * GP report (report.ts), the video at its absolute address on `hubUrl`.
   */
  async bundleFor(specialistId: string, caseId: string, hubUrl: string, from?: string): Promise<Bundle> {
    const { row, manifest } = await this.forDoctorJournaled(specialistId, caseId, 'export', 'case.fhir', from);
    const bundle = await exportCase(
      this.repo,
      { manifest, boothId: row.boothId, receivedAt: row.receivedAt ?? manifest.completedAt, answer: row.answer },
      pseudonym(row.sessionId),
      (videoId) => new URL(caseVideoUrl(videoId), hubUrl).href,
    );
    await this.doctorAccess(specialistId, row, 'export', 'case.fhir', from);
    this.log.info({ specialistId, caseId }, 'case exported');
    return bundle;
  }

  /** The hub's signing key (the prescriptions'), loaded on first use. */
  private signingKey(): Buffer {
    if (this.key) return this.key;
    try {
      return (this.key = loadSigningKey(join(this.o.config.dataDir, 'prescription.key')));
    } catch (error) {
      this.log.error({ err: (error as Error).message }, 'signing key unavailable');
      throw refused('SIGNING_UNAVAILABLE', 'Le serveur ne peut pas signer la réponse pour le moment (clé de signature inaccessible) : rien n’a été enregistré. Prévenez le support technique, puis réessayez.');
    }
  }

  async answer(specialistId: string, p: z.output<typeof AnswerCaseParams>, from?: string): Promise<CaseAnswer> {
    const { row, manifest } = await this.forDoctorJournaled(specialistId, p.caseId, 'write', 'case.answer', from);
    if (row.answer) throw alreadyAnswered(row.answer.answeredBy.name);
    // Before the answer is stored: an answer the journal cannot record is not stored.
    await this.doctorAccess(specialistId, row, 'write', 'case.answer', from);
    const doctor = this.doctor(specialistId)!;
    const answeredBy = { id: doctor.id, name: doctor.name, specialty: doctor.specialty };
    const patient = { firstName: firstNameOf(manifest), age: ageOn(manifest.patient.birthDate, this.clock.now()) };
    const key = this.signingKey();
    for (let attempt = 1; ; attempt++) {
      const answeredAt = new Date(this.clock.now()).toISOString();
      let prescription: Prescription | undefined;
      if (p.prescription) {
        prescription = issuePrescription({ sessionId: row.sessionId, boothId: row.boothId, prescriber: answeredBy, patient, params: p.prescription }, key, answeredAt);
      }
      const answer = CaseAnswer.parse(signCaseAnswer(withoutUndefined({
        caseId: row.caseId, kind: p.kind, advice: p.advice, urgency: p.urgency, liveWithin: p.liveWithin, referral: p.referral, prescription, answeredBy, answeredAt,
      }), key));
      let outcome;
      try {
        outcome = await this.repo.answerCase(answer);
      } catch (error) {
        // 40 random bits a year: a number already issued is rare; the record refused it whole, so issue another.
        if (error instanceof RecordRefusal && error.code === 'DUPLICATE_NUMBER' && attempt < 3) continue;
        throw error;
      }
      if (!outcome.won) {
        if (outcome.answeredBy) throw alreadyAnswered(outcome.answeredBy);
        throw refused(CASE_ERRORS.incomplete, 'Ce dossier n’est pas dans la file (pièces manquantes) : rien n’a été enregistré.');
      }
      this.log.info({ specialistId, caseId: row.caseId, kind: p.kind, urgency: p.urgency, prescription: prescription?.number ?? null }, 'case answered');
      this.changed(row.caseId);
      return answer;
    }
  }

  // ---- the counter ---------------------------------------------------------------------------

  private async pharmacyCases(pharmacyId: string): Promise<Loaded[]> {
    await this.recover();
    const out: Loaded[] = [];
    for (const row of await this.repo.casesOfPharmacy(pharmacyId)) {
      const manifest = await this.manifestOf(row);
      if (manifest) out.push({ row, manifest });
    }
    // Newest first: the answer the counter waits for is usually the last case sent.
    return out.reverse();
  }

  async counterCases(pharmacyId: string): Promise<CounterCase[]> {
    return (await this.pharmacyCases(pharmacyId)).map((l) => counterCase(l));
  }

  /**
   * The case as this member of staff's counter sees it, or UNKNOWN_CASE (an
   * unknown id and another pharmacy's are alike): what the answer's PDF route
   * serves from.
   */
  async counterCaseFor(staff: StaffRef, caseId: string): Promise<CounterCase> {
    const loaded = await this.load(caseId);
    if (!loaded || loaded.row.pharmacyId !== staff.pharmacyId) {
      if (loaded) this.log.warn({ staffId: staff.staffId, caseId }, 'refused a case of another pharmacy');
      throw refused(CASE_ERRORS.unknownCase, 'Ce dossier n’existe pas, ou il n’est pas de votre pharmacie.');
    }
    return counterCase(loaded);
  }

  async acknowledge(staff: StaffRef, caseId: string, from?: string): Promise<{ acknowledgedBy: NonNullable<CounterCase['acknowledgedBy']> }> {
    const actor = { role: 'staff', id: staff.staffId } as const;
    let current: CounterCase;
    try {
      current = await this.counterCaseFor(staff, caseId);
    } catch (error) {
      await journalRefusal(this.o.journal, { actor, action: 'write', resource: 'counter.case', resourceId: caseId, caseId, reason: codeOf(error) ?? 'INTERNAL', from }, this.log);
      throw error;
    }
    if (!current.answer) throw refused(CASE_ERRORS.notAnswered, 'Ce dossier n’a pas encore de réponse : il n’y a rien à prendre en charge.');
    if (current.acknowledgedBy) return { acknowledgedBy: current.acknowledgedBy };
    await journaled(this.o.journal, { actor, action: 'write', resource: 'counter.case', resourceId: caseId, caseId, boothId: current.boothId, outcome: 'allowed', from }, this.log);
    const name = this.o.config.staff.find((s) => s.id === staff.staffId)?.name ?? staff.firstName;
    const by = { staffId: staff.staffId, name, at: new Date(this.clock.now()).toISOString() };
    const taken = await this.repo.acknowledgeCase(caseId, by);
    this.acknowledgedHere.add(caseId);
    this.stopRing(caseId);
    this.changed(caseId);
    if (!taken) return { acknowledgedBy: (await this.counterCaseFor(staff, caseId)).acknowledgedBy ?? by };
    this.log.info({ staffId: staff.staffId, caseId }, 'case answer acknowledged at the counter');
    return { acknowledgedBy: by };
  }

  // ---- access to the blobs --------------------------------------------------------------------

  /** Whether this doctor may read an item's bytes: an item of a complete case of one of their specialties. */
  async mayRead(specialistId: string, itemId: string): Promise<boolean> {
    const specialties = this.doctor(specialistId)?.cases ?? [];
    const stored = await this.repo.item(itemId);
    const sessionId = stored?.item.sessionId;
    if (!stored || !sessionId) return false;
    for (const row of await this.repo.casesOfSession(sessionId)) {
      if (row.boothId !== stored.boothId || row.state === 'incomplete' || !specialties.includes(row.specialty)) continue;
      if ((await this.manifestOf(row))?.entries.some((e) => e.itemId === itemId)) return true;
    }
    return false;
  }
}

function alreadyAnswered(name: string): Error {
  return refused(CASE_ERRORS.alreadyAnswered, `${name} a déjà répondu à ce dossier : votre réponse n’a pas été enregistrée. Rouvrez le dossier pour lire la sienne.`);
}

function firstNameOf(m: CaseManifest): string {
  return m.patient.firstNames.trim().split(/\s+/)[0] ?? '';
}

function dueAt(receivedAt: string, specialty: CaseSpecialty): string {
  return new Date(Date.parse(receivedAt) + TARGET_ANSWER_HOURS[specialty] * 3600_000).toISOString();
}

function summary(row: CaseRow, m: CaseManifest, config: HubConfig): CaseSummary {
  const receivedAt = row.receivedAt ?? m.completedAt;
  return {
    caseId: row.caseId,
    specialty: row.specialty,
    state: row.state,
    patient: { firstName: firstNameOf(m), age: ageOn(m.patient.birthDate, Date.parse(receivedAt)) },
    reason: reasonText(m.patient.reason, 'fr').slice(0, 300),
    question: m.question,
    // The booth's pharmacy as the hub knows it (the manifest's words are the booth's own).
    pharmacy: config.booths.find((b) => b.boothId === row.boothId)?.pharmacy ?? m.compiledBy.pharmacy,
    receivedAt,
    dueAt: dueAt(receivedAt, row.specialty),
    answeredBy: row.answer?.answeredBy.name ?? null,
  };
}

function counterCase({ row, manifest: m }: Loaded): CounterCase {
  return {
    caseId: row.caseId,
    boothId: row.boothId,
    pickupCode: row.pickupCode,
    patient: { birthName: m.patient.birthName, firstNames: m.patient.firstNames, birthDate: m.patient.birthDate },
    contactPhone: m.contactPhone,
    specialty: row.specialty,
    compiledBy: m.compiledBy.name,
    receivedAt: row.receivedAt ?? m.completedAt,
    state: row.state,
    answer: row.answer,
    acknowledgedBy: row.acknowledgedBy,
  };
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Builds and registers the cases (the composition root does, after the counter and media). */
export function registerCases(o: CasesOptions): HubCases {
  const cases = new HubCases(o);
  cases.register();
  return cases;
}
