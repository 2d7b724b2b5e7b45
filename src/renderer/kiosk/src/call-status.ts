/**
 * The one call status the kiosk shows. The media session's state, the
 * video's failure to start and the page's network banner each know part of
 * the story; the patient reads one sentence: the failed video (a message
 * filling the video panel, with the pharmacist's button), or one line beside
 * the video — "connecting", "reconnecting", "ended", "the pharmacy's
 * network blocks the call" (no media path at all, see media/media-path.ts),
 * or "the doctor is talking to you" once the call is connected, and only
 * then the quality.
 */
import type { CallState } from '../../../media/session';

export interface CallStatusShown {
  line: 'talking' | 'connecting' | 'reconnecting' | 'blocked' | 'closed' | null;
  failedPanel: boolean;
  quality: boolean;
}

export function callStatusShown({ state, failed, networkBanner }: { state: CallState; failed: boolean; networkBanner: boolean }): CallStatusShown {
  if (failed) return { line: null, failedPanel: true, quality: false };
  switch (state) {
    case 'connected': return { line: 'talking', failedPanel: false, quality: true };
    case 'reconnecting': return { line: networkBanner ? null : 'reconnecting', failedPanel: false, quality: false };
    // The hub out of reach too: the page's banner tells the story, not a firewall.
    case 'blocked': return { line: networkBanner ? null : 'blocked', failedPanel: false, quality: false };
    case 'closed': return { line: 'closed', failedPanel: false, quality: false };
    default: return { line: 'connecting', failedPanel: false, quality: false };
  }
}
