/**
 * Inline illustrations for the measurement steps: simple, high-contrast
 * drawings (dark ink on white, one accent), decorative — the words beside
 * them say the same thing, and are spoken.
 */
import type { ReactElement } from 'react';
import type { AuscultationPoint } from '../../../../shared/auscultation';
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

/** Where each point lies on a torso seen from the front or the back (viewBox units; the patient's left is the viewer's right from the front). */
const POINT_SPOT: Record<AuscultationPoint, { view: 'front' | 'back'; x: number; y: number }> = {
  aortic: { view: 'front', x: 88, y: 84 },
  pulmonary: { view: 'front', x: 112, y: 84 },
  tricuspid: { view: 'front', x: 106, y: 138 },
  mitral: { view: 'front', x: 134, y: 150 },
  'lung-front-left': { view: 'front', x: 136, y: 100 },
  'lung-front-right': { view: 'front', x: 64, y: 100 },
  'lung-back-left': { view: 'back', x: 70, y: 140 },
  'lung-back-right': { view: 'back', x: 130, y: 140 },
};

function Torso({ x, view, spot }: { x: number; view: 'front' | 'back'; spot: { x: number; y: number } | null }) {
  return (
    <g transform={`translate(${x} 0)`} opacity={spot ? 1 : 0.45}>
      <circle cx="100" cy="30" r="22" fill={SKIN} stroke={INK} strokeWidth="3" />
      <path d="M40 62 Q100 48 160 62 L170 200 Q100 215 30 200 Z" fill={SKIN} stroke={INK} strokeWidth="3" />
      {view === 'front' ? (
        <g stroke={INK} strokeWidth="2" fill="none">
          <line x1="100" y1="66" x2="100" y2="150" />
          <path d="M60 70 Q80 76 96 70 M104 70 Q120 76 140 70" />
          <path d="M62 150 Q76 164 90 152 M110 152 Q124 164 138 150" />
        </g>
      ) : (
        <g stroke={INK} strokeWidth="2" fill="none">
          <line x1="100" y1="62" x2="100" y2="200" strokeDasharray="4 4" />
          <path d="M56 80 L86 84 L80 124 Z M144 80 L114 84 L120 124 Z" />
        </g>
      )}
      {spot && (
        <g data-testid="auscultation-spot">
          <circle cx={spot.x} cy={spot.y} r="16" fill="none" stroke={ACCENT} strokeWidth="5" />
          <circle cx={spot.x} cy={spot.y} r="6" fill={ACCENT} />
        </g>
      )}
    </g>
  );
}

/** The torso from the front and from the back, the point where the chest piece goes marked on the one that has it. */
export function AuscultationIllustration({ point, front, back }: { point: AuscultationPoint; front: string; back: string }) {
  const spot = POINT_SPOT[point];
  return (
    <svg className="illustration" viewBox="0 0 420 240" aria-hidden="true" focusable="false" data-testid="illustration" data-point={point}>
      <rect x="0" y="0" width="420" height="240" rx="16" fill="#ffffff" stroke={INK} strokeWidth="3" />
      <Torso x={0} view="front" spot={spot.view === 'front' ? spot : null} />
      <Torso x={210} view="back" spot={spot.view === 'back' ? spot : null} />
      <text x="100" y="232" textAnchor="middle" fontSize="18" fontWeight="700" fill={INK}>{front}</text>
      <text x="310" y="232" textAnchor="middle" fontSize="18" fontWeight="700" fill={INK}>{back}</text>
    </svg>
  );
}
