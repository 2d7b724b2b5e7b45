/**
 * The doctor's stethoscope: a body diagram with the eight points (buttons,
 * in the tab order, named), the breath instructions, stop; the booth's
 * progress; and, while the booth sends its stethoscope, the sound with its
 * volume and filter mode, a scrolling phonocardiogram and the heart rate
 * estimated from the sound. `clips` is where the recorded clips of the
 * current point go.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { AUSCULTATION_POINTS, AUSCULTATION_WORDING, type AuscultationPoint, type BreathInstruction } from '../../../../shared/auscultation';
import { AUSCULTATION, AuscultationProgress } from '../../../../shared/consult-protocol';
import { estimateHeartRate } from '../../../../shared/heart-sound';
import type { HubClient } from '../hub-client';
import { FILTER_MODES, StethoscopePlayer, type FilterMode } from '../stethoscope-audio';

declare global {
  interface Window {
    /** Test hook: what the listening panel hears (level 0..1, estimated rate or null). */
    __cabineStethoscope?: () => { level: number; bpm: number | null } | null;
    /** Benchmark hook: the next `seconds` of the received stethoscope sound, unfiltered, and its sample rate. */
    __cabineStethoscopeRecord?: (seconds: number) => Promise<{ sampleRate: number; samples: number[] }>;
  }
}

/** Short labels on the diagram; the button's name is the point's full name. */
const SHORT: Record<AuscultationPoint, string> = {
  aortic: 'Ao', pulmonary: 'P', tricuspid: 'T', mitral: 'M',
  'lung-front-left': 'PG', 'lung-front-right': 'PD', 'lung-back-left': 'PG', 'lung-back-right': 'PD',
};
/** Where each point sits on the diagram (% of its width and height): front on the left half, back on the right; the patient faces the doctor from the front. */
const SPOT: Record<AuscultationPoint, { left: number; top: number }> = {
  aortic: { left: 20, top: 30 },
  pulmonary: { left: 30, top: 30 },
  tricuspid: { left: 27, top: 52 },
  mitral: { left: 35, top: 58 },
  'lung-front-left': { left: 40, top: 38 },
  'lung-front-right': { left: 10, top: 38 },
  'lung-back-left': { left: 62, top: 55 },
  'lung-back-right': { left: 88, top: 55 },
};
const BREATH_LABEL: Record<BreathInstruction, string> = { deep: 'Respirez profondément', hold: 'Retenez votre respiration', normal: 'Respirez normalement' };
const STAGE_TEXT = { guidance: 'La cabine montre où poser le stéthoscope…', listening: 'Écoute en cours', stopped: 'Écoute arrêtée', error: 'Stéthoscope indisponible' } as const;

function Phonocardiogram({ player }: { player: StethoscopePlayer }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const draw = (): void => {
      const c = canvas.current;
      const g = c?.getContext('2d');
      if (!c || !g) return;
      const peaks = player.tracker.peaks();
      const shown = 400; // the last 4 s, 10 ms a column
      const from = Math.max(0, peaks.length - shown);
      g.fillStyle = '#ffffff';
      g.fillRect(0, 0, c.width, c.height);
      g.strokeStyle = '#0a3278';
      g.lineWidth = 1;
      g.beginPath();
      const mid = c.height / 2;
      let top = 0.02;
      for (let i = from; i < peaks.length; i++) top = Math.max(top, peaks[i]!);
      for (let i = from; i < peaks.length; i++) {
        const x = ((i - from) / shown) * c.width;
        const h = (peaks[i]! / top) * (mid - 2);
        g.moveTo(x, mid - h);
        g.lineTo(x, mid + h);
      }
      g.stroke();
    };
    const timer = setInterval(draw, 50);
    return () => clearInterval(timer);
  }, [player]);
  return <canvas ref={canvas} className="pcg" width={560} height={120} role="img" aria-label="Phonocardiogramme (les 4 dernières secondes)" data-testid="phonocardiogram" />;
}

export function ListeningPanel({ hub, track, clips }: {
  hub: HubClient;
  /** The booth's stethoscope as received, or null while it sends none. */
  track: MediaStreamTrack | null;
  /** The recorded clips of the current point (null: no point yet). */
  clips?: (point: AuscultationPoint | null) => ReactNode;
}) {
  const [point, setPoint] = useState<AuscultationPoint | null>(null);
  const [progress, setProgress] = useState<AuscultationProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [mode, setMode] = useState<FilterMode>('bell');
  const [volume, setVolume] = useState(1);
  const [player, setPlayer] = useState<StethoscopePlayer | null>(null);
  const [heard, setHeard] = useState<{ level: number; bpm: number | null }>({ level: 0, bpm: null });
  const ctx = useRef<AudioContext | null>(null);
  const audio = (): AudioContext => {
    ctx.current ??= new AudioContext({ sampleRate: 48_000 });
    // A click is the gesture browsers want before they play sound.
    void ctx.current.resume().catch(() => undefined);
    return ctx.current;
  };

  useEffect(() => hub.onNotification((m, d) => {
    if (m !== AUSCULTATION.progressNote) return;
    const n = AuscultationProgress.safeParse(d);
    if (!n.success) return;
    setProgress(n.data);
    if (n.data.stage === 'stopped') setPoint(null);
  }), [hub]);

  useEffect(() => {
    if (!track) return undefined;
    const p = new StethoscopePlayer(audio(), track, mode, volume);
    setPlayer(p);
    const timer = setInterval(() => setHeard({ level: p.level, bpm: estimateHeartRate(p.tracker.envelope(), p.tracker.envelopeRate) }), 500);
    window.__cabineStethoscope = () => ({ level: p.level, bpm: estimateHeartRate(p.tracker.envelope(), p.tracker.envelopeRate) });
    window.__cabineStethoscopeRecord = async (seconds) => ({ sampleRate: p.ctx.sampleRate, samples: Array.from(await p.record(seconds)) });
    return () => {
      clearInterval(timer);
      p.stop();
      setPlayer(null);
      setHeard({ level: 0, bpm: null });
      delete window.__cabineStethoscope;
      delete window.__cabineStethoscopeRecord;
    };
    // The mode and volume change the running player below, not a new one.
  }, [track]);
  useEffect(() => player?.setMode(mode), [player, mode]);
  useEffect(() => player?.setVolume(volume), [player, volume]);
  useEffect(() => () => void ctx.current?.close().catch(() => undefined), []);

  const ask = async (method: string, params: object): Promise<boolean> => {
    setError(null);
    audio();
    try {
      await hub.request(method, params);
      return true;
    } catch (e) {
      setError(`Demande non transmise : ${(e as Error).message}`);
      return false;
    }
  };
  const choose = async (p: AuscultationPoint): Promise<void> => {
    if (await ask(AUSCULTATION.auscultate, { point: p })) {
      setPoint(p);
      setMode(AUSCULTATION_WORDING[p].area === 'heart' ? 'bell' : 'diaphragm');
    }
  };
  const stage = progress?.stage ?? null;
  const shownPoint = point ?? progress?.point ?? null;

  return (
    <section className="panel listening" aria-labelledby="listening-title" data-stage={stage ?? 'idle'}>
      <h2 id="listening-title">Stéthoscope</h2>
      <div className="body-map" role="group" aria-label="Points d’auscultation">
        <svg className="body-map__figure" viewBox="0 0 200 120" aria-hidden="true" focusable="false">
          {[0, 100].map((x) => (
            <g key={x} transform={`translate(${x} 0)`} fill="#f3e6da" stroke="#2f3946" strokeWidth="1.5">
              <circle cx="50" cy="14" r="10" />
              <path d="M20 28 Q50 22 80 28 L86 110 Q50 118 14 110 Z" />
            </g>
          ))}
          <text x="50" y="119" textAnchor="middle" fontSize="8" fill="#111820" stroke="none">Face</text>
          <text x="150" y="119" textAnchor="middle" fontSize="8" fill="#111820" stroke="none">Dos</text>
        </svg>
        {AUSCULTATION_POINTS.map((p) => (
          <button key={p} type="button" className="body-map__point" style={{ left: `${SPOT[p].left}%`, top: `${SPOT[p].top}%` }}
            aria-pressed={shownPoint === p} aria-label={AUSCULTATION_WORDING[p].name} title={AUSCULTATION_WORDING[p].name}
            data-point={p} onClick={() => void choose(p)}>{SHORT[p]}</button>
        ))}
      </div>
      <p className="listening__status" role="status" data-testid="listening-status">
        {stage ? STAGE_TEXT[stage] : 'Choisissez un point sur le schéma.'}
        {shownPoint && stage !== 'stopped' ? ` — ${AUSCULTATION_WORDING[shownPoint].name}` : ''}
        {progress?.breath && stage !== 'stopped' ? ` · consigne : ${BREATH_LABEL[progress.breath].toLocaleLowerCase('fr')}` : ''}
      </p>
      {stage === 'error' && progress?.error && <p className="error" role="alert" data-testid="listening-error" data-code={progress.error.code}>{progress.error.message.fr}</p>}
      {error && <p className="error" role="alert">{error}</p>}
      <div className="listening__breath" role="group" aria-label="Consignes de respiration">
        {(Object.keys(BREATH_LABEL) as BreathInstruction[]).map((b) => (
          <button key={b} type="button" className="secondary" disabled={!shownPoint} data-breath={b}
            onClick={() => void ask(AUSCULTATION.breath, { instruction: b })}>{BREATH_LABEL[b]}</button>
        ))}
        <button type="button" className="danger" disabled={!shownPoint} onClick={() => void ask(AUSCULTATION.stop, {}).then((ok) => ok && setPoint(null))}>Arrêter l’écoute</button>
      </div>
      {player ? (
        <div className="listening__sound" data-testid="listening-sound">
          <Phonocardiogram player={player} />
          <p className="listening__rate" data-testid="heart-rate" data-bpm={heard.bpm === null ? '' : Math.round(heard.bpm)}>
            Fréquence estimée d’après le son : <strong>{heard.bpm === null ? '—' : `${Math.round(heard.bpm)} /min`}</strong>
          </p>
          <label className="listening__volume">Volume
            <input type="range" min={0} max={4} step={0.1} value={volume} onChange={(e) => setVolume(Number(e.target.value))} />
          </label>
          <meter className="listening__level" min={0} max={0.1} value={heard.level} aria-label="Niveau du stéthoscope" data-testid="stethoscope-level" data-level={heard.level.toFixed(4)} />
          <fieldset className="listening__modes">
            <legend>Filtre</legend>
            {(Object.keys(FILTER_MODES) as FilterMode[]).map((m) => (
              <label key={m} className="listening__mode">
                <input type="radio" name="stethoscope-filter" value={m} checked={mode === m} onChange={() => setMode(m)} />
                {FILTER_MODES[m].label}
              </label>
            ))}
          </fieldset>
          <p className="muted">Le micro de la cabine est coupé de votre côté pendant l’écoute.</p>
        </div>
      ) : stage === 'listening' ? <p className="muted">Le son du stéthoscope arrive…</p> : null}
      {clips?.(shownPoint)}
    </section>
  );
}
