import { afterEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { BoothClips } from '../../../src/host/clips';
import { FakeHubLink } from '../../../src/host/fake-hub-link';
import type { ClipInput } from '../../../src/host/store/store';
import type { KioskEvent } from '../../../src/shared/kiosk-api';
import { encodeWav } from '../../../src/shared/wav';

const requestId = '0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b';
const log = pino({ level: 'silent' });

function wav(seconds: number, sampleRate = 48_000): Buffer {
  return Buffer.from(encodeWav({ sampleRate, channels: [new Float32Array(Math.round(seconds * sampleRate))] }));
}

let clips: BoothClips | null = null;
afterEach(() => { clips = null; });

function setup(flow = 'consultation.call') {
  const link = new FakeHubLink();
  link.answers.set('consult.clipFailed', () => ({ ok: true }));
  const events: KioskEvent[] = [];
  const stored: ClipInput[] = [];
  clips = new BoothClips({
    link,
    session: { flow: () => flow, view: () => ({ sessionId: 'session-1' }) as never },
    emit: (e) => events.push(e),
    recordClip: async (c) => { stored.push(c); },
    log,
    startTimeoutMs: 1_000,
  });
  return { link, events, stored, clips };
}

describe('a clip recorded at the booth', () => {
  it('is refused when the patient is not in the call, and the page is not disturbed', async () => {
    const { link, events } = setup('waitingRoom.waiting');
    await expect(link.call('consult.clipRequested', { requestId, point: 'mitral' })).rejects.toMatchObject({ code: 'NOT_IN_CALL' });
    expect(events).toEqual([]);
  });

  it('is refused for a point that does not exist', async () => {
    const { link, events } = setup();
    await expect(link.call('consult.clipRequested', { requestId, point: 'spleen' })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    expect(events).toEqual([]);
  });

  it('answers the hub once the page records, refuses a second one meanwhile, and stores the WAV with its point', async () => {
    const { link, events, stored, clips: c } = setup();
    const answer = link.call('consult.clipRequested', { requestId, point: 'mitral' });
    expect(events).toEqual([{ name: 'clipCommand', data: { requestId, point: 'mitral', seconds: 15 } }]);
    expect(c.state({ state: 'recording', requestId })).toEqual({ ok: true });
    await expect(answer).resolves.toEqual({ recording: true });
    await expect(link.call('consult.clipRequested', { requestId: '0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7c', point: 'aortic' })).rejects.toMatchObject({ code: 'ALREADY_RECORDING' });
    const { clipId } = await c.save(requestId, { bytes: wav(15) });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: clipId, sessionId: 'session-1', point: 'mitral', mime: 'audio/wav', sampleRate: 48_000, bitsPerSample: 16, channels: 1, durationMs: 15_000 });
    expect(c.recording()).toBe(false);
  });

  it('is refused when the page finds no stethoscope', async () => {
    const { link, clips: c } = setup();
    const answer = link.call('consult.clipRequested', { requestId, point: 'mitral' });
    c.state({ state: 'failed', requestId, code: 'NO_STETHOSCOPE' });
    await expect(answer).rejects.toMatchObject({ code: 'NO_STETHOSCOPE' });
    expect(c.recording()).toBe(false);
  });

  it('is not kept when the stethoscope is unplugged midway: the hub hears why, and a late upload is refused', async () => {
    const { link, stored, clips: c } = setup();
    const answer = link.call('consult.clipRequested', { requestId, point: 'tricuspid' });
    c.state({ state: 'recording', requestId });
    await answer;
    c.state({ state: 'failed', requestId, code: 'STETHOSCOPE_UNPLUGGED' });
    expect(link.requests).toContainEqual({ method: 'consult.clipFailed', params: { requestId, point: 'tricuspid', code: 'STETHOSCOPE_UNPLUGGED' } });
    await expect(c.save(requestId, { bytes: wav(15) })).rejects.toMatchObject({ code: 'NO_CLIP' });
    expect(stored).toEqual([]);
  });

  it('refuses a WAV at another rate or of another length than asked, and tells the hub', async () => {
    for (const bytes of [wav(15, 44_100), wav(5)]) {
      const { link, stored, clips: c } = setup();
      const answer = link.call('consult.clipRequested', { requestId, point: 'mitral' });
      c.state({ state: 'recording', requestId });
      await answer;
      await expect(c.save(requestId, { bytes })).rejects.toMatchObject({ code: 'CAPTURE_FAILED' });
      expect(stored).toEqual([]);
      expect(link.requests.map((r) => r.method)).toContain('consult.clipFailed');
    }
  });
});

describe('a clip the page never finishes', () => {
  it('frees the booth for the next clip and tells the hub, once the clip is well overdue', async () => {
    vi.useFakeTimers();
    try {
      const { link, stored, clips: c } = setup();
      const answer = link.call('consult.clipRequested', { requestId, point: 'mitral' });
      c.state({ state: 'recording', requestId });
      await answer;
      // The page went away (reloaded) with the recording: no upload, no failure from it.
      await vi.advanceTimersByTimeAsync(15_000 + 60_000);
      expect(c.recording()).toBe(false);
      expect(link.requests).toContainEqual({ method: 'consult.clipFailed', params: { requestId, point: 'mitral', code: 'CAPTURE_FAILED' } });
      await expect(c.save(requestId, { bytes: wav(15) })).rejects.toMatchObject({ code: 'NO_CLIP' });
      expect(stored).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});
