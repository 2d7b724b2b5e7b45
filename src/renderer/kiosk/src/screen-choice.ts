/**
 * The screen for the machine's state. A claim relayed by the hub opens the
 * call at once from the waiting room (the machine follows with CLAIMED); it
 * never holds the call screen over any other state: a host restarted under
 * the page says 'interrupted', and the room's closing, sent by the host that
 * died, never came.
 */
export function shownScreen(top: string | null, inCall: boolean): string | null {
  return inCall && top === 'waitingRoom' ? 'consultation' : top;
}
