/**
 * The `patient` group of the operator's commands: a patient's rights under
 * the GDPR, the patient found through the record's patient index (keyed
 * hashes of the NIR, or of birth name + birth date: no row opened to search).
 *
 *   npm run admin -- patient accesses --nir <NIR> | --name <birth name> --birth-date <YYYY-MM-DD>
 *   npm run admin -- patient export   --nir <NIR> | --name <...> --birth-date <...> [--out <file>]
 *
 * `accesses` lists the journal's entries about the patient's sessions and
 * cases (right of access: who saw what, when); `export` writes one FHIR R4
 * Bundle of everything held about them (../record/patient-export.ts), in a
 * 0600 file. Both journal themselves before anything leaves, one entry per
 * session (actor `admin`, the operator); a journal that cannot be written
 * stops them. Exit 2: arguments a person must fix (said in French, then
 * English); exit 1: no record for this patient, said without anything else.
 */
import { chmodSync, renameSync, writeFileSync } from 'node:fs';
import { checkPatientQuery, type PatientQuery } from '../../node/search-key';
import type { JournalEntry, JournalEvent } from '../journal/types';
import { patientBundle } from '../record/patient-export';
import type { PatientSessions } from '../record/patient-index';
import type { AdminCommand, AdminCommands, AdminContext } from './types';

const WHO = '--nir <NIR> | --name <nom de naissance> --birth-date <AAAA-MM-JJ>';
export const NOT_FOUND = 'aucun dossier pour ce patient / no record for this patient';

interface Parsed {
  query: PatientQuery;
  out?: string;
}

/** The arguments, or the problem in words (never echoing a value: it may be a NIR). */
function parse(args: string[], allowOut: boolean): Parsed | { problem: string } {
  const flags = new Map<string, string>();
  const known = new Set(['--nir', '--name', '--birth-date', ...(allowOut ? ['--out'] : [])]);
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i]!;
    const value = args[i + 1];
    if (!known.has(flag)) return { problem: `option inconnue ${flag.startsWith('--') ? flag : '(une valeur sans option)'} / unknown option` };
    if (value === undefined || value.startsWith('--')) return { problem: `${flag} attend une valeur / ${flag} needs a value` };
    if (flags.has(flag)) return { problem: `${flag} donné deux fois / ${flag} given twice` };
    flags.set(flag, value);
  }
  const nir = flags.get('--nir');
  const name = flags.get('--name');
  const birthDate = flags.get('--birth-date');
  let query: PatientQuery;
  if (nir !== undefined) {
    if (name !== undefined || birthDate !== undefined) return { problem: 'soit --nir, soit --name avec --birth-date, pas les deux / either --nir, or --name with --birth-date, not both' };
    query = { nir };
  } else if (name !== undefined && birthDate !== undefined) {
    query = { birthName: name, birthDate };
  } else if (name !== undefined || birthDate !== undefined) {
    return { problem: '--name et --birth-date vont ensemble / --name and --birth-date go together' };
  } else {
    return { problem: 'dites qui chercher / say who to look for' };
  }
  const checked = checkPatientQuery(query);
  if (!checked.ok) return { problem: checked.problem };
  const out = flags.get('--out');
  return { query: checked.query, ...(out !== undefined ? { out } : {}) };
}

/** Finds the patient, or says why not (exit code and the line already written). */
async function find(ctx: AdminContext, args: string[], command: AdminCommand, allowOut: boolean, resource: string, action: JournalEvent['action']): Promise<{ parsed: Parsed; found: PatientSessions } | number> {
  const parsed = parse(args, allowOut);
  if ('problem' in parsed) {
    ctx.out(`arguments invalides : ${parsed.problem}`);
    ctx.out(`usage : patient ${resource === 'patient.export' ? 'export' : 'accesses'} ${command.usage}`);
    return 2;
  }
  const found = await ctx.stores.record.sessionsOfPatient(parsed.query);
  if (found.sessions.length === 0) {
    // A search that found nothing is journaled too (who looked), without any patient id.
    if (!(await journal(ctx, [{ actor: admin(ctx), action, resource, outcome: 'refused', reason: 'NOT_FOUND' }]))) return 1;
    ctx.out(NOT_FOUND);
    return 1;
  }
  return { parsed, found };
}

const admin = (ctx: AdminContext): JournalEvent['actor'] => ({ role: 'admin', id: ctx.operator });

/** Writes the entries; false (and a line) when the journal cannot take them: then nothing leaves. */
async function journal(ctx: AdminContext, events: JournalEvent[]): Promise<boolean> {
  try {
    for (const e of events) await ctx.journal.record(e);
    return true;
  } catch (error) {
    ctx.log.error({ err: (error as Error).message }, 'journal unavailable: patient command refused');
    ctx.out('le journal des accès ne peut pas être écrit : rien n\'a été lu ni exporté / the access journal cannot be written: nothing was read or exported');
    return false;
  }
}

/** One entry per session (its booth), then per case, under `resource`. */
function perSession(ctx: AdminContext, found: PatientSessions, action: JournalEvent['action'], resource: string): JournalEvent[] {
  return [
    ...found.sessions.map((s): JournalEvent => ({ actor: admin(ctx), action, resource, sessionId: s.sessionId, boothId: s.boothId, outcome: 'allowed' })),
    ...found.caseIds.map((caseId): JournalEvent => ({ actor: admin(ctx), action, resource, caseId, outcome: 'allowed' })),
  ];
}

/** The journal's entries about these sessions and cases, oldest first, each once (an entry may name both). */
async function entriesAbout(ctx: AdminContext, found: PatientSessions): Promise<JournalEntry[]> {
  const lists = await Promise.all([
    ctx.journal.list({ sessionIds: found.sessions.map((s) => s.sessionId) }),
    found.caseIds.length > 0 ? ctx.journal.list({ caseIds: found.caseIds }) : Promise.resolve([]),
  ]);
  const byKey = new Map<string, JournalEntry>();
  for (const e of lists.flat()) byKey.set(`${e.node}:${e.seq}`, e);
  return [...byKey.values()].sort((a, b) => a.at - b.at || a.seq - b.seq);
}

const accesses: AdminCommand = {
  summary: 'liste les accès au dossier d\'un patient (droit d\'accès RGPD) / lists the accesses to a patient\'s record',
  usage: WHO,
  async run(ctx, args) {
    const r = await find(ctx, args, accesses, false, 'patient.accesses', 'read');
    if (typeof r === 'number') return r;
    const entries = await entriesAbout(ctx, r.found);
    if (!(await journal(ctx, perSession(ctx, r.found, 'read', 'patient.accesses')))) return 1;
    ctx.out(`${entries.length} accès, ${r.found.sessions.length} séance(s), ${r.found.caseIds.length} cas / accesses, sessions, cases`);
    ctx.out(['quand/when', 'qui/who', 'rôle/role', 'action', 'ressource/resource', 'résultat/outcome'].join('\t'));
    for (const e of entries) {
      const resource = e.resourceId ? `${e.resource} ${e.resourceId}` : e.resource;
      ctx.out([new Date(e.at).toISOString(), e.actor.id ?? '-', e.actor.role, e.action, resource, e.reason ? `${e.outcome} (${e.reason})` : e.outcome].join('\t'));
    }
    return 0;
  },
};

/** Writes `text` to `file` readable by its owner only (0600), whole or not at all. */
function writePrivate(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

const exportCommand: AdminCommand = {
  summary: 'exporte tout ce que le hub garde d\'un patient, en FHIR R4 (RGPD) / exports everything held about a patient as FHIR R4',
  usage: `${WHO} [--out <fichier>]`,
  async run(ctx, args) {
    const r = await find(ctx, args, exportCommand, true, 'patient.export', 'export');
    if (typeof r === 'number') return r;
    const entries = await entriesAbout(ctx, r.found);
    const bundle = await patientBundle(ctx.stores.record, ctx.config, r.found, entries);
    if (!(await journal(ctx, perSession(ctx, r.found, 'export', 'patient.export')))) return 1;
    const text = JSON.stringify(bundle, null, 2);
    if (r.parsed.out === undefined) {
      ctx.out(text);
      return 0;
    }
    try {
      writePrivate(r.parsed.out, text);
    } catch (error) {
      ctx.out(`impossible d'écrire ${r.parsed.out} (${(error as NodeJS.ErrnoException).code ?? 'erreur'}) : choisissez un dossier existant où vous pouvez écrire / cannot write the file: choose an existing folder you may write to`);
      return 2;
    }
    ctx.out(`export écrit dans ${r.parsed.out} (0600) : ${r.found.sessions.length} séance(s), ${r.found.caseIds.length} cas, ${entries.length} accès / export written`);
    return 0;
  },
};

export const commands: AdminCommands = { accesses, export: exportCommand };
