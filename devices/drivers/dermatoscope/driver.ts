/**
 * Dermatoscope capture button over HID (report 0x02). The image itself comes
 * from the UVC camera in the renderer; this driver only says "capture now"
 * (on press) with the lighting mode, through {@link DermatoscopeDriver.onCapture}.
 */
import { CaptureButtonEdgeDetector, decodeDermatoscopeReport, type Polarisation } from '../../protocols/dermatoscope-hid';
import { HidDriver, type HidDriverOptions } from '../hid/hid-driver';

export type DermatoscopeDriverOptions = HidDriverOptions;

export const DERMATOSCOPE_USB_ID = { vendorId: 0x1209, productId: 0x0002 } as const;

export interface CaptureRequest {
  deviceId: string;
  polarisation: Polarisation;
  at: string;
}

export class DermatoscopeDriver extends HidDriver {
  readonly kind = 'dermatoscope' as const;
  private readonly edges = new CaptureButtonEdgeDetector();
  private readonly captureListeners = new Set<(request: CaptureRequest) => void>();
  private polarisationNow: Polarisation = 'none';

  /** Calls `listener` on each press of the capture button; returns an unsubscribe function. */
  onCapture(listener: (request: CaptureRequest) => void): () => void {
    this.captureListeners.add(listener);
    return () => this.captureListeners.delete(listener);
  }

  /** The lighting mode from the last report. */
  polarisation(): Polarisation {
    return this.polarisationNow;
  }

  protected onReport(bytes: Uint8Array): void {
    const decoded = decodeDermatoscopeReport(bytes);
    if (!decoded.ok) return this.badFrame(`${decoded.error.code}: ${decoded.error.message}`, decoded.error);
    this.polarisationNow = decoded.value.polarisation;
    if (this.edges.update(decoded.value) !== 'press') return;
    const request = { deviceId: this.id, polarisation: this.polarisationNow, at: this.now().toISOString() };
    for (const listener of this.captureListeners) listener(request);
  }

  protected override onUnplug(): void {
    this.edges.reset();
  }
}
