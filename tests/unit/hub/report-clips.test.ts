import { describe, expect, it } from 'vitest';
import { reportPdf, type SessionReport } from '../../../src/hub/consult/report';
import { pdfText } from '../../helpers/pdf-text';

const report: SessionReport = {
  sessionId: 'session-1', boothId: 'A', pharmacy: null, date: '2026-03-02T09:15:00.000Z',
  patient: { firstName: 'Jeanne', lastName: null, birthDate: null, age: 85 }, pathway: null, exceptionReason: null,
  readings: [], photos: [], notes: null, prescriptions: [],
  clips: [{
    id: '0190b6a8-0000-7000-8000-0000000000c1', sessionId: 'session-1', point: 'mitral', mime: 'audio/wav', sampleRate: 48_000,
    bitsPerSample: 16, channels: 1, durationMs: 15_000, byteLength: 1_440_044, chunkCount: 8, sha256: 'a'.repeat(64), recordedAt: '2026-03-02T09:20:00.000Z',
  }],
};

describe('the GP report PDF', () => {
  it('lists each stethoscope clip with its point, time and length', async () => {
    const text = pdfText(await reportPdf(report));
    expect(text).toContain('Auscultation (stéthoscope)');
    expect(text).toMatch(/Foyer mitral — 10:20, 15 s/);
  });

  it('says when no clip was recorded', async () => {
    expect(pdfText(await reportPdf({ ...report, clips: [] }))).toContain('Aucun enregistrement.');
  });
});
