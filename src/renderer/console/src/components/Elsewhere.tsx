import type { Presence } from '../types';

const TITLE: Record<Exclude<Presence, 'here'>, string> = {
  opened: 'Reprendre la consultation ici ?',
  takenOver: 'La consultation continue dans un autre onglet',
  released: 'Reprendre la consultation ici ?',
};

/**
 * A tab that does not hold the call (another tab of the same doctor does,
 * or held it until it closed): no camera, no microphone, no video here,
 * only what is going on and the button that moves the call to this tab.
 */
export function Elsewhere({ presence, label, busy, onTakeOver }: { presence: Exclude<Presence, 'here'>; label: string; busy: boolean; onTakeOver: () => void }) {
  const text = presence === 'opened'
    ? `La consultation (${label}) est ouverte dans un autre onglet. La reprendre ici y arrêtera la vidéo et le micro ; le patient vous reverra dans cet onglet.`
    : presence === 'takenOver'
      ? 'La vidéo et le micro de cet onglet sont arrêtés ; le patient vous voit dans l’autre onglet. Vous pouvez reprendre la consultation ici à tout moment.'
      : `L’onglet qui avait la consultation (${label}) a été fermé. L’appel continue : le patient attend que vous le repreniez.`;
  return (
    <section className="card elsewhere" aria-labelledby="elsewhere-title" data-presence={presence}>
      <h2 id="elsewhere-title">{TITLE[presence]}</h2>
      <p>{text}</p>
      <button type="button" onClick={onTakeOver} disabled={busy}>Reprendre la consultation ici</button>
    </section>
  );
}
