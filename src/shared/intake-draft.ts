/**
 * The intake as a form holds it while the pharmacist types (the assistant
 * panel's and the counter page's alike): strings as typed, choices not yet
 * made. `intakeInputOf` gives it the intake's shape for the shared schema
 * (src/shared/intake.ts) to judge, so that both forms say the same problems
 * for the same fields. Pure and browser-safe; health data, never logged.
 */
import type { BirthDateFields } from './birth-date';
import { checkNir, type ExceptionReason, type Intake, type NirCheck, type Pathway, type ReasonCode, type Sex } from './intake';

export interface IntakeDraft {
  birthName: string; firstNames: string; birth: BirthDateFields; sex: Sex | null; birthplaceCode: string; nir: string;
  reason: ReasonCode | null; reasonText: string; pathway: Pathway | null; exceptionReason: ExceptionReason | null;
  gpName: string; gpCity: string; gpMssante: string; reportToGp: boolean;
}

function fieldsOf(iso: string | undefined): BirthDateFields {
  const [year = '', month = '', day = ''] = iso ? iso.split('-') : [];
  return { day, month, year };
}

/** A draft of a saved intake, or an empty one. */
export function draftOf(saved: Intake | null | undefined): IntakeDraft {
  return {
    birthName: saved?.identity.birthName ?? '', firstNames: saved?.identity.firstNames ?? '', birth: fieldsOf(saved?.identity.birthDate),
    sex: saved?.identity.sex ?? null, birthplaceCode: saved?.identity.birthplaceCode ?? '', nir: saved?.identity.nir ?? '',
    reason: saved?.reason.code ?? null, reasonText: saved?.reason.text ?? '',
    pathway: saved?.pathway.pathway ?? null, exceptionReason: saved?.pathway.exceptionReason ?? null,
    gpName: saved?.gp?.name ?? '', gpCity: saved?.gp?.city ?? '', gpMssante: saved?.gp?.mssante ?? '', reportToGp: saved?.reportToGp ?? false,
  };
}

const optional = (v: string): string | undefined => (v.trim() ? v.trim() : undefined);

/**
 * What the form holds, in the intake's shape (empty optional fields left
 * out; a GP only when named), for the schema to judge: an unchosen sex,
 * reason or pathway stays absent and comes back as its problem.
 */
export function intakeInputOf(d: IntakeDraft, birthIso: string) {
  const birthplaceCode = optional(d.birthplaceCode);
  const nir = optional(d.nir);
  const text = optional(d.reasonText);
  const mssante = optional(d.gpMssante);
  const hasGp = !!(d.gpName.trim() || d.gpCity.trim() || mssante);
  return {
    identity: {
      birthName: d.birthName, firstNames: d.firstNames, birthDate: birthIso,
      sex: d.sex ?? undefined,
      ...(birthplaceCode ? { birthplaceCode } : {}), ...(nir ? { nir } : {}),
    },
    reason: { code: d.reason ?? undefined, ...(text ? { text } : {}) },
    pathway: { pathway: d.pathway ?? undefined, ...(d.pathway === 'exception' && d.exceptionReason ? { exceptionReason: d.exceptionReason } : {}) },
    gp: hasGp ? { name: d.gpName, city: d.gpCity, ...(mssante ? { mssante } : {}) } : null,
    reportToGp: d.reportToGp,
  };
}

/** The NIR's check as it is typed: nothing to say until the number is whole (15 characters), then its key right or wrong. */
export function nirAsTyped(typed: string): NirCheck | null {
  if (typed.replace(/[\s.-]/g, '').length < 15) return null;
  return checkNir(typed);
}
