/**
 * Whether a scrolling container holds more than it shows: the kiosk then
 * shows a cue ("more below"), since an elderly patient does not guess that
 * a touch screen scrolls. Also written on the element as
 * `data-scroll-cue="shown"` for the layout tests.
 */
import { useEffect, useState } from 'react';

/** True while `el` hides content below; `reserved` is the room the shown cue adds at the foot (not content). */
export function overflows(el: { scrollHeight: number; clientHeight: number }, reserved = 0): boolean {
  return el.scrollHeight - reserved > el.clientHeight + 1;
}

/** A ref callback for the scrolling element (which may mount later than its screen), and whether the cue shows. */
export function useScrollCue(): { ref: (el: HTMLElement | null) => void; shown: boolean } {
  const [el, ref] = useState<HTMLElement | null>(null);
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (!el) {
      setShown(false);
      return undefined;
    }
    const update = (): void => {
      const wasShown = el.dataset.scrollCue === 'shown';
      const reserved = wasShown ? parseFloat(getComputedStyle(el).paddingBottom) || 0 : 0;
      const now = overflows(el, reserved);
      el.dataset.scrollCue = now ? 'shown' : 'none';
      setShown(now);
    };
    const resize = new ResizeObserver(update);
    const observeChildren = (): void => {
      resize.disconnect();
      resize.observe(el);
      for (const child of Array.from(el.children)) resize.observe(child);
    };
    const mutation = new MutationObserver(() => { observeChildren(); update(); });
    observeChildren();
    // A class or state change (a button's busy look, a line shown or hidden) can change the height as much as new text.
    mutation.observe(el, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['class', 'disabled', 'hidden', 'style'] });
    update();
    return () => { resize.disconnect(); mutation.disconnect(); };
  }, [el]);
  return { ref, shown };
}
