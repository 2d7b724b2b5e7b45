/**
 * The volume of the doctor's voice on the call screen ("Moins fort" / "Plus
 * fort"), applied to the doctor's media element. A media element's volume
 * goes from 0 to 1; the lowest step is never silent, so the patient cannot
 * lose the doctor by pressing too often. The booth's speakers are set by the
 * pharmacy, hence the default just under the top: one step louder remains.
 * The level lives in the call's screen only, so the next patient (a new
 * session tree after the privacy wipe) starts again at the default.
 */
export const VOLUME_LEVELS = [0.2, 0.35, 0.5, 0.65, 0.8, 1] as const;
export const DEFAULT_VOLUME = 0.8;

function index(volume: number): number {
  let best = 0;
  VOLUME_LEVELS.forEach((level, i) => {
    if (Math.abs(level - volume) < Math.abs(VOLUME_LEVELS[best]! - volume)) best = i;
  });
  return best;
}

export function louder(volume: number): number {
  return VOLUME_LEVELS[Math.min(VOLUME_LEVELS.length - 1, index(volume) + 1)]!;
}

export function quieter(volume: number): number {
  return VOLUME_LEVELS[Math.max(0, index(volume) - 1)]!;
}
