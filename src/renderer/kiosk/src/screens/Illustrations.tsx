/**
 * Inline illustrations for the measurement steps: simple, high-contrast
 * drawings (dark ink on white, one accent), decorative — the words beside
 * them say the same thing, and are spoken.
 */
import type { ReactElement } from 'react';
import type { MeasurementKind } from '../../../../shared/domain';

const INK = '#000000';
const ACCENT = '#0a3278';
const SKIN = '#f3d9c4';

/** Decorative: the step's words are beside it (and spoken). */
function Frame({ children }: { children: ReactElement | ReactElement[] }) {
  return (
    <svg className="illustration" viewBox="0 0 320 240" aria-hidden="true" focusable="false" data-testid="illustration">
      <rect x="0" y="0" width="320" height="240" rx="16" fill="#ffffff" stroke={INK} strokeWidth="3" />
      {children}
    </svg>
  );
}

const head = (cx = 160, cy = 120) => (
  <g>
    <circle cx={cx} cy={cy} r="62" fill={SKIN} stroke={INK} strokeWidth="4" />
    <circle cx={cx - 22} cy={cy - 6} r="6" fill={INK} />
    <circle cx={cx + 22} cy={cy - 6} r="6" fill={INK} />
    <path d={`M${cx - 22} ${cy + 28} Q${cx} ${cy + 42} ${cx + 22} ${cy + 28}`} stroke={INK} strokeWidth="4" fill="none" />
  </g>
);

const arm = (
  <g>
    <rect x="20" y="110" width="280" height="56" rx="28" fill={SKIN} stroke={INK} strokeWidth="4" />
    <line x1="200" y1="110" x2="200" y2="166" stroke={INK} strokeWidth="2" strokeDasharray="6 6" />
  </g>
);

const hand = (
  <g>
    <rect x="40" y="120" width="150" height="90" rx="30" fill={SKIN} stroke={INK} strokeWidth="4" />
    <rect x="180" y="140" width="110" height="34" rx="17" fill={SKIN} stroke={INK} strokeWidth="4" />
  </g>
);

const drawings: Record<string, (step: number) => ReactElement> = {
  temperature: (step) => (
    <Frame>
      {step === 0 ? <g /> : head()}
      <g transform={step === 0 ? 'translate(110 60)' : 'translate(150 20)'}>
        <rect x="0" y="0" width="40" height="110" rx="20" fill={ACCENT} stroke={INK} strokeWidth="4" />
        <rect x="8" y="14" width="24" height="30" rx="6" fill="#ffffff" />
      </g>
      {step === 2 ? <path d="M230 40 q20 10 0 20 q20 10 0 20" stroke={INK} strokeWidth="4" fill="none" /> : <g />}
    </Frame>
  ),
  'blood-pressure': (step) => (
    <Frame>
      {step === 0 ? (
        <g>
          <rect x="110" y="30" width="100" height="90" rx="12" fill="#ffffff" stroke={INK} strokeWidth="4" />
          <rect x="100" y="120" width="120" height="20" fill={INK} />
          <line x1="120" y1="140" x2="110" y2="220" stroke={INK} strokeWidth="6" />
          <line x1="200" y1="140" x2="210" y2="220" stroke={INK} strokeWidth="6" />
        </g>
      ) : (
        <g>
          {arm}
          <rect x="90" y="98" width="90" height="80" rx="10" fill={ACCENT} stroke={INK} strokeWidth="4" />
          {step >= 2 ? <path d="M135 178 C135 210 170 220 200 220" stroke={INK} strokeWidth="6" fill="none" /> : <g />}
          {step === 3 ? <rect x="20" y="190" width="280" height="12" fill={INK} /> : <g />}
        </g>
      )}
    </Frame>
  ),
  spo2: (step) => (
    <Frame>
      {hand}
      <g transform={step === 0 ? 'translate(230 40)' : 'translate(230 128)'}>
        <rect x="0" y="0" width="70" height="58" rx="12" fill={ACCENT} stroke={INK} strokeWidth="4" />
      </g>
      {step === 2 ? <rect x="20" y="214" width="280" height="10" fill={INK} /> : <g />}
    </Frame>
  ),
  'dermatoscope-photo': (step) => (
    <Frame>
      <rect x="20" y="160" width="280" height="60" rx="12" fill={SKIN} stroke={INK} strokeWidth="4" />
      <g transform={step === 0 ? 'translate(120 20)' : 'translate(120 60)'}>
        <rect x="20" y="0" width="40" height="70" rx="10" fill={ACCENT} stroke={INK} strokeWidth="4" />
        <circle cx="40" cy="86" r="22" fill="#ffffff" stroke={INK} strokeWidth="4" />
      </g>
      {step === 2 ? <circle cx="160" cy="146" r="40" fill="none" stroke={INK} strokeWidth="3" strokeDasharray="8 6" /> : <g />}
    </Frame>
  ),
};

/** A head in profile, its ear large; the otoscope comes to the ear's entrance (step 2 pulls the ear back). The right ear is the left one's drawing seen from the other side. */
function otoscope(step: number, mirrored: boolean): ReactElement {
  return (
    <Frame>
      <g transform={mirrored ? 'translate(320 0) scale(-1 1)' : undefined}>
        <path d="M70 220 C40 170 40 80 110 40 C170 10 240 40 250 110 C255 150 240 190 220 220 Z" fill={SKIN} stroke={INK} strokeWidth="4" />
        <path d="M150 90 C130 90 122 110 126 130 C130 150 150 160 160 150 C168 142 160 132 152 130" fill="none" stroke={INK} strokeWidth="5" />
        <circle cx="148" cy="122" r="6" fill={INK} />
        {step >= 1 ? <path d="M150 84 C158 70 172 66 182 72" fill="none" stroke={INK} strokeWidth="4" strokeDasharray="6 5" /> : <g />}
        <g transform={step === 0 ? 'translate(215 20) rotate(40)' : 'translate(160 100) rotate(40)'}>
          <rect x="0" y="0" width="24" height="90" rx="8" fill={ACCENT} stroke={INK} strokeWidth="4" />
          <path d="M4 0 L12 -26 L20 0 Z" fill="#ffffff" stroke={INK} strokeWidth="3" />
        </g>
        {step === 2 ? <circle cx="148" cy="122" r="30" fill="none" stroke={INK} strokeWidth="3" strokeDasharray="8 6" /> : <g />}
      </g>
    </Frame>
  );
}

export function MeasurementIllustration({ kind, step, mirrored = false }: { kind: MeasurementKind; step: number; mirrored?: boolean }) {
  if (kind === 'otoscope-photo') return otoscope(step, mirrored);
  const draw = drawings[kind === 'cuff-pressure' ? 'blood-pressure' : kind] ?? drawings.temperature!;
  return draw(step);
}
