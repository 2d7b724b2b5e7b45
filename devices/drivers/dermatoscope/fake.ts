/** In-memory dermatoscope button for host and UI tests (no bytes). */
import { FakeDriver } from '../fake-driver';
import type { CaptureRequest } from './driver';

export class FakeDermatoscope extends FakeDriver {
  private readonly captureListeners = new Set<(request: CaptureRequest) => void>();
  constructor(id = 'dermatoscope-1') {
    super(id, 'dermatoscope');
  }
  onCapture(listener: (request: CaptureRequest) => void): () => void {
    this.captureListeners.add(listener);
    return () => this.captureListeners.delete(listener);
  }
  /** As if the capture button were pressed. */
  press(polarisation: CaptureRequest['polarisation'] = 'polarised'): void {
    for (const l of this.captureListeners) l({ deviceId: this.id, polarisation, at: new Date().toISOString() });
  }
}
