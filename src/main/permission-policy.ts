/**
 * Permissions (DESIGN §1): camera and microphone for our own origin, nothing
 * else — no geolocation, notifications, HID/serial from the page, clipboard,
 * screen capture or external links.
 */
import type { Session } from 'electron';
import type { Logger } from 'pino';
import { isOwnOrigin } from './navigation-guard';

export interface PermissionQuery {
  permission: string;
  /** The requesting page's URL or origin. */
  origin: string;
  /** For 'media': what is asked for. */
  mediaTypes: readonly string[];
}

/** Grants 'media' with only video and/or audio, to our origin; denies everything else. */
export function isPermissionGranted(q: PermissionQuery, ownOrigin: string): boolean {
  if (q.permission !== 'media') return false;
  if (!isOwnOrigin(q.origin, ownOrigin)) return false;
  return q.mediaTypes.length > 0 && q.mediaTypes.every((t) => t === 'video' || t === 'audio');
}

export function installPermissionPolicy(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>, ownOrigin: string, log: Logger): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details && details.mediaTypes ? details.mediaTypes : [];
    const origin = ('securityOrigin' in details && details.securityOrigin) || details.requestingUrl;
    const granted = isPermissionGranted({ permission, origin, mediaTypes }, ownOrigin);
    if (!granted) log.warn({ permission, mediaTypes }, 'permission request denied');
    callback(granted);
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) => {
    const mediaTypes = details.mediaType ? [details.mediaType] : [];
    return isPermissionGranted({ permission, origin: details.securityOrigin ?? requestingOrigin, mediaTypes }, ownOrigin);
  });
  // WebHID/WebSerial/WebUSB from the page: never (the host owns the devices).
  session.setDevicePermissionHandler(() => false);
}
