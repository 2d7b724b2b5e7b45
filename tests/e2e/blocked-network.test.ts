/**
 * A pharmacy whose network lets no media through at all: the impairment
 * relay's firewall drops every UDP datagram and refuses every TCP
 * connection to the SFU's ports, and there is no TURN server. The call is
 * not left "reconnecting" forever: the kiosk says, calmly and aloud, that
 * the video cannot get through this pharmacy's network, that the doctor is
 * told, and offers the pharmacist; the console says in words that the
 * booth's network blocks the call, apart from a poor line. Once the
 * firewall is lifted the call connects by itself and the messages go.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../resilience/support/clients';
import { decoding } from '../helpers/call';
import { launchChromium } from '../helpers/chromium';
import { endConsultation } from '../helpers/console-page';
import { ensureRenderersBuilt } from '../helpers/hub';
import { RELAY_BROWSER_ARGS, startRelayedCall, startRelayedHub, type RelayedCall, type RelayedHub } from '../helpers/net-call';

let net: RelayedHub;
let browser: Browser;
let call: RelayedCall | null = null;
const dir = mkdtempSync(join(tmpdir(), 'cabine-blocked-'));

beforeAll(async () => {
  ensureRenderersBuilt();
  net = await startRelayedHub();
  browser = await launchChromium({ args: RELAY_BROWSER_ARGS });
}, 120_000);

afterAll(async () => {
  await call?.close();
  await browser?.close();
  await net?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a pharmacy network that blocks every media path', () => {
  it('says so on both sides instead of an endless "reconnecting", then connects and clears it once the firewall is lifted', async () => {
    net.relay.setProfile({ firewall: { allow: [] } });
    call = await startRelayedCall(browser, net.hub, dir, 'demo-booth-1', undefined, { decode: false });
    const { kioskPage, consolePage } = call;

    // The kiosk: the video's place says why, and the status line gives the pharmacist's action.
    const kioskBlocked = kioskPage.getByTestId('call-blocked');
    await kioskBlocked.waitFor({ timeout: 60_000 });
    expect(await kioskBlocked.textContent()).toContain('La connexion vidéo ne passe pas par le réseau de cette pharmacie. Le médecin est prévenu.');
    expect(await kioskPage.getByTestId('call-status').getAttribute('data-status')).toBe('blocked');
    expect(await kioskPage.getByTestId('call-status').textContent()).toBe('Le réseau de la pharmacie bloque l’appel vidéo : prévenez le pharmacien.');
    // Help is one press away, in the message and in the bottom bar; and the booth said it aloud.
    expect(await kioskPage.getByTestId('call-blocked-call').isVisible()).toBe(true);
    expect(await kioskPage.getByTestId('assistant').isVisible()).toBe(true);
    expect(await kioskPage.evaluate(() => window.__cabineSpoken ?? [])).toContain('fr/speak.callBlocked');

    // The console: the booth's network blocks the call — in words, and not as a poor line.
    const boothBlocked = consolePage.getByTestId('call-blocked-booth');
    await boothBlocked.waitFor({ timeout: 60_000 });
    expect(await boothBlocked.textContent()).toMatch(/Le réseau de la cabine bloque l’appel : aucun chemin UDP, TCP ni relais TURN.*Ce n’est pas une ligne faible/);
    expect(await consolePage.getByTestId('video-suspended').count()).toBe(0);
    // The browsers did try, and the firewall refused them.
    expect(net.relay.counters.up.blocked).toBeGreaterThan(0);

    net.relay.setProfile({});
    await until(() => decoding(kioskPage), 'the kiosk decodes the doctor once the firewall is lifted', 60_000);
    await until(() => decoding(consolePage), 'the console decodes the patient once the firewall is lifted', 60_000);
    await kioskBlocked.waitFor({ state: 'detached', timeout: 30_000 });
    await consolePage.getByTestId('call-blocked').waitFor({ state: 'detached', timeout: 30_000 });
    expect(await kioskPage.getByTestId('call-status').getAttribute('data-status')).toBe('talking');
    expect(await consolePage.getByTestId('call-state').textContent()).toBe('En communication');

    await endConsultation(consolePage);
    await expect.poll(() => net.hub.media!.service.roomCount(), { timeout: 10_000 }).toBe(0);
  }, 240_000);
});
