/** How long a refused caller should wait, in whole seconds (Retry-After) and in words for a person. */

export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** "12 secondes", "3 minutes": how long, for a person. */
export function inWords(ms: number): { fr: string; en: string } {
  const s = retryAfterSeconds(ms);
  if (s < 60) return { fr: `${s} seconde${s > 1 ? 's' : ''}`, en: `${s} second${s > 1 ? 's' : ''}` };
  const m = Math.ceil(s / 60);
  return { fr: `${m} minute${m > 1 ? 's' : ''}`, en: `${m} minute${m > 1 ? 's' : ''}` };
}
