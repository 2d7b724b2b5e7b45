/**
 * Who the patient is talking to, and who ended the call: the doctor's line
 * on the call screen ("Dr Claire Martin · Médecin généraliste", as the hub's
 * config names them) and the wrap-up's first line.
 */
import type { CallEndedBy, DoctorView } from '../../../shared/session-view';
import type { MessageKey } from './i18n';

/** The doctor's name and specialty on one line; null when the hub named no one. */
export function doctorLine(doctor: DoctorView | null | undefined): string | null {
  const name = doctor?.name.trim();
  if (!doctor || !name) return null;
  const specialty = doctor.specialty.trim();
  return specialty ? `${name} · ${specialty}` : name;
}

/** The wrap-up's first line: the doctor ended it, the connection did, or (not told) the call simply ended. */
export function callEndedKey(endedBy: CallEndedBy | null | undefined): MessageKey {
  if (endedBy === 'doctor') return 'wrapUp.ended.doctor';
  if (endedBy === 'connection') return 'wrapUp.ended.connection';
  return 'call.closed';
}
