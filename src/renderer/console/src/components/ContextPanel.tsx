import { memo } from 'react';
import { systemClock, type Clock } from '../../../../shared/clock';
import type { DeviceStatus } from '../../../../shared/domain';
import type { ContextNote } from '../../../../shared/consult-protocol';
import { reasonText, type DoctorIntake } from '../../../../shared/intake';
import { DEVICE_WORDING, parisClockTime } from '../../../../shared/wording';
import { DEVICE_STATE_LABEL, identityBanner, pathwayText, reportText } from '../format';
import type { Waiting } from '../types';

const LANGUAGE: Record<'fr' | 'en', string> = { fr: 'Français', en: 'Anglais' };

/** Device states as small badges: what the doctor may ask for right now. */
export function DeviceList({ devices }: { devices: DeviceStatus[] }) {
  if (devices.length === 0) return <p className="muted">Aucun appareil signalé par la cabine.</p>;
  return (
    <ul className="devices">
      {devices.map((d) => (
        <li key={d.deviceId} data-device={d.deviceId} data-state={d.state}>
          <span>{DEVICE_WORDING[d.kind].console}{d.info ? <span className="muted"> · {d.info.model}</span> : null}</span>
          <span className={`badge badge--${d.state}`}>{DEVICE_STATE_LABEL[d.state]}</span>
        </li>
      ))}
    </ul>
  );
}

/**
 * Who the doctor is treating, above the call: NOM Prénoms, birth date in
 * words, age, sex, from the pharmacist's intake. Absent when no intake was
 * taken (the first name and age stay in the patient panel).
 */
export function IdentityBanner({ intake, clock = systemClock }: { intake: DoctorIntake | null | undefined; clock?: Pick<Clock, 'now'> }) {
  if (!intake) return null;
  const b = identityBanner(intake, clock.now());
  return (
    <p className="identity-banner" data-testid="identity-banner" aria-label="Identité du patient">
      <strong>{b.name}</strong><span>{b.born}</span><span>{b.age}</span><span>{b.sex}</span>
    </p>
  );
}

/** Who is in the booth and where: from the `consult.context` note, or the queue entry until it arrives. */
export const ContextPanel = memo(function ContextPanel({ context, entry, devices }: { context: ContextNote | null; entry: Waiting | null; devices: DeviceStatus[] }) {
  const p = context?.patient;
  const firstName = p?.firstName ?? entry?.firstName ?? null;
  const age = p?.age ?? entry?.age ?? null;
  const pharmacy = context?.pharmacy ?? entry?.pharmacy ?? null;
  const language = p?.language ?? entry?.language ?? null;
  const intake = p?.intake ?? null;
  const reason = intake ? reasonText(intake.reason, 'fr') : p?.reason ?? entry?.reason ?? null;
  const pathway = intake ? intake.pathway : { pathway: p?.pathway ?? entry?.pathway, exceptionReason: p?.exceptionReason ?? entry?.exceptionReason };
  return (
    <section className="panel context" aria-labelledby="context-title">
      <h2 id="context-title">Patient</h2>
      <dl className="facts">
        <div><dt>Prénom, âge</dt><dd>{[firstName ?? 'Non renseigné', age !== null ? `${age} ans` : null].filter(Boolean).join(', ')}</dd></div>
        <div><dt>Motif</dt><dd data-testid="context-reason">{reason ?? 'Motif non précisé'}</dd></div>
        <div><dt>Parcours</dt><dd>{pathwayText(pathway.pathway, pathway.exceptionReason)}</dd></div>
        {intake && <div><dt>Consentement</dt><dd>{intake.consentAt ? `donné à ${parisClockTime(intake.consentAt)}` : 'heure non transmise'}</dd></div>}
        {intake && <div><dt>Compte rendu</dt><dd data-testid="context-report">{reportText(intake)}</dd></div>}
        <div><dt>Langue</dt><dd>{language ? LANGUAGE[language] : '—'}</dd></div>
        <div><dt>Pharmacie</dt><dd>{pharmacy ? `${pharmacy.name}, ${pharmacy.city}` : '—'}</dd></div>
        <div><dt>Cabine</dt><dd className="mono">{context?.boothId ?? entry?.boothId ?? '—'}</dd></div>
      </dl>
      <h3>Appareils</h3>
      <DeviceList devices={devices} />
    </section>
  );
});
