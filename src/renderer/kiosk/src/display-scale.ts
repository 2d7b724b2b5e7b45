/**
 * The kiosk's scale on the booth's screen. The layout was drawn for a
 * 1280×800 screen at the CSS reference density (96 pixels per inch), where
 * 28-pixel text is about 7 mm tall. A denser screen (more pixels per inch)
 * would show it smaller: the scale brings it back to its physical size, but
 * never so far that the screen holds less than the 1280×800 the layout was
 * drawn for, and never below 1 (28 px is the legibility floor).
 */
const REFERENCE_PPI = 96;
const DESIGN = { long: 1280, short: 800 } as const;

export interface ScreenSize {
  /** The viewport in CSS pixels (the kiosk runs full screen). */
  width: number;
  height: number;
  /** kiosk-config `kiosk.screenDiagonalInches`. */
  diagonalInches: number;
}

export function displayScale({ width, height, diagonalInches }: ScreenSize): number {
  const ppi = Math.hypot(width, height) / diagonalInches;
  const physical = ppi / REFERENCE_PPI;
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  const fits = Math.min(long / DESIGN.long, short / DESIGN.short);
  return Math.max(1, Math.min(physical, fits));
}
