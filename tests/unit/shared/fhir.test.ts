import type { ValidateFunction } from 'ajv';
import type { Bundle, Media, Observation } from 'fhir/r4';
import { beforeAll, describe, expect, it } from 'vitest';
import { sessionBundle } from '../../../src/shared/fhir';
import { fhirR4Validator } from '../../helpers/fhir-schema';
import { bloodPressure, spo2, temperature } from '../../helpers/store';

let validate: ValidateFunction;

beforeAll(() => {
  validate = fhirR4Validator();
});

const at = new Date('2026-03-02T09:15:00.000Z');
function bundle(): Bundle {
  return sessionBundle({
    sessionId: 'session-1',
    subjectPseudonym: 'P-7Q2K9',
    at: at.toISOString(),
    readings: [temperature(37.4, 'session-1', at), bloodPressure(132, 84, 71, 'session-1', at), spo2(97, 72, 'session-1', at)],
    photos: [{
      meta: { id: '0190b6a8-0000-7000-8000-000000000042', sessionId: 'session-1', mime: 'image/jpeg', width: 1920, height: 1080, byteLength: 4, chunkCount: 1, sha256: 'a'.repeat(64), takenAt: at.toISOString(), polarisation: 'polarised', bodySite: 'dos, omoplate gauche', device: { id: 'dermatoscope-1', kind: 'dermatoscope', model: 'D-1', serial: 'SN9', firmware: '1' } },
      data: Buffer.from([0xff, 0xd8, 0xff, 0xd9]).toString('base64'),
    }],
  });
}

const observations = (b: Bundle) => b.entry!.map((e) => e.resource!).filter((r): r is Observation => r.resourceType === 'Observation');
const codes = (o: Observation) => o.code.coding!.map((c) => c.code);

describe('FHIR R4 export of a session', () => {
  it('is a valid FHIR R4 resource according to the official JSON schema', () => {
    const ok = validate(bundle());
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('is caught by the schema when a resource is broken (so the check can fail)', () => {
    const b = bundle();
    (observations(b)[0] as unknown as Record<string, unknown>).status = 'done-ish';
    expect(validate(b)).toBe(false);
  });

  it('follows the vital-signs rules: category, LOINC codes, UCUM units, time, device, pseudonymous subject', () => {
    const obs = observations(bundle());
    for (const o of obs) {
      expect(o.category![0]!.coding![0]).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' });
      expect(o.effectiveDateTime).toBe(at.toISOString());
      expect(o.device?.reference).toMatch(/^urn:uuid:/);
      expect(o.subject).toEqual({ identifier: { system: 'urn:cabine:pseudonym', value: 'P-7Q2K9' } });
      for (const q of [o.valueQuantity, ...(o.component ?? []).map((c) => c.valueQuantity)].filter(Boolean)) expect(q!.system).toBe('http://unitsofmeasure.org');
    }
    const temp = obs.find((o) => codes(o).includes('8310-5'))!;
    expect(temp.valueQuantity).toMatchObject({ value: 37.4, code: 'Cel' });
    const bp = obs.find((o) => codes(o).includes('85354-9'))!;
    expect(bp.valueQuantity).toBeUndefined();
    expect(bp.component!.map((c) => [c.code.coding![0]!.code, c.valueQuantity!.code])).toEqual([['8480-6', 'mm[Hg]'], ['8462-4', 'mm[Hg]'], ['8478-0', 'mm[Hg]']]);
    const sat = obs.find((o) => codes(o).includes('59408-5'))!;
    expect(codes(sat)).toEqual(expect.arrayContaining(['2708-6', '59408-5']));
    expect(sat.valueQuantity).toMatchObject({ value: 97, code: '%' });
    const hr = obs.filter((o) => codes(o).includes('8867-4'));
    expect(hr.map((o) => o.valueQuantity)).toEqual([expect.objectContaining({ value: 71, code: '/min' }), expect.objectContaining({ value: 72, code: '/min' })]);
    const devices = bundle().entry!.filter((e) => e.resource!.resourceType === 'Device').map((e) => e.fullUrl);
    for (const o of obs) expect(devices).toContain(o.device!.reference);
  });

  it('exports a dermatoscope photo as Media with its size, type, body site and bytes', () => {
    const media = bundle().entry!.map((e) => e.resource!).find((r): r is Media => r.resourceType === 'Media')!;
    expect(media).toMatchObject({ status: 'completed', width: 1920, height: 1080, bodySite: { text: 'dos, omoplate gauche' }, content: { contentType: 'image/jpeg', size: 4 } });
    expect(media.type!.coding![0]!.code).toBe('image');
  });

  it('exports an otoscope still as Media with the otoscope as modality and its ear coded in SNOMED CT, valid against the schema', () => {
    const b = sessionBundle({
      sessionId: 'session-1',
      subjectPseudonym: 'P-7Q2K9',
      at: at.toISOString(),
      readings: [],
      photos: (['left', 'right'] as const).map((ear, i) => ({
        meta: {
          id: `0190b6a8-0000-7000-8000-00000000005${i}`, sessionId: 'session-1', mime: 'image/jpeg' as const, width: 1280, height: 960, byteLength: 4, chunkCount: 1,
          sha256: 'b'.repeat(64), takenAt: at.toISOString(), polarisation: 'none' as const, modality: 'otoscope' as const, ear,
          bodySite: ear === 'left' ? 'oreille gauche' : 'oreille droite', device: { id: 'otoscope', kind: 'otoscope' as const, model: 'USB Otoscope', serial: '', firmware: '' },
        },
        data: Buffer.from([0xff, 0xd8, 0xff, 0xd9]).toString('base64'),
      })),
    });
    validate(b);
    expect(validate.errors ?? []).toEqual([]);
    const media = b.entry!.map((e) => e.resource!).filter((r): r is Media => r.resourceType === 'Media');
    expect(media.map((m) => [m.modality?.text, m.bodySite?.coding?.[0]?.code, m.bodySite?.text, m.width, m.height])).toEqual([
      ['otoscope', '89644007', 'left ear', 1280, 960],
      ['otoscope', '25577004', 'right ear', 1280, 960],
    ]);
    expect(media[0]!.bodySite!.coding![0]!.system).toBe('http://snomed.info/sct');
  });
});
