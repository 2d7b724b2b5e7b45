/**
 * The console while the booth is away from the call,
 * rendered as components with an injected clock: it says the booth is
 * offline, since when, and when the call ends if it does not come back —
 * never "En communication" — and after the call, why it ended.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { BoothAwayBanner } from '../../../../src/renderer/console/src/components/BoothAwayBanner';
import { Consultation } from '../../../../src/renderer/console/src/components/Consultation';
import { boothAwayText, endedText } from '../../../../src/renderer/console/src/format';
import type { HubClient } from '../../../../src/renderer/console/src/hub-client';

/** A hub that never answers: effects do not run in a static render anyway. */
const hub = { onNotification: () => () => undefined, request: () => new Promise(() => undefined), status: 'online' } as unknown as HubClient;
const call = { boothId: 'demo-booth-1', roomId: 'room-1', label: 'Pharmacie de la Place, Aurillac', entry: null };
const text = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('the console while the booth is away', () => {
  it('says since when the booth is offline and in how long the call ends, counting on the page clock', () => {
    // The hub said: away 40 s, 20 s left; received at t = 5 s on this page's clock.
    const away = { awayMs: 40_000, endsInMs: 20_000, receivedAt: 5_000 };
    expect(boothAwayText(away, 5_000)).toEqual({ title: 'Cabine hors ligne depuis 40 s', detail: 'L’appel sera terminé dans 20 s si elle ne revient pas.' });
    expect(boothAwayText(away, 15_400)).toEqual({ title: 'Cabine hors ligne depuis 50 s', detail: 'L’appel sera terminé dans 10 s si elle ne revient pas.' });
    expect(boothAwayText({ awayMs: 0, endsInMs: 90_000, receivedAt: 0 }, 0).detail).toBe('L’appel sera terminé dans 1 min 30 s si elle ne revient pas.');
    expect(boothAwayText(away, 26_000).detail).toBe('L’appel va être terminé : la cabine n’est pas revenue à temps.');
    const banner = text(renderToStaticMarkup(createElement(BoothAwayBanner, { away, clock: { now: () => 12_000 } })));
    expect(banner).toContain('Cabine hors ligne depuis 47 s');
    expect(banner).toContain('L’appel sera terminé dans 13 s si elle ne revient pas.');
  });

  it('shows the booth offline in the call instead of "En communication", and no server banner while the link is up', () => {
    const html = text(renderToStaticMarkup(createElement(Consultation, {
      hub, call, live: true, online: true, away: { awayMs: 40_000, endsInMs: 20_000, receivedAt: 1_000 }, clock: { now: () => 1_000 }, onEnd: () => undefined, onBack: () => undefined,
    })));
    expect(html).toContain('Cabine hors ligne depuis 40 s');
    expect(html).toContain('L’appel sera terminé dans 20 s si elle ne revient pas.');
    expect(html).not.toContain('En communication');
    expect(html).not.toContain('Connexion perdue');
    expect(html).not.toContain('Non connecté au serveur');
  });

  it('says the console’s own link is down only when it is', () => {
    const render = (online: boolean): string => text(renderToStaticMarkup(createElement(Consultation, { hub, call, live: true, online, onEnd: () => undefined, onBack: () => undefined })));
    expect(render(false)).toContain('Connexion perdue, reconnexion…');
    expect(render(true)).not.toContain('Connexion perdue');
    expect(render(true)).not.toContain('Cabine hors ligne');
  });

  it('says why the call ended when the booth never came back', () => {
    expect(endedText('boothLost')).toBe('La cabine n’est pas revenue en ligne à temps : l’appel est terminé.');
    const html = text(renderToStaticMarkup(createElement(Consultation, { hub, call, live: false, online: true, endedReason: 'boothLost', onEnd: () => undefined, onBack: () => undefined })));
    expect(html).toContain('La cabine n’est pas revenue en ligne à temps : l’appel est terminé.');
  });
});
