/** The GP report's photo lines: an otoscope still with its ear, a dermatoscope still (old rows too) as before. */
import { describe, expect, it } from 'vitest';
import { photoLine } from '../../../src/hub/consult/report';
import type { PhotoMeta } from '../../../src/shared/record-protocol';

const base: PhotoMeta = {
  id: '0190b6a8-0000-7000-8000-000000000042', sessionId: 's', mime: 'image/jpeg', width: 1920, height: 1080, byteLength: 4, chunkCount: 1,
  sha256: 'a'.repeat(64), takenAt: '2026-03-02T09:15:00.000Z', polarisation: 'polarised', bodySite: 'avant-bras gauche',
};

describe('report photo lines', () => {
  it('names an otoscope still by the instrument and its ear', () => {
    expect(photoLine({ ...base, width: 1280, height: 960, polarisation: 'none', modality: 'otoscope', ear: 'right', bodySite: 'oreille droite' }))
      .toBe('Otoscope — oreille droite — 10:15, 1280×960 (réf. 0190b6a8-0000-7000-8000-000000000042)');
  });

  it('keeps a dermatoscope still stored before the otoscope (no modality) as it was', () => {
    expect(photoLine(base)).toBe('avant-bras gauche — 10:15, 1920×1080, lumière polarisée (réf. 0190b6a8-0000-7000-8000-000000000042)');
  });
});
