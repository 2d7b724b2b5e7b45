/**
 * The kiosk opens the camera and microphone kiosk-config names for each part
 * (the call's, the dermatoscope's), never another: what it asks the browser
 * for, through a stand-in for `navigator.mediaDevices`.
 */
import { describe, expect, it } from 'vitest';
import { findInstrumentCamera, MediaDeviceMissing, openInstrumentCamera, openPatientMedia, openStethoscope } from '../../../../src/renderer/kiosk/src/media-devices';
import type { MediaDeviceLike } from '../../../../src/shared/media-devices';

interface Stream { id: number; stopped: boolean; getTracks(): { stop(): void }[] }

/** A browser's media devices: labels stay blank until a camera or microphone has been opened once, as in Chromium. */
function browser(devices: MediaDeviceLike[], { blankUntilOpened = false } = {}) {
  const asked: MediaStreamConstraints[] = [];
  const streams: Stream[] = [];
  let opened = false;
  return {
    asked,
    streams,
    md: {
      enumerateDevices: async () => devices.map((d) => ({ ...d, label: blankUntilOpened && !opened ? '' : d.label })),
      getUserMedia: async (constraints: MediaStreamConstraints): Promise<Stream> => {
        asked.push(constraints);
        opened = true;
        const stream: Stream = { id: streams.length, stopped: false, getTracks: () => [{ stop: () => { stream.stopped = true; } }] };
        streams.push(stream);
        return stream;
      },
    },
  };
}

const cam = (label: string, deviceId: string): MediaDeviceLike => ({ kind: 'videoinput', label, deviceId });
const mic = (label: string, deviceId: string): MediaDeviceLike => ({ kind: 'audioinput', label, deviceId });
const BOOTH = [cam('HD Webcam C920 (046d:082d)', 'cam-1'), cam('Digital Otoscope (1bcf:2c99)', 'oto-1'), cam('USB Camera (0c45:6366)', 'derm-1'), mic('Jabra Speak 410', 'mic-1')];

describe('the kiosk opens the configured devices', () => {
  it("opens the call's camera and microphone exactly as before when kiosk-config names none", async () => {
    const b = browser(BOOTH);
    await openPatientMedia({}, b.md);
    expect(b.asked).toEqual([{ audio: true, video: { width: 640, height: 480 } }]);
  });

  it("opens the named camera and microphone for the call, by their ids", async () => {
    const b = browser(BOOTH);
    await openPatientMedia({ patientCamera: { usb: '046d:082d' }, patientMicrophone: { label: 'jabra' } }, b.md);
    expect(b.asked).toEqual([{ audio: { deviceId: { exact: 'mic-1' } }, video: { deviceId: { exact: 'cam-1' }, width: 640, height: 480 } }]);
  });

  it('opens a device once to read the labels when the page has not opened one yet, and releases it', async () => {
    const b = browser(BOOTH, { blankUntilOpened: true });
    await openPatientMedia({ patientCamera: { usb: '046d:082d' } }, b.md);
    expect(b.asked).toEqual([{ video: true }, { audio: true, video: { deviceId: { exact: 'cam-1' }, width: 640, height: 480 } }]);
    expect(b.streams[0]!.stopped).toBe(true);
    expect(b.streams[1]!.stopped).toBe(false);
  });

  it("opens the dermatoscope's camera and never the otoscope beside it", async () => {
    const b = browser(BOOTH);
    await openInstrumentCamera('dermatoscope', { dermatoscope: { usb: '0c45:6366' } }, { width: { ideal: 4096 } }, b.md);
    expect(b.asked).toEqual([{ video: { deviceId: { exact: 'derm-1' }, width: { ideal: 4096 } } }]);
  });

  it('opens no camera at all when the configured one is absent, and names the role and what it saw', async () => {
    const b = browser(BOOTH.filter((d) => d.deviceId !== 'derm-1'));
    const error = await openInstrumentCamera('dermatoscope', { dermatoscope: { usb: '0c45:6366' } }, {}, b.md).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaDeviceMissing);
    expect(error).toMatchObject({
      code: 'MEDIA_DEVICE_NOT_FOUND',
      failure: { role: 'dermatoscope', seen: ['HD Webcam C920 (046d:082d)', 'Digital Otoscope (1bcf:2c99)'] },
    });
    expect((error as Error).message).not.toContain('oto-1');
    expect(b.asked).toEqual([]);
  });

  it("does not start the call on another camera when the configured one is absent", async () => {
    const b = browser(BOOTH);
    await expect(openPatientMedia({ patientCamera: { label: 'Logitech Brio' } }, b.md)).rejects.toMatchObject({ code: 'MEDIA_DEVICE_NOT_FOUND', failure: { role: 'patientCamera' } });
    expect(b.asked).toEqual([]);
  });
});

describe('the kiosk looks for the otoscope it may have', () => {
  it('finds the camera kiosk-config names, with its label, and releases what it opened to read the labels', async () => {
    const b = browser(BOOTH, { blankUntilOpened: true });
    expect(await findInstrumentCamera('otoscope', { otoscope: { usb: '1bcf:2c99' } }, b.md)).toEqual({ present: true, label: 'Digital Otoscope (1bcf:2c99)' });
    expect(b.streams.every((s) => s.stopped)).toBe(true);
  });

  it('says absent when it is not plugged in, and has nothing to look for when kiosk-config names none', async () => {
    const b = browser(BOOTH.filter((d) => d.deviceId !== 'oto-1'));
    expect(await findInstrumentCamera('otoscope', { otoscope: { usb: '1bcf:2c99' } }, b.md)).toEqual({ present: false });
    expect(await findInstrumentCamera('otoscope', {}, b.md)).toBeNull();
    expect(b.asked).toEqual([]);
  });
});

describe('the stethoscope', () => {
  const STETHO = [...BOOTH, mic('Eko CORE 500 USB Audio', 'steth-1')];
  /** A stream whose audio track carries a label, as the browser's does. */
  function audioBrowser(devices: MediaDeviceLike[], labelOf: (constraints: MediaStreamConstraints) => string) {
    const asked: MediaStreamConstraints[] = [];
    const stopped: string[] = [];
    return {
      asked,
      stopped,
      md: {
        enumerateDevices: async () => devices,
        getUserMedia: async (constraints: MediaStreamConstraints) => {
          asked.push(constraints);
          const label = labelOf(constraints);
          const track = { label, stop: () => void stopped.push(label) };
          return { getTracks: () => [track], getAudioTracks: () => [track] };
        },
      },
    };
  }
  const byId = (devices: MediaDeviceLike[]) => (c: MediaStreamConstraints) => {
    const id = ((c.audio as MediaTrackConstraints).deviceId as { exact: string }).exact;
    return devices.find((d) => d.deviceId === id)!.label;
  };

  it('opens the configured stethoscope with the voice processing off, in stereo', async () => {
    const b = audioBrowser(STETHO, byId(STETHO));
    await openStethoscope({ stethoscope: { label: 'Eko' } }, b.md);
    expect(b.asked).toEqual([{
      audio: { deviceId: { exact: 'steth-1' }, echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 2, sampleRate: 48_000 },
      video: false,
    }]);
  });

  it('opens nothing when kiosk-config names no stethoscope, or when only another microphone is there', async () => {
    const b = audioBrowser(STETHO, byId(STETHO));
    await expect(openStethoscope({}, b.md)).rejects.toMatchObject({ code: 'MEDIA_DEVICE_NOT_CONFIGURED' });
    const other = audioBrowser(BOOTH, byId(BOOTH));
    const error = await openStethoscope({ stethoscope: { label: 'Eko' } }, other.md).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MEDIA_DEVICE_NOT_FOUND', failure: { role: 'stethoscope', seen: ['Jabra Speak 410'] } });
    expect(b.asked).toEqual([]);
    expect(other.asked).toEqual([]);
  });

  it('closes and refuses a device the browser opened that is not the configured stethoscope', async () => {
    const b = audioBrowser(STETHO, () => 'Jabra Speak 410');
    await expect(openStethoscope({ stethoscope: { label: 'Eko' } }, b.md)).rejects.toMatchObject({ code: 'STETHOSCOPE_WRONG_DEVICE' });
    expect(b.stopped).toEqual(['Jabra Speak 410']);
  });
});
