/**
 * Keyed hashes of the fields staff and the operator search a patient on (the
 * NIR; the birth name with the birth date), so that the hub finds a
 * patient's sessions without opening every sealed row, and without holding
 * those values in clear: HMAC-SHA256 under a key of its own
 * (`<keyDir ?? dataDir>/search.key`, a FileKeyProvider file), never the
 * data key. Without the key a stolen index is a list of random-looking
 * strings; a guess of a NIR cannot be checked against it.
 *
 * Each hash is stored with the id of the key it was made with, so that a
 * rotation adds a key and re-hashes in the background while lookups try
 * every key still in the file.
 */
import { createHmac } from 'node:crypto';
import type { KeyProvider } from './keys';
import { checkNir } from '../shared/intake';

/** Who is searched: by NIR, or by birth name and birth date (YYYY-MM-DD). */
export type PatientQuery = { nir: string } | { birthName: string; birthDate: string };

/** The identity fields an item carries (any may be missing). */
export interface PatientIdentity {
  nir?: string | null;
  birthName?: string | null;
  birthDate?: string | null;
}

/** The hashes one identity is indexed under, with the key that made them. */
export interface PatientHashes {
  keyId: number;
  nir: string | null;
  name: string | null;
}

/** A NIR as the intake keeps it (src/shared/intake.ts `checkNir`): spaces, dots and hyphens out, upper case (Corsica's 2A/2B). */
export function normaliseNir(typed: string): string {
  return typed.replace(/[\s.-]/g, '').toUpperCase();
}

/**
 * A birth name folded so that the ways it gets typed meet: accents off
 * (« Hélène » = « HELENE »), ligatures spelt out (Œ → OE), upper case, and
 * spaces, hyphens and apostrophes dropped (« Le Goff », « LE-GOFF », « LEGOFF »).
 */
export function normaliseBirthName(typed: string): string {
  return typed
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[œŒ]/g, 'OE')
    .replace(/[æÆ]/g, 'AE')
    .replace(/ß/g, 'SS')
    .toUpperCase()
    .replace(/[\s\-‐‑–—'’`.]/g, '');
}

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/**
 * A query as an operator typed it, checked: the NIR's format and key (the
 * intake's own check), or a birth name with letters and a real YYYY-MM-DD
 * date. A problem in words, French then English, never the value typed.
 */
export function checkPatientQuery(q: PatientQuery): { ok: true; query: PatientQuery } | { ok: false; problem: string } {
  if ('nir' in q) {
    const check = checkNir(q.nir);
    if (check.ok) return { ok: true, query: { nir: check.nir } };
    return check.problem === 'nir-format'
      ? { ok: false, problem: 'le NIR a 13 caractères puis une clé de 2 chiffres (15 en tout) / the NIR has 13 characters then a 2-digit key (15 in all)' }
      : { ok: false, problem: 'la clé du NIR ne correspond pas au numéro / the NIR\'s key does not match the number' };
  }
  if (normaliseBirthName(q.birthName) === '') return { ok: false, problem: 'le nom de naissance est vide / the birth name is empty' };
  if (!ISO_DATE.test(q.birthDate) || Number.isNaN(Date.parse(`${q.birthDate}T00:00:00Z`))
    || new Date(`${q.birthDate}T00:00:00Z`).toISOString().slice(0, 10) !== q.birthDate) {
    return { ok: false, problem: 'la date de naissance s\'écrit AAAA-MM-JJ et doit exister / the birth date is written YYYY-MM-DD and must exist' };
  }
  return { ok: true, query: q };
}

/** Keyed hashes of patient identities, under the search key's current key (indexing) or every key it holds (lookups). */
export class PatientHasher {
  constructor(private readonly keys: KeyProvider) {}

  /**
   * Reads the key file again now if it changed (a rotation by this process's
   * schedule or by the admin command): current() alone looks at most once a
   * second, so a re-hash started right after a rotation would hash under the
   * old key, and that key could never be retired.
   */
  refresh(): void {
    this.keys.refresh?.();
  }

  /** The id of the key new hashes are made with (rows under another are due for re-hashing). */
  keyId(): number {
    return this.keys.current().id;
  }

  private mac(keyId: number, field: 'nir' | 'name', value: string): string {
    const key = this.keys.byId(keyId);
    if (!key) throw new Error(`search key ${keyId} unknown`);
    // The field's name in front: a NIR never collides with a name that reads the same.
    return createHmac('sha256', key.key).update(`cabine-search:${field}\0${value}`, 'utf8').digest('hex');
  }

  private nirValue(nir: string): string | null {
    const n = normaliseNir(nir);
    return n === '' ? null : n;
  }

  private nameValue(birthName: string, birthDate: string): string | null {
    const n = normaliseBirthName(birthName);
    return n === '' || !ISO_DATE.test(birthDate) ? null : `${n}\0${birthDate}`;
  }

  /** What to store for an identity; null when it carries nothing searchable. */
  index(identity: PatientIdentity): PatientHashes | null {
    const keyId = this.keys.current().id;
    const nir = identity.nir ? this.nirValue(identity.nir) : null;
    const name = identity.birthName && identity.birthDate ? this.nameValue(identity.birthName, identity.birthDate) : null;
    if (nir === null && name === null) return null;
    return { keyId, nir: nir === null ? null : this.mac(keyId, 'nir', nir), name: name === null ? null : this.mac(keyId, 'name', name) };
  }

  /**
   * The hashes a query may be stored under, one per key the file holds (ids
   * run from 1 to the current one: rotation adds the next), for the column
   * `nir_hash` or `name_hash`.
   */
  probes(query: PatientQuery): { column: 'nir_hash' | 'name_hash'; hashes: string[] } {
    const ids: number[] = [];
    for (let id = 1; id <= this.keys.current().id; id++) if (this.keys.byId(id)) ids.push(id);
    if ('nir' in query) {
      const v = this.nirValue(query.nir);
      return { column: 'nir_hash', hashes: v === null ? [] : ids.map((id) => this.mac(id, 'nir', v)) };
    }
    const v = this.nameValue(query.birthName, query.birthDate);
    return { column: 'name_hash', hashes: v === null ? [] : ids.map((id) => this.mac(id, 'name', v)) };
  }
}
