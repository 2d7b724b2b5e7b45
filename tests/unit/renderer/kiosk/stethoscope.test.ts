/**
 * The kiosk's stethoscope while the doctor listens
 * (src/renderer/kiosk/src/stethoscope.ts): opened, sent as its own producer,
 * and every way it can fail said to the session with its code; nothing sent
 * once the listening stops.
 */
import { describe, expect, it } from 'vitest';
import { MediaDeviceMissing, StethoscopeWrongDevice } from '../../../../src/renderer/kiosk/src/media-devices';
import { sendStethoscope, type StethoscopeStatus } from '../../../../src/renderer/kiosk/src/stethoscope';

class FakeTrack extends EventTarget {
  readyState: 'live' | 'ended' = 'live';
  stopped = false;
  stop(): void {
    this.stopped = true;
    this.readyState = 'ended';
  }
  /** The device went away: the browser ends the track (stop() fires nothing). */
  unplug(): void {
    this.readyState = 'ended';
    this.dispatchEvent(new Event('ended'));
  }
}

function harness(open: () => Promise<FakeTrack>) {
  const statuses: StethoscopeStatus[] = [];
  const produced: { track: FakeTrack; closed: boolean }[] = [];
  const stop = sendStethoscope<FakeTrack>({
    open,
    produce: async (track) => {
      const entry = { track, closed: false };
      produced.push(entry);
      return { close: () => void (entry.closed = true) };
    },
    report: (s) => void statuses.push(s),
  });
  return { statuses, produced, stop };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('the stethoscope sent while the doctor listens', () => {
  it('is sent once opened, and says so', async () => {
    const track = new FakeTrack();
    const h = harness(async () => track);
    await tick();
    expect(h.produced.map((p) => p.track)).toEqual([track]);
    expect(h.statuses).toEqual([{ status: 'listening' }]);
  });

  it('stops being sent, and the device is released, when the listening stops; nothing is said after', async () => {
    const track = new FakeTrack();
    const h = harness(async () => track);
    await tick();
    h.stop();
    expect(h.produced[0]!.closed).toBe(true);
    expect(track.stopped).toBe(true);
    track.unplug();
    expect(h.statuses).toEqual([{ status: 'listening' }]);
  });

  it('says the stethoscope was unplugged when its track ends mid-listening, and stops sending it', async () => {
    const track = new FakeTrack();
    const h = harness(async () => track);
    await tick();
    track.unplug();
    expect(h.statuses).toEqual([{ status: 'listening' }, { status: 'error', code: 'STETHOSCOPE_UNPLUGGED' }]);
    expect(h.produced[0]!.closed).toBe(true);
  });

  it('says why when no stethoscope is configured, none is found, or another microphone was opened; nothing is sent', async () => {
    const notConfigured = harness(async () => { throw new MediaDeviceMissing({ ok: false, code: 'MEDIA_DEVICE_NOT_CONFIGURED', role: 'stethoscope' }); });
    const notFound = harness(async () => { throw new MediaDeviceMissing({ ok: false, code: 'MEDIA_DEVICE_NOT_FOUND', role: 'stethoscope', seen: ['Jabra'] }); });
    const wrong = harness(async () => { throw new StethoscopeWrongDevice('Jabra'); });
    const broken = harness(async () => { throw new Error('NotReadableError'); });
    await tick();
    expect(notConfigured.statuses).toEqual([{ status: 'error', code: 'MEDIA_DEVICE_NOT_CONFIGURED' }]);
    expect(notFound.statuses).toEqual([{ status: 'error', code: 'MEDIA_DEVICE_NOT_FOUND' }]);
    expect(wrong.statuses).toEqual([{ status: 'error', code: 'STETHOSCOPE_WRONG_DEVICE' }]);
    expect(broken.statuses).toEqual([{ status: 'error', code: 'STETHOSCOPE_FAILED' }]);
    expect([notConfigured, notFound, wrong, broken].flatMap((h) => h.produced)).toEqual([]);
  });

  it('releases a device that opens after the listening already stopped, and sends nothing', async () => {
    const track = new FakeTrack();
    let resolve!: (t: FakeTrack) => void;
    const h = harness(() => new Promise((r) => { resolve = r; }));
    h.stop();
    resolve(track);
    await tick();
    expect(track.stopped).toBe(true);
    expect(h.produced).toEqual([]);
    expect(h.statuses).toEqual([]);
  });
});
