/**
 * The stethoscope's simulator as a file: the heart sounds of heart-sound.ts
 * written as a 48 kHz stereo PCM WAV, for Chromium's fake microphone
 * (`--use-file-for-fake-audio-capture=<file>`, which loops it) in the e2e
 * tests, the fidelity bench and `npm run demo`.
 */
import { writeFileSync } from 'node:fs';
import { heartSoundWav, type HeartSoundOptions } from './heart-sound';

/** The rate, length and content tests, the bench and the demo use unless told otherwise. */
export const SIMULATED_HEART: Required<Omit<HeartSoundOptions, 'seed'>> = { bpm: 72, seconds: 12, sampleRate: 48_000, murmur: false, breath: true };

/** Writes the simulator's WAV to `file`; returns the options used. */
export function writeHeartSoundWav(file: string, options: Partial<HeartSoundOptions> = {}): HeartSoundOptions {
  const used = { ...SIMULATED_HEART, ...options };
  writeFileSync(file, heartSoundWav(used));
  return used;
}
