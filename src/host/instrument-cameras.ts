/**
 * The otoscope is a UVC camera with no driver of its own: only the kiosk's
 * renderer can see it (`navigator.mediaDevices`). The renderer says whether
 * the camera kiosk-config names (`media.otoscope`) is there; this turns that
 * into the otoscope's DeviceStatus, listed with the drivers' once found so
 * that the console shows its row; unplugged afterwards, it is a device fault
 * like any other instrument's. A booth whose kiosk-config names no otoscope
 * has none.
 */
import type { DeviceInfo, DeviceStatus } from '../shared/domain';
import type { MediaSelection } from '../shared/media-devices';

/** The otoscope's device id (one per booth). */
export const OTOSCOPE_DEVICE_ID = 'otoscope';

export class InstrumentCameras {
  /** Null until the renderer has found the camera once: a booth lists only an otoscope it has seen. */
  private status: DeviceStatus | null = null;

  constructor(
    private readonly media: MediaSelection,
    private readonly sink: { acceptDeviceStatus(status: DeviceStatus): void },
    private readonly now: () => number,
  ) {}

  /** The otoscope's status, once the renderer has found it. */
  statuses(): DeviceStatus[] {
    return this.status ? [this.status] : [];
  }

  /** What the instrument's camera says about itself (its label, as the browser lists it). */
  info(): DeviceInfo | undefined {
    return this.status?.info;
  }

  /**
   * The renderer found the camera (`label`: what the browser lists) or did
   * not. A camera never found is not listed (the console has no row for it,
   * the hub refuses a request for it); one found then lost is unplugged, a
   * device fault like any instrument's, until it is found again.
   */
  report(present: boolean, label: string | undefined): { accepted: boolean } {
    if (!this.media.otoscope) return { accepted: false };
    const current = this.status;
    if (!current && !present) return { accepted: true };
    const state = present ? 'ready' : 'disconnected';
    const model = label ?? current?.info?.model ?? 'UVC';
    if (current?.state === state && current.info?.model === model) return { accepted: true };
    const info: DeviceInfo = { id: OTOSCOPE_DEVICE_ID, kind: 'otoscope', model, serial: '', firmware: '' };
    this.status = {
      deviceId: OTOSCOPE_DEVICE_ID, kind: 'otoscope', state, info, at: new Date(this.now()).toISOString(),
      ...(present ? {} : { error: { code: 'DISCONNECTED', message: { fr: 'La caméra de l’otoscope est débranchée.', en: "The otoscope's camera is unplugged." } } }),
    };
    this.sink.acceptDeviceStatus(this.status);
    return { accepted: true };
  }
}
