/**
 * The kiosk's side of a stethoscope clip, through stand-ins for the
 * browser's media devices and audio graph: the configured stethoscope is
 * opened raw, the host is told when it records, the whole WAV goes by the
 * binary call; unplugged midway or absent, the host is told why and nothing
 * is sent.
 */
import { describe, expect, it } from 'vitest';
import { ClipStopped, runClipCommand, type AudioTap, type ClipApi, type ClipStream, type ClipTrack } from '../../../../src/renderer/kiosk/src/clip-recorder';
import type { MediaSelection } from '../../../../src/shared/media-devices';
import { decodeWav } from '../../../../src/shared/wav';

const requestId = '0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b';
const cmd = { requestId, point: 'mitral' as const, seconds: 15 };

class Track implements ClipTrack {
  /** The browser names the track after the device it opened. */
  readonly label = 'Eko CORE (2bb4:0001)';
  readyState = 'live';
  private readonly listeners = new Set<() => void>();
  stop(): void { this.readyState = 'ended'; }
  addEventListener(_type: 'ended', l: () => void): void { this.listeners.add(l); }
  removeEventListener(_type: 'ended', l: () => void): void { this.listeners.delete(l); }
  /** The device is unplugged: the browser ends the track. */
  unplug(): void {
    this.readyState = 'ended';
    for (const l of [...this.listeners]) l();
  }
}

function booth(selection: MediaSelection) {
  const track = new Track();
  const stream: ClipStream = { getTracks: () => [track], getAudioTracks: () => [track] };
  const asked: MediaStreamConstraints[] = [];
  const calls: { method: string; params: unknown; bytes?: Uint8Array }[] = [];
  let feed: ((samples: Float32Array) => void) | null = null;
  const tap: AudioTap<ClipStream> = (_s, onBuffer) => {
    feed = onBuffer;
    return { sampleRate: 48_000, started: Promise.resolve(), close: () => { feed = null; } };
  };
  const api: ClipApi = {
    getSettings: async () => ({ screenDiagonalInches: 21.5, inactivityWipeSeconds: 30, media: selection }),
    clipState: async (params) => { calls.push({ method: 'clipState', params }); return { ok: true }; },
    binaryBegin: async (params) => { calls.push({ method: 'binaryBegin', params }); return { chunkBytes: 256 * 1024 }; },
    binaryChunk: async (params, bytes) => { calls.push({ method: 'binaryChunk', params, bytes: bytes.slice() }); return { received: params.index + 1 }; },
    binaryEnd: async (params) => { calls.push({ method: 'binaryEnd', params }); return { uploadId: params.transferId, byteLength: 1 }; },
    saveClip: async (params) => { calls.push({ method: 'saveClip', params }); return { clipId: '0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7c' }; },
  };
  const md = {
    enumerateDevices: async () => [
      { kind: 'audioinput', label: 'Default', deviceId: 'default' },
      { kind: 'audioinput', label: 'Jabra Speak 410', deviceId: 'mic-1' },
      { kind: 'audioinput', label: 'Eko CORE (2bb4:0001)', deviceId: 'steth-1' },
    ],
    getUserMedia: async (c: MediaStreamConstraints) => { asked.push(c); return stream; },
  };
  /** The audio callback, as the browser calls it: blocks of 4096 samples, until `seconds` of sound. */
  const play = (seconds: number): void => {
    const block = new Float32Array(4096).fill(0.25);
    for (let n = 0; n < seconds * 48_000 && feed; n += 4096) feed(block);
  };
  return { api, md, tap, track, asked, calls, play, methods: () => calls.map((c) => c.method) };
}

const STETHOSCOPE: MediaSelection = { stethoscope: { usb: '2bb4:0001' } };
const settled = () => new Promise((r) => setTimeout(r, 0));

describe('the kiosk records a stethoscope clip', () => {
  it('opens the configured stethoscope without voice processing, then sends the whole 15-s WAV and names it', async () => {
    const b = booth(STETHOSCOPE);
    const run = runClipCommand(b.api, cmd, { md: b.md, tap: b.tap });
    await settled();
    // Opened as the live listening opens it: the device's own capture, nothing the browser adds for speech.
    expect(b.asked).toEqual([{ audio: { deviceId: { exact: 'steth-1' }, echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 2, sampleRate: 48_000 }, video: false }]);
    expect(b.calls[0]).toEqual({ method: 'clipState', params: { state: 'recording', requestId } });
    b.play(15);
    await expect(run).resolves.toBe('0190b3c4-5d6e-7f80-9a1b-2c3d4e5f6a7c');
    const wav = Buffer.concat(b.calls.filter((c) => c.method === 'binaryChunk').map((c) => c.bytes!));
    const pcm = decodeWav(wav);
    expect(pcm.sampleRate).toBe(48_000);
    expect(pcm.channels[0]!.length).toBe(15 * 48_000);
    expect(b.calls.find((c) => c.method === 'binaryBegin')!.params).toMatchObject({ contentType: 'audio/wav', totalBytes: wav.length });
    expect(b.calls.at(-1)).toMatchObject({ method: 'saveClip', params: { requestId } });
    expect(b.track.readyState).toBe('ended');
  });

  it('sends nothing when the stethoscope is unplugged midway, tells the host why, and says so', async () => {
    const b = booth(STETHOSCOPE);
    const run = runClipCommand(b.api, cmd, { md: b.md, tap: b.tap });
    await settled();
    b.play(6);
    b.track.unplug();
    b.play(9);
    await expect(run).rejects.toEqual(expect.objectContaining({ code: 'STETHOSCOPE_UNPLUGGED' }));
    expect(b.methods()).toEqual(['clipState', 'clipState']);
    expect(b.calls[1]!.params).toEqual({ state: 'failed', requestId, code: 'STETHOSCOPE_UNPLUGGED' });
  });

  it('tells the host there is no stethoscope when kiosk-config names none, and opens no other microphone', async () => {
    for (const selection of [{}, { stethoscope: { label: 'Littmann' } }]) {
      const b = booth(selection);
      const error = await runClipCommand(b.api, cmd, { md: b.md, tap: b.tap }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClipStopped);
      expect(error).toMatchObject({ code: 'NO_STETHOSCOPE' });
      expect(b.asked).toEqual([]);
      expect(b.calls).toEqual([{ method: 'clipState', params: { state: 'failed', requestId, code: 'NO_STETHOSCOPE' } }]);
    }
  });
});
