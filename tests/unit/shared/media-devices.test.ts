/**
 * Which camera or microphone plays which part: chosen by kiosk-config's
 * `media` selectors (a label pattern, a USB id), never guessed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pickDevice, type MediaDeviceLike } from '../../../src/shared/media-devices';

const camera = (label: string, deviceId = `id-${label}`): MediaDeviceLike => ({ kind: 'videoinput', label, deviceId });
const mic = (label: string, deviceId = `id-${label}`): MediaDeviceLike => ({ kind: 'audioinput', label, deviceId });

const WEBCAM = camera('HD Pro Webcam C920 (046d:082d)');
const DERMATOSCOPE = camera('USB Camera (0c45:6366)');
const OTOSCOPE = camera('Digital Otoscope (1bcf:2c99)');

describe('pickDevice', () => {
  it('takes the camera whose label shows the configured USB id, whatever its name says', () => {
    const pick = pickDevice([WEBCAM, OTOSCOPE, DERMATOSCOPE], { usb: '0c45:6366' }, 'dermatoscope');
    expect(pick).toEqual({ ok: true, device: DERMATOSCOPE });
  });

  it('reads the USB id in either case', () => {
    expect(pickDevice([camera('Cam (0C45:6366)')], { usb: '0c45:6366' }, 'dermatoscope')).toMatchObject({ ok: true });
    expect(pickDevice([DERMATOSCOPE], { usb: '0C45:6366' }, 'dermatoscope')).toMatchObject({ ok: true, device: DERMATOSCOPE });
  });

  it('does not take a USB id that only starts like the configured one', () => {
    expect(pickDevice([camera('Cam (0c45:63661)'), camera('Cam 0c45:6366')], { usb: '0c45:6366' }, 'dermatoscope'))
      .toMatchObject({ ok: false, code: 'MEDIA_DEVICE_NOT_FOUND' });
  });

  it('takes the device whose label matches the pattern, ignoring case', () => {
    expect(pickDevice([WEBCAM, camera('DermLite Cam')], { label: 'dermlite' }, 'dermatoscope')).toEqual({ ok: true, device: camera('DermLite Cam') });
    expect(pickDevice([WEBCAM, camera('fake_device_1'), camera('fake_device_2')], { label: '^fake_device_2$' }, 'dermatoscope'))
      .toEqual({ ok: true, device: camera('fake_device_2') });
  });

  it('wants both the label and the USB id when both are configured', () => {
    const twin = camera('Other Cam (0c45:6366)');
    expect(pickDevice([twin, DERMATOSCOPE], { label: '^USB Camera', usb: '0c45:6366' }, 'dermatoscope')).toEqual({ ok: true, device: DERMATOSCOPE });
    expect(pickDevice([twin], { label: '^USB Camera', usb: '0c45:6366' }, 'dermatoscope')).toMatchObject({ ok: false, code: 'MEDIA_DEVICE_NOT_FOUND' });
  });

  it('looks only at devices of the role\'s kind: a microphone of the same USB id is not the camera', () => {
    const pick = pickDevice([mic('USB Camera Audio (0c45:6366)'), WEBCAM], { usb: '0c45:6366' }, 'dermatoscope');
    expect(pick).toEqual({ ok: false, code: 'MEDIA_DEVICE_NOT_FOUND', role: 'dermatoscope', seen: [WEBCAM.label] });
  });

  it('says which role found nothing and what it saw, by label only, never by id', () => {
    const pick = pickDevice([WEBCAM, OTOSCOPE, mic('Built-in Microphone')], { usb: '0c45:6366' }, 'dermatoscope');
    expect(pick).toEqual({ ok: false, code: 'MEDIA_DEVICE_NOT_FOUND', role: 'dermatoscope', seen: [WEBCAM.label, OTOSCOPE.label] });
    expect(JSON.stringify(pick)).not.toContain('id-');
  });

  it('never falls back to "the last camera" for a configured role', () => {
    expect(pickDevice([WEBCAM, OTOSCOPE], { label: 'derm' }, 'dermatoscope')).toMatchObject({ ok: false, code: 'MEDIA_DEVICE_NOT_FOUND' });
  });

  it('leaves the patient camera and microphone to the default device when none is configured', () => {
    expect(pickDevice([WEBCAM, OTOSCOPE], undefined, 'patientCamera')).toEqual({ ok: true, device: null });
    expect(pickDevice([mic('Built-in Microphone')], undefined, 'patientMicrophone')).toEqual({ ok: true, device: null });
  });

  it('refuses to guess an instrument that has no selector', () => {
    expect(pickDevice([WEBCAM, DERMATOSCOPE], undefined, 'dermatoscope')).toEqual({ ok: false, code: 'MEDIA_DEVICE_NOT_CONFIGURED', role: 'dermatoscope' });
    expect(pickDevice([mic('Stethoscope')], undefined, 'stethoscope')).toEqual({ ok: false, code: 'MEDIA_DEVICE_NOT_CONFIGURED', role: 'stethoscope' });
  });

  it('does not pick between two devices that both match: it names them', () => {
    const a = camera('USB Camera (0c45:6366)', 'a');
    const b = camera('USB Camera (0c45:6366)', 'b');
    expect(pickDevice([a, b], { usb: '0c45:6366' }, 'dermatoscope'))
      .toEqual({ ok: false, code: 'MEDIA_DEVICE_AMBIGUOUS', role: 'dermatoscope', matched: [a.label, b.label] });
  });

  it("counts the browser's default and communications entries as the device they stand for, not a second match", () => {
    const real = mic('Stethoscope USB (0d8c:0014)', 'real');
    const picked = pickDevice([mic('Default - Stethoscope USB (0d8c:0014)', 'default'), mic('Communications - Stethoscope USB (0d8c:0014)', 'communications'), real], { label: 'stethoscope' }, 'stethoscope');
    expect(picked).toEqual({ ok: true, device: real });
  });

  it('never takes an otoscope for the dermatoscope, whatever else is plugged in and in whatever order', () => {
    const others = fc.constantFrom(WEBCAM, camera('fake_device_0'), camera('Integrated Camera'), mic('Fake Default Audio Input'), mic('USB Audio (0c45:6366)'));
    const otoscopes = fc.constantFrom(OTOSCOPE, camera('Otoscope (0c45:6367)'), camera('USB Camera (0c46:6366)'));
    fc.assert(fc.property(
      fc.array(others, { maxLength: 5 }), fc.array(otoscopes, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.nat(),
      fc.constantFrom({ usb: '0c45:6366' }, { label: '^USB Camera \\(0c45' }),
      (rest, otos, withDerm, seed, selector) => {
        const devices = [...rest, ...otos, ...(withDerm ? [DERMATOSCOPE] : [])];
        // Any order the browser may list them in.
        const shuffled = devices.map((d, i) => ({ d, k: (i * 7919 + seed) % 101 })).sort((x, y) => x.k - y.k).map((x) => x.d);
        const pick = pickDevice(shuffled, selector, 'dermatoscope');
        if (withDerm) expect(pick).toEqual({ ok: true, device: DERMATOSCOPE });
        else expect(pick).toMatchObject({ ok: false, code: 'MEDIA_DEVICE_NOT_FOUND' });
      },
    ));
  });
});
