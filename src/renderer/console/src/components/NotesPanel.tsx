import { memo, useEffect, useRef, useState } from 'react';
import { NOTES_MAX } from '../../../../shared/consult-protocol';

type SaveState = { kind: 'loading' } | { kind: 'idle' } | { kind: 'dirty' } | { kind: 'saving' } | { kind: 'saved'; at: number } | { kind: 'failed'; message: string };

/**
 * The doctor's notes, saved on the hub (`consult.saveNotes`) a moment after
 * typing stops and when the field loses focus; the indicator says whether
 * the latest text is stored.
 *
 * Each save replaces the session's notes on the hub, so the panel starts from
 * the notes the hub holds (`stored`, from the `consult.context` catch-up):
 * until they are known the field is read-only and nothing is saved, else a
 * reloaded console or a tab taking the call over would save its first
 * keystrokes over what the doctor wrote before.
 */
export const NotesPanel = memo(function NotesPanel({ save, stored: fromHub, pauseMs = 1000 }: {
  save: (text: string) => Promise<void>;
  /** The notes the hub holds: undefined until it has answered, null when it has none for this session. */
  stored: string | null | undefined;
  pauseMs?: number;
}) {
  const [text, setText] = useState(fromHub ?? '');
  const [state, setState] = useState<SaveState>(fromHub === undefined ? { kind: 'loading' } : fromHub === null ? { kind: 'idle' } : { kind: 'saved', at: Date.now() });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const loaded = useRef(fromHub !== undefined);
  const saving = useRef(false);
  const latest = useRef(fromHub ?? '');
  const stored = useRef(fromHub ?? '');

  useEffect(() => {
    if (fromHub === undefined) return;
    // A later catch-up (the link came back) never replaces what the doctor typed since, nor races a save.
    if (loaded.current && (latest.current !== stored.current || saving.current)) return;
    loaded.current = true;
    latest.current = stored.current = fromHub ?? '';
    setText(latest.current);
    setState(fromHub === null ? { kind: 'idle' } : { kind: 'saved', at: Date.now() });
  }, [fromHub]);

  const flush = async (): Promise<void> => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const value = latest.current;
    if (!loaded.current || value === stored.current) return;
    setState({ kind: 'saving' });
    saving.current = true;
    try {
      await save(value);
      stored.current = value;
      // Typed again while saving: the next pause saves the rest.
      setState(latest.current === value ? { kind: 'saved', at: Date.now() } : { kind: 'dirty' });
    } catch (e) {
      setState({ kind: 'failed', message: (e as Error).message });
    } finally {
      saving.current = false;
    }
  };
  const flushRef = useRef(flush);
  flushRef.current = flush;
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
    void flushRef.current();
  }, []);
  const onChange = (value: string): void => {
    if (!loaded.current) return;
    setText(value);
    latest.current = value;
    setState({ kind: 'dirty' });
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void flushRef.current(), pauseMs);
  };
  const status = state.kind === 'saved' ? 'Enregistré' : state.kind === 'saving' ? 'Enregistrement…' : state.kind === 'dirty' ? 'Modifications non enregistrées'
    : state.kind === 'failed' ? `Non enregistré : ${state.message}` : state.kind === 'loading' ? 'Chargement des notes enregistrées…' : 'Rien à enregistrer';
  return (
    <section className="panel notes" aria-labelledby="notes-title">
      <h2 id="notes-title">Notes de consultation</h2>
      <textarea
        aria-labelledby="notes-title"
        aria-describedby="notes-status"
        aria-busy={state.kind === 'loading'}
        value={text}
        readOnly={state.kind === 'loading'}
        maxLength={NOTES_MAX}
        rows={8}
        placeholder={state.kind === 'loading' ? '' : 'Anamnèse, examen, conclusion…'}
        onChange={(e) => onChange(e.target.value)}
        onBlur={() => void flush()}
      />
      <p id="notes-status" className={`save save--${state.kind}`} role="status" data-save-state={state.kind}>{status}</p>
    </section>
  );
});
