/**
 * The pharmacist's way into assistant mode: hold the top-left corner of the
 * screen for 3 s. A patient touching that corner briefly (the "Retour" button
 * lives there) gets what they touched; only a hold opens the PIN pad, and the
 * release after a hold is not taken as a click on whatever is underneath.
 * Listeners sit on the window, in the capture phase, so the corner works over
 * every screen and layer without a target of its own.
 */
import { useEffect, useRef, useState } from 'react';

/** How long the corner must be held. */
export const LONG_PRESS_MS = 3_000;
/** The corner: a square from the top-left of the screen, in CSS pixels. */
export const CORNER_PX = 120;
/** A finger drifting this far from where it went down is a swipe, not a hold. */
const DRIFT_PX = 40;

export function useCornerLongPress(onLongPress: () => void): { holding: boolean } {
  const [holding, setHolding] = useState(false);
  const callback = useRef(onLongPress);
  callback.current = onLongPress;

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let start: { id: number; x: number; y: number } | null = null;
    let swallowClick = false;
    const cancel = (): void => {
      if (timer) clearTimeout(timer);
      timer = null;
      start = null;
      setHolding(false);
    };
    const down = (e: PointerEvent): void => {
      swallowClick = false;
      if (!e.isPrimary || e.clientX > CORNER_PX || e.clientY > CORNER_PX) return;
      cancel();
      start = { id: e.pointerId, x: e.clientX, y: e.clientY };
      setHolding(true);
      timer = setTimeout(() => {
        timer = null;
        start = null;
        swallowClick = true;
        setHolding(false);
        callback.current();
      }, LONG_PRESS_MS);
    };
    const move = (e: PointerEvent): void => {
      if (start && e.pointerId === start.id && Math.hypot(e.clientX - start.x, e.clientY - start.y) > DRIFT_PX) cancel();
    };
    const up = (e: PointerEvent): void => {
      if (start && e.pointerId === start.id) cancel();
    };
    const click = (e: MouseEvent): void => {
      if (!swallowClick) return;
      swallowClick = false;
      e.preventDefault();
      e.stopPropagation();
    };
    const menu = (e: MouseEvent): void => {
      // A held touch opens the context menu on some systems: never in the corner.
      if (e.clientX <= CORNER_PX && e.clientY <= CORNER_PX) e.preventDefault();
    };
    window.addEventListener('pointerdown', down, true);
    window.addEventListener('pointermove', move, true);
    window.addEventListener('pointerup', up, true);
    window.addEventListener('pointercancel', up, true);
    window.addEventListener('click', click, true);
    window.addEventListener('contextmenu', menu, true);
    return () => {
      cancel();
      window.removeEventListener('pointerdown', down, true);
      window.removeEventListener('pointermove', move, true);
      window.removeEventListener('pointerup', up, true);
      window.removeEventListener('pointercancel', up, true);
      window.removeEventListener('click', click, true);
      window.removeEventListener('contextmenu', menu, true);
    };
  }, []);
  return { holding };
}
