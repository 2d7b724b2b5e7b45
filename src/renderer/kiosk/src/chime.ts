/**
 * The booth's local alert chime, from the booth's own speakers: the WAV the
 * build synthesises with sox (scripts/build-steps.mjs, public/audio/chime.wav),
 * once for each alert raised, at the volume kiosk-config gives. The patient's
 * voice switch does not silence it: it calls the pharmacist, not the patient.
 * Should the file be missing (a build without sox), a WebAudio tone stands in.
 */
import { useEffect } from 'react';
import type { AlertView } from '../../../shared/session-view';

declare global {
  interface Window {
    /** Test hook: the chimes this page has started, with their volume and how ("wav" or "tone"). */
    __cabineChimes?: { volume: number; via: 'wav' | 'tone' }[];
  }
}

function tone(volume: number): void {
  (window.__cabineChimes ??= []).push({ volume, via: 'tone' });
  try {
    const ctx = new AudioContext();
    const gain = ctx.createGain();
    gain.connect(ctx.destination);
    // Two falling notes (A5, E5), as the WAV: a doorbell, not an alarm.
    [[880, 0], [659.25, 0.4]].forEach(([freq, at]) => {
      const osc = ctx.createOscillator();
      osc.frequency.value = freq!;
      osc.connect(gain);
      gain.gain.setValueAtTime(0.6 * volume, ctx.currentTime + at!);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + at! + 0.6);
      osc.start(ctx.currentTime + at!);
      osc.stop(ctx.currentTime + at! + 0.6);
    });
  } catch {
    // No audio device: the screen still says the pharmacist is being called.
  }
}

export function playChime(volume: number): void {
  const audio = new Audio('audio/chime.wav');
  audio.volume = Math.min(1, Math.max(0, volume));
  audio.play().then(() => {
    (window.__cabineChimes ??= []).push({ volume, via: 'wav' });
  }, () => tone(volume));
}

/** Chimes once when an alert is raised (each new alert id), again each time nobody answered in time, never for an acknowledged one. */
export function useChime(alert: AlertView | null | undefined): void {
  const raised = alert?.state === 'raised' ? alert : null;
  const id = raised?.id ?? null;
  const ring = raised?.ring ?? 1;
  const volume = raised?.chime?.volume ?? null;
  useEffect(() => {
    if (id && volume !== null) playChime(volume);
  }, [id, ring]);
}
