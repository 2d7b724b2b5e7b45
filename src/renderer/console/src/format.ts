/**
 * How the console words things for a French doctor: units for humans
 * (UCUM `Cel` → °C), the reimbursement pathway rule, reading flags as
 * badges, measurement progress, times in Europe/Paris. Pure functions, so
 * the wording is tested without a browser.
 */
import type { DeviceState, MeasurementKind, Quantity, Reading, ReadingFlag, UcumUnit } from '../../../shared/domain';
import { LOINC } from '../../../shared/domain';
import type { MeasurementProgress } from '../../../shared/consult-protocol';
import { ageOn, birthDateInWords } from '../../../shared/birth-date';
import { SEX_LABEL, type DoctorIntake } from '../../../shared/intake';
import type { ExceptionReason, Pathway } from '../../../shared/session-view';
import { EXCEPTION_LABEL_FR, parisClockTime, PATHWAY_LABEL_FR, quantityWording, UNIT_SYMBOL } from '../../../shared/wording';

/** Units as the console shows them: the symbols the kiosk and the GP report use, so the pulse reads "/min" everywhere. */
export const UNIT_LABEL: Record<UcumUnit, string> = UNIT_SYMBOL;

export const PATHWAY_LABEL = PATHWAY_LABEL_FR;
export const EXCEPTION_LABEL = EXCEPTION_LABEL_FR;

/** The pathway rule in words; an exception names its reason. */
export function pathwayText(pathway: Pathway | null | undefined, reason: ExceptionReason | null | undefined): string {
  if (!pathway) return 'Parcours non renseigné';
  if (pathway === 'exception') return reason ? `Exception : ${EXCEPTION_LABEL[reason]}` : 'Exception (motif non renseigné)';
  return PATHWAY_LABEL[pathway];
}

export const FLAG_LABEL: Record<ReadingFlag, string> = {
  'out-of-range': 'Hors plage',
  'body-movement': 'Mouvement',
  'cuff-too-loose': 'Brassard mal serré',
  'irregular-pulse': 'Pouls irrégulier',
  'pulse-rate-out-of-range': 'Pouls hors plage',
  'improper-position': 'Position incorrecte',
  'finger-out': 'Doigt retiré',
  searching: 'Recherche du signal',
  'low-perfusion': 'Perfusion faible',
  'sensor-fault': 'Capteur en défaut',
  intermediate: 'Mesure intermédiaire',
};

/** Flags that make a value unreliable (shown in red rather than amber). */
export const SEVERE_FLAGS: ReadonlySet<ReadingFlag> = new Set(['out-of-range', 'sensor-fault', 'finger-out', 'pulse-rate-out-of-range']);

export const KIND_LABEL: Record<MeasurementKind, string> = {
  temperature: 'Température',
  'blood-pressure': 'Tension artérielle',
  'cuff-pressure': 'Pression du brassard',
  spo2: 'Saturation (SpO₂)',
  'dermatoscope-photo': 'Photo dermatoscope',
  'otoscope-photo': 'Photo otoscope',
};

export const DEVICE_STATE_LABEL: Record<DeviceState, string> = {
  connecting: 'Connexion…',
  ready: 'Prêt',
  measuring: 'Mesure en cours',
  error: 'En erreur',
  disconnected: 'Débranché',
};

const decimal = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });

/** "36,8 °C", "72 /min", "97 %". */
export function quantityText(q: Pick<Quantity, 'value' | 'unit'>): string {
  const unit = UNIT_LABEL[q.unit];
  const value = decimal.format(q.value);
  return unit ? `${value}\u00a0${unit}` : value;
}

/** One part of a reading's display: a main value and its label. */
export interface ValuePart { label: string; text: string }

/**
 * A reading's values as a doctor reads them: blood pressure as
 * "128/82 mmHg" then the pulse, other kinds quantity by quantity.
 */
export function readingParts(reading: Pick<Reading, 'kind' | 'values'>): ValuePart[] {
  const by = (code: string): Quantity | undefined => reading.values.find((v) => v.code === code);
  if (reading.kind === 'blood-pressure') {
    const sys = by(LOINC.systolic);
    const dia = by(LOINC.diastolic);
    const parts: ValuePart[] = [];
    if (sys && dia) parts.push({ label: 'Tension', text: `${decimal.format(sys.value)}/${decimal.format(dia.value)}\u00a0${UNIT_LABEL[sys.unit]}` });
    for (const q of reading.values) {
      if ((sys && dia && (q === sys || q === dia)) || q.code === LOINC.meanArterial) continue;
      parts.push({ label: quantityWording(q.code)?.console ?? q.name, text: quantityText(q) });
    }
    return parts;
  }
  return reading.values.map((q) => ({ label: quantityWording(q.code)?.console ?? q.name, text: quantityText(q) }));
}

/** The quantity a trend follows for a kind (systolic for blood pressure, SpO₂ for the oximeter). */
export function trendQuantity(reading: Pick<Reading, 'kind' | 'values'>): Quantity | null {
  const code = reading.kind === 'blood-pressure' ? LOINC.systolic
    : reading.kind === 'spo2' ? LOINC.spo2
    : reading.kind === 'temperature' ? LOINC.bodyTemperature : null;
  if (!code) return null;
  return reading.values.find((v) => v.code === code) ?? null;
}

/** A value taken while the device was still measuring: never a row of the history. */
export function isLiveOnly(reading: Pick<Reading, 'kind' | 'flags'>): boolean {
  return reading.kind === 'cuff-pressure' || reading.flags.includes('intermediate');
}

/** The cuff's own live pressure, the only value that drives the gauge: no other device's value is shown as a cuff pressure. */
export function isCuffPressure(reading: Pick<Reading, 'kind' | 'device'>): boolean {
  return reading.kind === 'cuff-pressure' && reading.device.kind === 'bp-cuff';
}

/** "14:05:09", in Paris time whatever the computer's zone. */
export function timeText(iso: string): string {
  return parisClockTime(iso);
}

/** "à l’instant", "depuis 4 min", "depuis 1 h 05". */
export function waitedText(since: string, now: number): string {
  const min = Math.max(0, Math.floor((now - Date.parse(since)) / 60_000));
  if (min < 1) return 'à l’instant';
  if (min < 60) return `depuis ${min} min`;
  return `depuis ${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')}`;
}

/** Estimated wait: "≈ 5 min", "—" when the hub gave none. */
export function etaText(etaMinutes: number | null | undefined): string {
  if (etaMinutes === null || etaMinutes === undefined || !Number.isFinite(etaMinutes)) return '—';
  return etaMinutes < 1 ? 'moins d’1 min' : `≈ ${Math.round(etaMinutes)} min`;
}

/** A measurement request's stage as the doctor reads it. */
export function progressText(p: Pick<MeasurementProgress, 'stage' | 'step' | 'steps' | 'error'>): string {
  switch (p.stage) {
    case 'requested': return 'Demandé';
    case 'guidance': return p.step && p.steps ? `Le patient suit les instructions (étape ${p.step}/${p.steps})` : 'Le patient suit les instructions';
    case 'measuring': return 'Mesure en cours';
    case 'done': return 'Terminé';
    case 'error': return `Erreur : ${p.error?.message.fr ?? 'mesure impossible'}`;
    case 'cancelled': return 'Annulé';
  }
}

/** "1920 × 1080 px". */
export function resolutionText(width: number, height: number): string {
  return `${width} × ${height} px`;
}

/** "40 s", "2 min 05 s". */
export function secondsText(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/**
 * The booth away from its room, as the hub said it (`room.boothOffline`:
 * durations at the time it was sent) and when the console received it, on
 * the console's own clock: the hub's and the browser's clocks need not agree.
 */
export interface BoothAway { awayMs: number; endsInMs: number; receivedAt: number }

/** "Cabine hors ligne depuis 40 s" and what happens next: the call ends when the grace period runs out. */
export function boothAwayText(away: BoothAway, now: number): { title: string; detail: string } {
  const elapsed = Math.max(0, now - away.receivedAt);
  const since = Math.floor((away.awayMs + elapsed) / 1000);
  const left = Math.ceil((away.endsInMs - elapsed) / 1000);
  return {
    title: `Cabine hors ligne depuis ${secondsText(since)}`,
    detail: left > 0
      ? `L’appel sera terminé dans ${secondsText(left)} si elle ne revient pas.`
      : 'L’appel va être terminé : la cabine n’est pas revenue à temps.',
  };
}

/** Why the call ended, for the wrap-up (the hub's `room.closed` reason). */
export function endedText(reason: string | null): string {
  switch (reason) {
    case 'boothLost': return 'La cabine n’est pas revenue en ligne à temps : l’appel est terminé.';
    case 'boothRestarted': return 'La cabine a redémarré : l’appel est terminé.';
    case 'specialistLost': return 'Votre console est restée déconnectée trop longtemps : l’appel est terminé.';
    case 'mediaLost': return 'Le serveur vidéo n’a pas pu rétablir l’appel : il est terminé.';
    default: return 'L’appel est terminé.';
  }
}

/** How many patients wait for a doctor, for the wrap-up's way to the next one. */
export function waitingCountText(n: number): string {
  if (n === 0) return 'Aucun patient n’attend pour le moment.';
  return n === 1 ? '1 patient attend en salle d’attente.' : `${n} patients attendent en salle d’attente.`;
}

/**
 * The identity banner of the call: NOM Prénoms, the birth date in words (a
 * day/month swap cannot hide), the age on `now`'s Paris day, the sex.
 */
export function identityBanner(intake: DoctorIntake, now: number): { name: string; born: string; age: string; sex: string } {
  const age = ageOn(intake.birthDate, now);
  return {
    name: `${intake.birthName.toUpperCase()} ${intake.firstNames}`.trim(),
    born: `${intake.sex === 'F' ? 'née' : intake.sex === 'M' ? 'né' : 'né(e)'} le ${birthDateInWords(intake.birthDate, 'fr')}`,
    age: age === null ? 'âge inconnu' : age <= 1 ? `${age} an` : `${age} ans`,
    sex: SEX_LABEL.fr[intake.sex],
  };
}

/** Where the report goes: the GP by name and city (and secure address), or that the patient did not want it sent. */
export function reportText(intake: Pick<DoctorIntake, 'gp' | 'reportToGp'>): string {
  if (!intake.reportToGp || !intake.gp) return 'Le patient ne souhaite pas d’envoi au médecin traitant';
  const { name, city, mssante } = intake.gp;
  return `À envoyer à ${name} (${city})${mssante ? ` · ${mssante}` : ''}`;
}
