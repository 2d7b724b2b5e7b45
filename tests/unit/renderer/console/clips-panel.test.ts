/**
 * The console's stethoscope clips, rendered as components: recording needs a
 * point and a live call; each clip is listed with its point's name, time,
 * length and a player of its WAV.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ClipsPanel } from '../../../../src/renderer/console/src/components/ClipsPanel';
import type { HubClient } from '../../../../src/renderer/console/src/hub-client';

/** A hub that never answers: effects do not run in a static render anyway. */
const hub: Pick<HubClient, 'request' | 'onNotification'> = { onNotification: () => () => undefined, request: () => new Promise(() => undefined) };
const text = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('the console\'s stethoscope clips', () => {
  it('offers to record 15 s only at a chosen point, during the call', () => {
    const none = renderToStaticMarkup(createElement(ClipsPanel, { hub, boothId: 'demo-booth-1', point: null, live: true }));
    expect(none).toMatch(/<button type="button" disabled="">Enregistrer 15 s<\/button>/);
    expect(text(none)).toContain('Choisissez d’abord un point d’auscultation.');
    const mitral = renderToStaticMarkup(createElement(ClipsPanel, { hub, boothId: 'demo-booth-1', point: 'mitral', live: true }));
    expect(mitral).toMatch(/<button type="button">Enregistrer 15 s<\/button>/);
    expect(text(mitral)).toContain('Foyer mitral');
    const ended = renderToStaticMarkup(createElement(ClipsPanel, { hub, boothId: 'demo-booth-1', point: 'mitral', live: false }));
    expect(ended).toMatch(/disabled="">Enregistrer 15 s/);
    expect(text(ended)).toContain('Aucun enregistrement pour l’instant.');
  });
});
