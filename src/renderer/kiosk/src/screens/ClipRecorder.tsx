/**
 * The stethoscope clip the doctor asked for, whatever the screen shows: on
 * the host's `clipCommand` the page records (clip-recorder.ts) and says so
 * over everything ("Enregistrement en cours", with the seconds left), then
 * gets out of the way. A clip that stopped (the stethoscope unplugged) is
 * said calmly, for a while, and nothing is sent.
 */
import { useEffect, useRef, useState } from 'react';
import { CLIP_KIOSK_WORDING } from '../../../../shared/clip-protocol';
import type { KioskApi } from '../../../../shared/kiosk-api';
import type { Language } from '../../../../shared/language';
import { ClipStopped, runClipCommand, webAudioTap, type ClipCapture } from '../clip-recorder';

type State =
  | { kind: 'idle' }
  | { kind: 'recording'; seconds: number; progress: number }
  | { kind: 'stopped'; code: ClipStopped['code'] };

/** How long the calm "stopped" message stays. */
const STOPPED_MS = 10_000;

export function ClipRecorder({ api, lang }: { api: KioskApi; lang: Language }) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const busy = useRef(false);
  const capture = useRef<ClipCapture | null>(null);

  useEffect(() => {
    const off = api.onEvent((event) => {
      if (event.name !== 'clipCommand' || busy.current) return;
      const cmd = event.data;
      busy.current = true;
      setState({ kind: 'recording', seconds: cmd.seconds, progress: 0 });
      runClipCommand(api, cmd, { md: navigator.mediaDevices, tap: webAudioTap }, {
        onProgress: (progress) => setState((s) => (s.kind === 'recording' ? { ...s, progress } : s)),
        onCapture: (c) => { capture.current = c; },
      }).then(
        () => setState({ kind: 'idle' }),
        (error: unknown) => setState({ kind: 'stopped', code: error instanceof ClipStopped ? error.code : 'CAPTURE_FAILED' }),
      ).finally(() => {
        busy.current = false;
        capture.current = null;
      });
    });
    return () => {
      off();
      // The page goes (a new session): a clip in progress is dropped, never sent in part.
      capture.current?.cancel();
    };
  }, [api]);

  useEffect(() => {
    if (state.kind !== 'stopped') return undefined;
    const timer = setTimeout(() => setState({ kind: 'idle' }), STOPPED_MS);
    return () => clearTimeout(timer);
  }, [state.kind]);

  if (state.kind === 'recording') {
    const left = Math.max(0, Math.ceil(state.seconds * (1 - state.progress)));
    return (
      <div className="clip-recording" role="status" data-testid="clip-recording">
        <span className="clip-recording__dot" aria-hidden="true" />
        <p className="clip-recording__title">{CLIP_KIOSK_WORDING.recording[lang]} — {left} s</p>
        <p>{CLIP_KIOSK_WORDING.hold[lang]}</p>
        <progress max={1} value={state.progress} aria-label={CLIP_KIOSK_WORDING.recording[lang]} />
      </div>
    );
  }
  if (state.kind === 'stopped') {
    return (
      <div className="clip-recording clip-recording--stopped" role="status" data-testid="clip-stopped">
        <p>{CLIP_KIOSK_WORDING[state.code][lang]}</p>
      </div>
    );
  }
  return null;
}
