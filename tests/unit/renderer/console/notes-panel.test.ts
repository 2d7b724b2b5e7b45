/**
 * The notes panel starts from the notes the hub holds for the session (a
 * reloaded console, a tab taking the call over): it shows them as saved, and
 * while they are not known it is read-only, so nothing typed there can be
 * saved over them. Typing after a reload is in tests/e2e/console-notes.test.ts.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { NotesPanel } from '../../../../src/renderer/console/src/components/NotesPanel';

const save = (): Promise<void> => Promise.resolve();
const render = (stored: string | null | undefined): string => renderToStaticMarkup(createElement(NotesPanel, { save, stored }));

describe('the notes panel', () => {
  it('shows the notes the hub stored, as saved', () => {
    const html = render('Fièvre depuis 2 jours.');
    expect(html).toMatch(/<textarea[^>]*>Fièvre depuis 2 jours\.<\/textarea>/);
    expect(html).toContain('Enregistré');
    expect(html).not.toMatch(/<textarea[^>]*readonly/i);
  });

  it('is read-only until the stored notes are known, and editable and empty when the hub has none', () => {
    const loading = render(undefined);
    expect(loading).toMatch(/<textarea[^>]*readonly/i);
    expect(loading).toContain('Chargement des notes enregistrées…');
    const none = render(null);
    expect(none).not.toMatch(/<textarea[^>]*readonly/i);
    expect(none).toMatch(/<textarea[^>]*><\/textarea>/);
    expect(none).toContain('Rien à enregistrer');
  });
});
