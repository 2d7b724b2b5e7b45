/**
 * Who the patient is talking to, and who ended the call: the doctor's line
 * on the call screen ("Dr Claire Martin · Médecin généraliste", as the hub's
 * config names them) with their photo when the hub's config has one, and the
 * wrap-up's first line.
 */
import type { CallEndedBy, DoctorView, Language } from '../../../shared/session-view';
import { t, type MessageKey } from './i18n';

/** The doctor's name and specialty on one line; null when the hub named no one. */
export function doctorLine(doctor: DoctorView | null | undefined): string | null {
  const name = doctor?.name.trim();
  if (!doctor || !name) return null;
  const specialty = doctor.specialty.trim();
  return specialty ? `${name} · ${specialty}` : name;
}

/**
 * The doctor's photo beside their name, with its text alternative ("Photo du
 * Dr Claire Martin"); null when the hub sent none: no empty frame, no
 * placeholder, the name alone.
 */
export function doctorPhoto(doctor: DoctorView | null | undefined, lang: Language): { src: string; alt: string } | null {
  const name = doctor?.name.trim();
  if (!doctor?.photo || !name) return null;
  const key = /^(dr\b|docteur\b)/i.test(name) ? 'consultation.doctorPhotoDr' : 'consultation.doctorPhoto';
  return { src: doctor.photo, alt: t(lang, key, { name }) };
}

/** The wrap-up's first line: the doctor ended it, the connection did, or (not told) the call simply ended. */
export function callEndedKey(endedBy: CallEndedBy | null | undefined): MessageKey {
  if (endedBy === 'doctor') return 'wrapUp.ended.doctor';
  if (endedBy === 'connection') return 'wrapUp.ended.connection';
  return 'call.closed';
}
