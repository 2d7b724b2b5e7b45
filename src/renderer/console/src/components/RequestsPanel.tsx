import { memo, useState } from 'react';
import { EAR_SIDES, type DeviceKind, type DeviceStatus, type Ear } from '../../../../shared/domain';
import type { RequestableKind, RequestMeasurementParams } from '../../../../shared/consult-protocol';
import type { RequestEntry } from '../consult-state';
import { DEVICE_STATE_LABEL, KIND_LABEL, progressText, timeText } from '../format';

/** The measurement each device takes when asked; a device without one (the stethoscope is listened to, not asked) has no row here. */
const KIND_OF_DEVICE: Partial<Record<DeviceKind, RequestableKind>> = { thermometer: 'temperature', 'bp-cuff': 'blood-pressure', oximeter: 'spo2', dermatoscope: 'dermatoscope-photo', otoscope: 'otoscope-photo' };
/** "Oreille gauche" / "Oreille droite" beside the radio buttons. */
const EAR_LABEL: Record<Ear, string> = { left: 'Oreille gauche', right: 'Oreille droite' };
const ORDER: DeviceKind[] = ['thermometer', 'bp-cuff', 'oximeter', 'dermatoscope', 'otoscope', 'stethoscope'];

function RequestRow({ device, kind, onRequest }: { device: DeviceStatus; kind: RequestableKind; onRequest: (p: RequestMeasurementParams) => Promise<void> }) {
  const [extra, setExtra] = useState('');
  const [ear, setEar] = useState<Ear | null>(null);
  const [busy, setBusy] = useState(false);
  const usable = device.state !== 'disconnected' && device.state !== 'error';
  const extraField = kind === 'blood-pressure' ? { label: 'Consigne (facultatif)', placeholder: 'ex. bras gauche', key: 'note' as const }
    : kind === 'dermatoscope-photo' ? { label: 'Zone du corps', placeholder: 'ex. avant-bras gauche', key: 'bodySite' as const } : null;
  const id = `req-${device.deviceId}`;
  const send = async (): Promise<void> => {
    setBusy(true);
    try {
      const text = extra.trim();
      await onRequest({ kind, ...(extraField && text ? { [extraField.key]: text } : {}), ...(kind === 'otoscope-photo' && ear ? { ear } : {}) });
      setExtra('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="request" data-request-kind={kind}>
      <button type="button" onClick={() => void send()} disabled={!usable || busy || (kind === 'otoscope-photo' && !ear)} aria-describedby={`${id}-state`}>{KIND_LABEL[kind]}</button>
      {kind === 'otoscope-photo' && (
        // The otoscope's only body sites: one ear or the other, chosen before the button can ask.
        <fieldset className="request__ear">
          <legend className="sr-only">Oreille</legend>
          {EAR_SIDES.map((side) => (
            <label key={side}>
              <input type="radio" name={`${id}-ear`} value={side} checked={ear === side} disabled={!usable} onChange={() => setEar(side)} />
              {' '}{EAR_LABEL[side]}
            </label>
          ))}
        </fieldset>
      )}
      {extraField && (
        <label className="request__extra">
          <span className="sr-only">{extraField.label}</span>
          <input id={`${id}-extra`} value={extra} maxLength={kind === 'blood-pressure' ? 200 : 120} placeholder={extraField.placeholder} onChange={(e) => setExtra(e.target.value)} disabled={!usable}
            onKeyDown={(e) => { if (e.key === 'Enter' && !busy) { e.preventDefault(); void send(); } }} />
        </label>
      )}
      <span id={`${id}-state`} className={`badge badge--${device.state}`}>{DEVICE_STATE_LABEL[device.state]}{device.state === 'error' && device.error ? ` : ${device.error.message.fr}` : ''}</span>
    </li>
  );
}

/** A button per device the booth has, and each request's progress as the booth reports it. */
export const RequestsPanel = memo(function RequestsPanel({ devices, requests, onRequest, live }: { devices: DeviceStatus[]; requests: RequestEntry[]; onRequest: (p: RequestMeasurementParams) => Promise<void>; live: boolean }) {
  const present = devices.flatMap((d) => { const kind = KIND_OF_DEVICE[d.kind]; return kind ? [{ device: d, kind }] : []; })
    .sort((a, b) => ORDER.indexOf(a.device.kind) - ORDER.indexOf(b.device.kind));
  return (
    <section className="panel requests" aria-labelledby="requests-title">
      <h2 id="requests-title">Demander une mesure</h2>
      {!live ? <p className="muted">La consultation est terminée.</p>
        : present.length === 0 ? <p className="muted">La cabine n’a signalé aucun appareil.</p> : (
          <ul className="request-list">
            {present.map(({ device, kind }) => <RequestRow key={device.deviceId} device={device} kind={kind} onRequest={onRequest} />)}
          </ul>
        )}
      {requests.length > 0 && (
        <ol className="progress-list" aria-label="Suivi des demandes" aria-live="polite">
          {requests.map((r) => (
            <li key={r.key} data-request-id={r.requestId ?? undefined} data-stage={r.stage} className={`progress progress--${r.stage}`}>
              <span className="progress__kind">{KIND_LABEL[r.kind]}{r.note ? ` (${r.note})` : ''}{r.bodySite ? ` — ${r.bodySite}` : ''}{r.requestId === null ? <span className="muted"> · par la pharmacie</span> : null}</span>
              <span className="progress__stage">{progressText(r)}</span>
              <time className="mono muted" dateTime={r.at}>{timeText(r.at)}</time>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
});
