/** The measurement request's ear: an otoscope still names one of the two, nothing else has one. */
import { describe, expect, it } from 'vitest';
import { MeasurementRequested, RequestMeasurementParams } from '../../../src/shared/consult-protocol';

const requestId = '0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b';

describe('otoscope request', () => {
  it('takes the left or the right ear, on the console request and the booth request alike', () => {
    expect(RequestMeasurementParams.parse({ kind: 'otoscope-photo', ear: 'left' })).toEqual({ kind: 'otoscope-photo', ear: 'left' });
    expect(MeasurementRequested.parse({ kind: 'otoscope-photo', ear: 'right', requestId })).toEqual({ kind: 'otoscope-photo', ear: 'right', requestId });
  });

  it('refuses an ear that does not exist, a missing ear, a free-text site, and an ear on another measurement', () => {
    for (const bad of [
      { kind: 'otoscope-photo', ear: 'middle' },
      { kind: 'otoscope-photo', ear: 'LEFT' },
      { kind: 'otoscope-photo' },
      { kind: 'otoscope-photo', ear: 'left', bodySite: 'nez' },
      { kind: 'dermatoscope-photo', bodySite: 'avant-bras', ear: 'left' },
    ]) {
      expect(RequestMeasurementParams.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
      expect(MeasurementRequested.safeParse({ ...bad, requestId }).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
