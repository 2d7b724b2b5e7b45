/**
 * The consultation's data plane (src/shared/consult-protocol.ts), on a hub
 * with media: booth and console methods, the readings relay and the HTTP
 * routes for photos and reports.
 */
import type { HubMedia } from '../media/index';
import type { HubPorts } from '../ports';
import type { HubRecord } from '../record/index';
import { consultRoute } from './http';
import { ConsultService, type ConsultPorts } from './service';

export { ConsultService } from './service';
export { verifyQr, isValidPrescriptionNumber, contentDigest } from './prescription';

type ConsultHubPorts = Pick<HubPorts, 'booths' | 'directory' | 'config' | 'journal' | 'log' | 'addRoute' | 'onClose'>;

/** Registers the consultation on the hub's booths, its media and its record (the composition root does). */
export function registerConsult(
  ports: ConsultHubPorts,
  media: HubMedia,
  record: HubRecord,
  extra: Pick<ConsultPorts, 'openEmergency'> & { caseReadable?: (specialistId: string, itemId: string) => Promise<boolean> } = {},
): ConsultService {
  const { caseReadable, ...more } = extra;
  const log = ports.log.child({ module: 'hub.consult' });
  const service = new ConsultService({
    booths: ports.booths,
    specialists: media.specialists,
    rooms: media.service,
    record,
    directory: ports.directory,
    config: ports.config,
    journal: ports.journal,
    log,
    ...more,
  });
  service.register();
  ports.addRoute(consultRoute({
    auth: media.auth,
    repo: () => record.repo,
    config: ports.config,
    relayedTo: (specialistId, photoId) => service.relayedTo(specialistId, photoId),
    clipRelayedTo: (specialistId, clipId) => service.clips.relayedTo(specialistId, clipId),
    ...(caseReadable ? { caseReadable } : {}),
    journal: ports.journal,
    log,
  }));
  ports.onClose(() => service.close());
  return service;
}
