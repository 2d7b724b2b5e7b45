/**
 * The kiosk's scale on the booth's screen. The layout was drawn for a
 * 1280×800 screen at the CSS reference density (96 pixels per inch), where
 * 28-pixel text is about 7 mm tall. A denser screen (more pixels per inch)
 * would show it smaller: the scale brings it back to its physical size, but
 * never so far that the screen holds less room than the layout is checked
 * at (tests/e2e/kiosk-layout.test.ts: 1280×768 lying, 1000 px wide and
 * 1280 px tall standing), and never below 1 (28 px is the legibility floor).
 */
const REFERENCE_PPI = 96;
const LEAST_ROOM = { landscape: { width: 1280, height: 768 }, portrait: { width: 1000, height: 1280 } } as const;

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
  const least = width < height ? LEAST_ROOM.portrait : LEAST_ROOM.landscape;
  const fits = Math.min(width / least.width, height / least.height);
  return Math.max(1, Math.min(physical, fits));
}
