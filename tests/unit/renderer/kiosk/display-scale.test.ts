/**
 * How much the kiosk scales its text and targets on a given screen: from the
 * screen's physical size (kiosk-config's diagonal) and its viewport.
 */
import { describe, expect, it } from 'vitest';
import { displayScale } from '../../../../src/renderer/kiosk/src/display-scale';

describe('kiosk display scale', () => {
  it('keeps the designed size on the 1280×800 screen it was laid out for', () => {
    expect(displayScale({ width: 1280, height: 800, diagonalInches: 15.6 })).toBeCloseTo(1, 1);
  });

  it('enlarges text and targets on a dense screen, so they keep their physical size', () => {
    // A 15.6-inch full-HD screen has 141 pixels per inch where the design assumed about 96.
    const dense = displayScale({ width: 1920, height: 1080, diagonalInches: 15.6 });
    expect(dense).toBeGreaterThan(1.3);
  });

  it('grows with the pixel density: the same pixels on a smaller screen scale more', () => {
    const small = displayScale({ width: 1080, height: 1920, diagonalInches: 18.5 });
    const large = displayScale({ width: 1080, height: 1920, diagonalInches: 21.5 });
    expect(small).toBeGreaterThan(large);
    expect(large).toBeGreaterThan(1);
  });

  it('never shrinks below the designed size on a large screen (28-pixel text is the legibility floor)', () => {
    expect(displayScale({ width: 1920, height: 1080, diagonalInches: 32 })).toBe(1);
    expect(displayScale({ width: 1366, height: 768, diagonalInches: 21.5 })).toBe(1);
  });

  it('never scales so far that the layout has less room than the sizes it is checked at (1280×768 lying, 1000×1280 standing)', () => {
    for (const [width, height] of [[1080, 1920], [1920, 1080], [1366, 768], [1280, 800], [1440, 2560]] as const) {
      const s = displayScale({ width, height, diagonalInches: 10 });
      const least = width < height ? { width: 1000, height: 1280 } : { width: 1280, height: 768 };
      expect(width / s).toBeGreaterThanOrEqual(Math.min(least.width, width) - 0.5);
      expect(height / s).toBeGreaterThanOrEqual(Math.min(least.height, height) - 0.5);
    }
  });
});
