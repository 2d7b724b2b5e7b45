import { memo, useEffect, useRef, useState } from 'react';

type SaveState = { kind: 'idle' } | { kind: 'dirty' } | { kind: 'saving' } | { kind: 'saved'; at: number } | { kind: 'failed'; message: string };

/**
 * The doctor's notes, saved on the hub (`consult.saveNotes`) a moment after
 * typing stops and when the field loses focus; the indicator says whether
 * the latest text is stored.
 */
export const NotesPanel = memo(function NotesPanel({ save, pauseMs = 1000 }: { save: (text: string) => Promise<void>; pauseMs?: number }) {
  const [text, setText] = useState('');
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef('');
  const stored = useRef('');
  const flush = async (): Promise<void> => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const value = latest.current;
    if (value === stored.current) return;
    setState({ kind: 'saving' });
    try {
      await save(value);
      stored.current = value;
      // Typed again while saving: the next pause saves the rest.
      setState(latest.current === value ? { kind: 'saved', at: Date.now() } : { kind: 'dirty' });
    } catch (e) {
      setState({ kind: 'failed', message: (e as Error).message });
    }
  };
  const flushRef = useRef(flush);
  flushRef.current = flush;
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
    void flushRef.current();
  }, []);
  const onChange = (value: string): void => {
    setText(value);
    latest.current = value;
    setState({ kind: 'dirty' });
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void flushRef.current(), pauseMs);
  };
  const status = state.kind === 'saved' ? 'Enregistré' : state.kind === 'saving' ? 'Enregistrement…' : state.kind === 'dirty' ? 'Modifications non enregistrées'
    : state.kind === 'failed' ? `Non enregistré : ${state.message}` : 'Rien à enregistrer';
  return (
    <section className="panel notes" aria-labelledby="notes-title">
      <h2 id="notes-title">Notes de consultation</h2>
      <textarea
        aria-labelledby="notes-title"
        aria-describedby="notes-status"
        value={text}
        maxLength={20_000}
        rows={8}
        placeholder="Anamnèse, examen, conclusion…"
        onChange={(e) => onChange(e.target.value)}
        onBlur={() => void flush()}
      />
      <p id="notes-status" className={`save save--${state.kind}`} role="status" data-save-state={state.kind}>{status}</p>
    </section>
  );
});
