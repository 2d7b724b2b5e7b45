/**
 * Keeps the screen awake during a call (state `consultation…`) and lets it
 * sleep otherwise. Fed by the host's session view.
 */
import type { PowerSaveBlocker } from 'electron';

export function isCallState(state: string): boolean {
  return state === 'consultation' || state.startsWith('consultation.');
}

export function createCallPowerGuard(blocker: Pick<PowerSaveBlocker, 'start' | 'stop' | 'isStarted'>): { onState(state: string): void; dispose(): void } {
  let id: number | null = null;
  const stop = (): void => {
    if (id !== null && blocker.isStarted(id)) blocker.stop(id);
    id = null;
  };
  return {
    onState(state) {
      if (isCallState(state)) {
        if (id === null) id = blocker.start('prevent-display-sleep');
      } else stop();
    },
    dispose: stop,
  };
}
