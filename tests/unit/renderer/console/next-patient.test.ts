/**
 * The console's wrap-up leads to the next patient: under the notes, the
 * prescription and the report, a panel says how many patients wait and its
 * button goes back to the waiting room. The click through the real hub is in
 * tests/e2e/console-wrap-up.test.ts.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { NextPatient } from '../../../../src/renderer/console/src/components/NextPatient';
import { waitingCountText } from '../../../../src/renderer/console/src/format';

const render = (waiting: number): string => renderToStaticMarkup(createElement(NextPatient, { waiting, onBack: () => undefined }));

describe('the wrap-up\'s way to the next patient', () => {
  it('says how many patients wait, in words', () => {
    expect(waitingCountText(0)).toBe('Aucun patient n’attend pour le moment.');
    expect(waitingCountText(1)).toBe('1 patient attend en salle d’attente.');
    expect(waitingCountText(3)).toBe('3 patients attendent en salle d’attente.');
  });

  it('offers one clear button back to the waiting room, with the number waiting', () => {
    const html = render(2);
    expect(html).toContain('Patient suivant');
    expect(html).toContain('2 patients attendent en salle d’attente.');
    expect(html.match(/<button/g)).toHaveLength(1);
    expect(html).toMatch(/<button[^>]*>Retour à la salle d’attente \(2\)<\/button>/);
    expect(render(0)).toMatch(/<button[^>]*>Retour à la salle d’attente<\/button>/);
  });
});
