/**
 * Spoken guidance: the WAVs pre-rendered by the build (espeak-ng) from the
 * message catalogue, played when a screen appears. One voice at a time; the
 * patient's mute button silences it, except the inactivity warning, which
 * must be heard before a wipe.
 */
import { useEffect } from 'react';
import type { Language } from '../../../shared/session-view';

declare global {
  interface Window {
    /** Test hook: the prompts this page has started, in order ("fr/speak.consent"). */
    __cabineSpoken?: string[];
  }
}

let current: HTMLAudioElement | null = null;

export function stopSpeech(): void {
  if (current) {
    current.pause();
    current.src = '';
    current = null;
  }
}

export function speak(lang: Language, key: string): void {
  stopSpeech();
  const audio = new Audio(`audio/${lang}/${key}.wav`);
  // NOTE: the kiosk runs at full system volume; the warning before a wipe is never muted (see useSpeech).
  audio.volume = 1;
  current = audio;
  (window.__cabineSpoken ??= []).push(`${lang}/${key}`);
  audio.play().catch(() => undefined);
}

/** Speaks `key` each time it changes (a new screen), unless muted. */
export function useSpeech(lang: Language, key: string | null, muted: boolean, opts: { loud?: boolean } = {}): void {
  useEffect(() => {
    if (!key || (muted && !opts.loud)) return;
    speak(lang, key);
    return () => stopSpeech();
  }, [lang, key, muted]);
}
