/**
 * Turns the dermatoscope's level-style reports (button held / not held) into
 * press and release events.
 *
 * @module
 */

import type { DermatoscopeReport } from './report';

/** A change of the capture button. */
export type ButtonEdge = 'press' | 'release';

/**
 * Remembers the last capture-button state and reports changes. Starts released,
 * so a first report with the button held is a `press`. Pure: no timers, no I/O.
 */
export class CaptureButtonEdgeDetector {
  private held = false;

  /** Feeds the next report; returns the edge it makes, or `undefined` if the button did not change. */
  update(report: Pick<DermatoscopeReport, 'capture'>): ButtonEdge | undefined {
    if (report.capture === this.held) return undefined;
    this.held = report.capture;
    return this.held ? 'press' : 'release';
  }

  /**
   * Forgets the state (e.g. the device was unplugged). Returns `release` if the
   * button was held, so listeners never see a press without its release.
   */
  reset(): ButtonEdge | undefined {
    const wasHeld = this.held;
    this.held = false;
    return wasHeld ? 'release' : undefined;
  }

  /** Whether the button was held in the last report. */
  get pressed(): boolean {
    return this.held;
  }
}
