/**
 * The booth's instruments as the e2e tests fake them in Chromium: the
 * stethoscope's heart sounds for the fake microphone, the otoscope's eardrum
 * behind the kiosk's camera seam, and what the tests read of them on the
 * pages and in the hub.
 */
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { writeHeartSoundWav } from '../../devices/drivers/stethoscope/simulator';
import type { Hub } from '../../src/hub/server';

/**
 * Writes the stethoscope simulator's heart sounds at `bpm` into `dir` and
 * returns the Chromium flag that makes every fake microphone play them
 * (looped); kiosk-config then names "Fake Audio Input 2" as the stethoscope.
 */
export function heartSoundMicrophone(dir: string, bpm: number): string {
  const wav = join(dir, 'heart.wav');
  writeHeartSoundWav(wav, { bpm });
  return `--use-file-for-fake-audio-capture=${wav}`;
}

/** Four fake cameras as in the demo: the call's (first), the dermatoscope's (third), the otoscope's (fourth, kiosk-config). */
export const FOUR_CAMERAS = '--use-fake-device-for-media-stream=device-count=4';

/** The otoscope camera's own size (4:3, as a USB otoscope's sensor commonly is). */
export const OTOSCOPE = { width: 1280, height: 960 };

/**
 * Runs in the kiosk page before its scripts (`page.addInitScript(eardrumCamera,
 * OTOSCOPE)`). Chromium feeds one picture to all its fake cameras, so the
 * otoscope's ("fake_device_3") is replaced, through the kiosk's camera seam,
 * by a pink-grey eardrum with its cone of light, kept drawing at the
 * otoscope's own size: its still can be told from the dermatoscope's and its
 * size checked. `__otoscopeTrack` is the track handed out;
 * `__unplugOtoscope()` takes the camera off the browser's list and ends its
 * track, as pulling the USB cable does.
 */
declare global {
  interface Window {
    /** Test hook (eardrumCamera): the otoscope track the camera seam handed out. */
    __otoscopeTrack?: MediaStreamTrack;
    /** Test hook (eardrumCamera): pulls the otoscope's cable. */
    __unplugOtoscope?: () => void;
  }
}

export function eardrumCamera({ width, height }: { width: number; height: number }): void {
  const w = window;
  let unplugged = false;
  const md = navigator.mediaDevices;
  const list = md.enumerateDevices.bind(md);
  md.enumerateDevices = async () => (await list()).filter((d) => !(unplugged && d.label === 'fake_device_3'));
  let otoscopeId: string | null = null;
  const idOf = async (): Promise<string | null> => (otoscopeId ??= (await list()).find((d) => d.label === 'fake_device_3')?.deviceId ?? null);
  // The seam is synchronous: the id is learnt as soon as the page has labels (its first camera opened).
  md.addEventListener('devicechange', () => void idOf());
  const learn = setInterval(() => void idOf().then((id) => { if (id) clearInterval(learn); }), 100);
  w.__cabineCameraSource = (deviceId) => {
    if (deviceId !== otoscopeId) return null;
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const g = canvas.getContext('2d')!;
    let tick = 0;
    const draw = (): void => {
      tick += 1;
      g.fillStyle = '#2a1410';
      g.fillRect(0, 0, width, height);
      g.fillStyle = '#d9a3a0';
      g.beginPath();
      g.ellipse(width / 2, height / 2, height * 0.38, height * 0.34, 0, 0, 2 * Math.PI);
      g.fill();
      // The cone of light, slightly moving so that every frame differs.
      g.fillStyle = '#fff4e8';
      g.beginPath();
      g.moveTo(width / 2, height / 2);
      g.lineTo(width / 2 + height * 0.22, height / 2 + height * 0.24 + (tick % 4));
      g.lineTo(width / 2 + height * 0.12, height / 2 + height * 0.28);
      g.fill();
    };
    draw();
    setInterval(draw, 40);
    const stream = canvas.captureStream(25);
    w.__otoscopeTrack = stream.getVideoTracks()[0]!;
    return stream;
  };
  w.__unplugOtoscope = () => {
    unplugged = true;
    md.dispatchEvent(new Event('devicechange'));
    w.__otoscopeTrack?.dispatchEvent(new Event('ended'));
  };
}

/** The size of the track the eardrum camera handed out, as the kiosk page reads it. */
export async function otoscopeTrackSize(kioskPage: Page): Promise<{ width?: number; height?: number }> {
  return kioskPage.evaluate(() => {
    const s = window.__otoscopeTrack?.getSettings();
    return { width: s?.width, height: s?.height };
  });
}

/**
 * A stored still's size and the colour at 35 % across, 40 % down (on the
 * eardrum, off its cone of light), read from the gallery thumbnail's source.
 */
export async function stillOf(img: Locator): Promise<{ width: number; height: number; pixel: number[] }> {
  return img.evaluate(async (el: HTMLImageElement) => {
    const full = new Image();
    full.src = el.src;
    await full.decode();
    const c = document.createElement('canvas');
    c.width = full.naturalWidth;
    c.height = full.naturalHeight;
    const g = c.getContext('2d')!;
    g.drawImage(full, 0, 0);
    const [r, gr, b] = g.getImageData(Math.round(c.width * 0.35), Math.round(c.height * 0.4), 1, 1).data;
    return { width: full.naturalWidth, height: full.naturalHeight, pixel: [r!, gr!, b!] };
  });
}

/** Whether a colour is the eardrum's pink-grey (not Chromium's fake pattern). */
export function isEardrum([r, g, b]: number[]): boolean {
  return Math.abs(r! - 0xd9) < 24 && Math.abs(g! - 0xa3) < 24 && Math.abs(b! - 0xa0) < 24;
}

/** Frames a video element has decoded so far (0 while it is not there). */
export async function videoFrames(video: Locator): Promise<number> {
  return video.evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames).catch(() => 0);
}

/** The console phonocardiogram's inked pixels (0 while blank). */
export async function phonocardiogramInk(page: Page): Promise<number> {
  return page.getByTestId('phonocardiogram').evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! < 200 || data[i + 1]! < 200) n++;
    return n;
  });
}

/** The sources of what a booth produces in its room, as the hub holds them. */
export function boothSources(hub: Hub, boothId: string): string[] {
  const room = hub.media!.service.roomOfBooth(boothId);
  return [...(room?.sides.booth?.producers.values() ?? [])].filter((p) => !p.closed).map((p) => String(p.appData.source));
}
