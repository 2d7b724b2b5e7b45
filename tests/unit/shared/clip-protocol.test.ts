import { describe, expect, it } from 'vitest';
import { ClipRequested, RecordClipParams } from '../../../src/shared/clip-protocol';
import { kioskRequests } from '../../../src/shared/kiosk-api';
import { RecordItem, type ClipMeta } from '../../../src/shared/record-protocol';

const clip: ClipMeta = {
  id: '0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b',
  sessionId: 'session-1',
  point: 'mitral',
  mime: 'audio/wav',
  sampleRate: 48_000,
  bitsPerSample: 16,
  channels: 1,
  durationMs: 15_000,
  byteLength: 1_440_044,
  chunkCount: 8,
  sha256: 'a'.repeat(64),
  recordedAt: '2026-12-02T01:00:00.000Z',
};
const item = { id: clip.id, boothId: 'A', sessionId: 'session-1', seq: 1, kind: 'clip', data: clip };

describe('clip protocol', () => {
  it('takes a clip record item with its auscultation point', () => {
    expect(RecordItem.parse(item)).toEqual(item);
  });

  it('refuses a clip whose point does not exist, or is not a 16-bit WAV', () => {
    for (const point of ['spleen', '__proto__', '', 'Mitral']) {
      expect(RecordItem.safeParse({ ...item, data: { ...clip, point } }).success).toBe(false);
    }
    expect(RecordItem.safeParse({ ...item, data: { ...clip, mime: 'audio/ogg' } }).success).toBe(false);
    expect(RecordItem.safeParse({ ...item, data: { ...clip, bitsPerSample: 24 } }).success).toBe(false);
  });

  it('refuses a console request for a point that does not exist, and any extra field', () => {
    expect(RecordClipParams.parse({ point: 'lung-back-left' })).toEqual({ point: 'lung-back-left' });
    expect(RecordClipParams.safeParse({ point: 'heart' }).success).toBe(false);
    expect(RecordClipParams.safeParse({ point: 'mitral', seconds: 600 }).success).toBe(false);
  });

  it('asks the booth for 15 seconds unless told, and never more than a minute', () => {
    expect(ClipRequested.parse({ requestId: clip.id, point: 'aortic' }).seconds).toBe(15);
    expect(ClipRequested.safeParse({ requestId: clip.id, point: 'aortic', seconds: 3600 }).success).toBe(false);
  });

  it('takes only the known failure codes from the kiosk', () => {
    const { params } = kioskRequests.clipState;
    expect(params.safeParse({ state: 'failed', requestId: clip.id, code: 'STETHOSCOPE_UNPLUGGED' }).success).toBe(true);
    expect(params.safeParse({ state: 'failed', requestId: clip.id, code: 'WHATEVER' }).success).toBe(false);
  });
});
