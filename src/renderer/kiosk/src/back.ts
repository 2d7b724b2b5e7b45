/**
 * What the kiosk's "Retour" does, if it is shown at all. In the waiting room
 * it would leave the queue, and the call has nothing to go back to: no
 * button there. On the first step going back ends the session and wipes it,
 * so the button asks first — the stop confirmation ("Voulez-vous arrêter ?"),
 * which ends in the same wipe.
 */
import type { SessionUiEvent, SessionView } from '../../../shared/session-view';

const NO_BACK = new Set(['waitingRoom', 'consultation.call']);
const BACK_WIPES = new Set(['language']);

export function backButton({ state, canBack }: { state: SessionView['state']; canBack: boolean }): SessionUiEvent | null {
  if (!canBack || NO_BACK.has(state)) return null;
  return BACK_WIPES.has(state) ? { type: 'CANCEL' } : { type: 'BACK' };
}
