/**
 * The screen for the machine's state. A claim relayed by the hub opens the
 * call at once (the machine follows with CLAIMED), but never over the
 * wrap-up, the wipe, or the incident screen: a host restarted under the page
 * says 'interrupted', and the room's closing, sent by the host that died,
 * never came.
 */
const NEVER_UNDER_A_CALL = new Set(['wrapUp', 'privacyWipe', 'interrupted']);

export function shownScreen(top: string | null, inCall: boolean): string | null {
  return inCall && !NEVER_UNDER_A_CALL.has(top ?? '') ? 'consultation' : top;
}
