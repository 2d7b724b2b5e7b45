import type { ValidateFunction } from 'ajv';
import type { Bundle, Media } from 'fhir/r4';
import { beforeAll, describe, expect, it } from 'vitest';
import { sessionBundle } from '../../../src/shared/fhir';
import type { ClipMeta } from '../../../src/shared/record-protocol';
import { encodeWav } from '../../../src/shared/wav';
import { fhirR4Validator } from '../../helpers/fhir-schema';

let validate: ValidateFunction;
beforeAll(() => {
  validate = fhirR4Validator();
});

const at = '2026-03-02T09:15:00.000Z';
const wav = Buffer.from(encodeWav({ sampleRate: 48_000, channels: [new Float32Array(480)] }));
const clip: ClipMeta = {
  id: '0190b6a8-0000-7000-8000-0000000000c1', sessionId: 'session-1', point: 'mitral', mime: 'audio/wav', sampleRate: 48_000,
  bitsPerSample: 16, channels: 1, durationMs: 15_000, byteLength: wav.length, chunkCount: 1, sha256: 'a'.repeat(64), recordedAt: at,
};

function bundle(): Bundle {
  return sessionBundle({ sessionId: 'session-1', subjectPseudonym: 'P-7Q2K9', at, readings: [], clips: [{ meta: clip, data: wav.toString('base64') }] });
}
const media = (b: Bundle) => b.entry!.map((e) => e.resource!).filter((r): r is Media => r.resourceType === 'Media');

describe('FHIR R4 export of stethoscope clips', () => {
  it('is valid against the official FHIR R4 JSON schema', () => {
    const ok = validate(bundle());
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('exports a clip as audio Media with its auscultation point as body site, its length and its WAV', () => {
    const [m] = media(bundle());
    expect(m).toMatchObject({
      id: clip.id,
      status: 'completed',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/media-type', code: 'audio' }] },
      subject: { identifier: { value: 'P-7Q2K9' } },
      createdDateTime: at,
      duration: 15,
      content: { contentType: 'audio/wav', size: wav.length },
    });
    expect(m!.bodySite).toEqual({ coding: [{ system: 'urn:cabine:auscultation-point', code: 'mitral', display: 'Foyer mitral' }], text: 'Foyer mitral' });
    expect(Buffer.from(m!.content.data!, 'base64').equals(wav)).toBe(true);
  });
});
