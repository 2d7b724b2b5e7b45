/**
 * The consultation's data plane (src/shared/consult-protocol.ts), registered
 * on a hub with media: booth and console methods, the readings relay and the
 * HTTP routes for photos and reports.
 */
import type { Hub } from '../server';
import { hubRecord } from '../record/index';
import { consultRoute } from './http';
import { ConsultService } from './service';

export { ConsultService } from './service';
export { verifyQr, isValidPrescriptionNumber, contentDigest } from './prescription';

/** Registers the consultation on a hub whose media is attached (startHub does). */
export function registerConsult(hub: Hub): ConsultService {
  if (!hub.media) throw new Error('the consultation needs the hub\'s media (startHub without media: false)');
  const record = hubRecord(hub);
  const log = hub.log.child({ module: 'hub.consult' });
  const service = new ConsultService(hub, hub.media, record, log);
  service.register();
  hub.addRoute(consultRoute({
    auth: hub.media.auth,
    repo: () => record.repo,
    config: hub.config,
    relayedTo: (specialistId, photoId) => service.relayedTo(specialistId, photoId),
    log,
  }));
  hub.onClose(() => service.close());
  return service;
}
