/**
 * The host applies kiosk-config `openingHours` with its injected clock:
 * outside them the kiosk's touch starts no session and the attract screen is
 * told the week's hours and when teleconsultation opens again; a session
 * under way when closing time passes goes on to its end.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Host } from '../../../src/host/host';
import { createLogger } from '../../../src/node/logger';
import { testConfig } from '../../helpers/config';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
const day = [['09:00', '19:00']];
const hours = { timeZone: 'Europe/Paris', mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: [] };
/** Paris is UTC+1 in late November 2026: Saturday the 28th, Sunday the 29th. */
const paris = (isoLocal: string): number => Date.parse(`${isoLocal}+01:00`);

const hosts: Host[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.stop();
});

function startHost(now: { t: number }): Host {
  const host = new Host(testConfig({ openingHours: hours }), silent, { clock: { now: () => now.t } });
  hosts.push(host);
  host.start();
  return host;
}

describe('opening hours at the booth', () => {
  it('outside them, refuses the touch and tells the attract screen when it opens again', async () => {
    const now = { t: paris('2026-11-29T12:00:00') };
    const host = startHost(now);
    expect(host.view().context.closed).toEqual({ hours: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: [] }, reopens: { day: 'mon', time: '09:00', inDays: 1 } });
    expect(await host.dispatch('sendEvent', { event: { type: 'TOUCH' } })).toEqual({ accepted: false });
    expect(await host.dispatch('sendEvent', { event: { type: 'CHOOSE_LANGUAGE', language: 'en' } })).toEqual({ accepted: false });
    expect(host.view().state).toBe('attract');

    now.t = paris('2026-11-30T09:00:00');
    expect(host.view().context.closed ?? null).toBeNull();
    expect(await host.dispatch('sendEvent', { event: { type: 'TOUCH' } })).toEqual({ accepted: true });
    expect(host.view().state).toBe('language');
  });

  it('never cuts a session under way when closing time passes', async () => {
    const now = { t: paris('2026-11-28T18:58:00') };
    const host = startHost(now);
    expect(await host.dispatch('sendEvent', { event: { type: 'TOUCH' } })).toEqual({ accepted: true });
    now.t = paris('2026-11-28T19:05:00');
    expect(await host.dispatch('sendEvent', { event: { type: 'CHOOSE_LANGUAGE', language: 'fr' } })).toEqual({ accepted: true });
    expect(await host.dispatch('sendEvent', { event: { type: 'ACCEPT' } })).toEqual({ accepted: true });
    expect(host.view().state).toBe('identity.entry');
  });
});
