/**
 * The booth's local alert and the pharmacist's way in, in Chromium through
 * the WebSocket transport (host in this process, hub events injected with
 * Host.sendHostEvent): the long-pressed corner opens the PIN pad and a short
 * tap does not; "Appeler le pharmacien" raises the alert with a calm
 * confirmation, the chime and an incident in the store; a call whose hub does
 * not come back calls the pharmacist after the bound (the machine's delay from
 * kiosk-config, shortened here); after a crash, the incident screen. "Le
 * pharmacien arrive" only once the pharmacist acknowledged (unlocking the booth
 * does). Every new screen
 * checked with axe (7:1, target size) and our measurements; screenshots go to
 * kiosk-<state>.png (helpers/screens: the README's pictures only through
 * `npm run screens`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Host } from '../../src/host/host';
import { FileKeyProvider } from '../../src/node/keys';
import { BoothStore } from '../../src/host/store/store';
import { startWsTransport, type WsTransport } from '../../src/host/transport-ws';
import { LONG_PRESS_MS } from '../../src/renderer/kiosk/src/long-press';
import type { SessionEvent } from '../../src/shared/domain';
import { createLogger } from '../../src/node/logger';
import { launchChromium } from '../helpers/chromium';
import { testConfig } from '../helpers/config';
import { KIOSK_DIST, ensureKioskBuilt, holdCorner } from '../helpers/kiosk';
import { inspectKiosk } from '../helpers/kiosk-a11y';
import { screenPath } from '../helpers/screens';
import { cheapPinHash } from '../resilience/support/clients';

const PIN = '482193';
const PATIENT = { firstName: 'Jeanne', lastName: 'Martinez', birthDate: '1941-03-07' };
const silent = createLogger('test-host', { write: () => true } as unknown as NodeJS.WritableStream);

interface Booth {
  host: Host;
  transport: WsTransport;
  dir: string;
  close(): Promise<void>;
}

/** A booth with its store in a temporary folder; `prepare` may write to that store before the host opens it. */
async function startBooth(overrides: Record<string, unknown> = {}, prepare?: (store: BoothStore) => void): Promise<Booth> {
  ensureKioskBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'cabine-alerts-e2e-'));
  const store = { path: join(dir, 'booth.db'), keyFile: join(dir, 'booth.key'), retentionDays: 30 };
  if (prepare) {
    const s = BoothStore.open({ path: store.path, keys: new FileKeyProvider(store.keyFile), boothId: 'demo-booth-1' });
    prepare(s);
    s.close();
  }
  const config = testConfig({
    assistant: { pinHash: cheapPinHash(PIN), maxTries: 5, lockoutMinutes: 5 },
    store,
    printer: { kind: 'file', dir: join(dir, 'prints') },
    session: { inactivityPromptSeconds: 600, wipeAfterPromptSeconds: 30 },
    ...overrides,
  });
  const host = new Host(config, silent);
  const transport = await startWsTransport({ dispatch: host.dispatch, staticDir: KIOSK_DIST, log: silent });
  host.on('kioskEvent', (e) => transport.broadcast(e));
  host.start();
  return {
    host, transport, dir,
    async close() {
      await transport.close();
      await host.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The store's incidents, oldest first. */
function incidents(booth: Booth): SessionEvent[] {
  const store = booth.host.store!;
  return store.db.prepare<[], { id: string }>("SELECT id FROM session_events WHERE type = 'incident' ORDER BY at, id").all()
    .map((r) => store.getSessionEvent(r.id)!);
}

let browser: Browser;
const contexts: BrowserContext[] = [];
async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  contexts.push(context);
  return context.newPage();
}
async function inspect(page: Page, name: string) {
  await inspectKiosk(page, name, screenPath(`kiosk-${name}.png`));
}
async function screen(page: Page, testid: string) {
  await page.getByTestId(testid).waitFor({ state: 'visible', timeout: 10_000 });
}
/** How many elements show `text` as their own (deepest) text. */
function shown(page: Page, text: string): Promise<number> {
  return page.evaluate((needle) => Array.from(document.querySelectorAll('body *'))
    .filter((el) => Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').includes(needle))).length, text);
}
/** A bound for what the page shows next, not a timing: the machine shares its two cores with other suites. */
const POLL = { timeout: 15_000 };
const chimes = (page: Page) => page.evaluate(() => window.__cabineChimes ?? []);

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
});

describe('the pharmacist\'s way in', () => {
  it('opens the PIN pad only after the top-left corner is held for the whole long-press, and a short tap there does nothing', async () => {
    const booth = await startBooth();
    const page = await newPage();
    try {
      // The page's clock is ours: the hold is counted on it, not on the wall clock.
      await page.clock.install();
      await page.goto(booth.transport.url);
      await page.getByTestId('start').click();
      await screen(page, 'screen-language');
      await page.clock.pauseAt(Date.now() + 1_000);

      // A short tap in the corner, then as long as you like: nothing opens.
      await page.mouse.move(8, 8);
      await page.mouse.down();
      await page.mouse.up();
      await page.clock.runFor(2 * LONG_PRESS_MS);
      expect(await page.getByTestId('pinpad').count()).toBe(0);

      // Held, but let go just before the end: nothing.
      await page.mouse.down();
      await page.clock.runFor(LONG_PRESS_MS - 200);
      expect(await page.getByTestId('corner-hold').count()).toBe(1);
      await page.mouse.up();
      await page.clock.runFor(2 * LONG_PRESS_MS);
      expect(await page.getByTestId('pinpad').count()).toBe(0);
      expect(await page.getByTestId('corner-hold').count()).toBe(0);

      // Held on the "Retour" button for the whole long-press: the PIN pad, and the release is not a click on "Retour".
      const back = (await page.getByTestId('back').boundingBox())!;
      expect(back.x).toBeLessThan(120);
      await page.mouse.move(back.x + 10, back.y + 10);
      await page.mouse.down();
      await page.clock.runFor(LONG_PRESS_MS - 200);
      expect(await page.getByTestId('pinpad').count()).toBe(0);
      await page.clock.runFor(400);
      await screen(page, 'pinpad');
      await page.mouse.up();
      expect(booth.host.view().state).toBe('language');
      expect(booth.host.view().context.alert).toBeNull();

      // The PIN opens the pharmacist's panel.
      for (const d of PIN) await page.getByTestId(`pin-${d}`).click();
      await page.getByTestId('pin-ok').click();
      await screen(page, 'assistant-panel');
      expect(booth.host.view().assistant).toBe(true);
    } finally {
      await page.close();
      await booth.close();
    }
  }, 60_000);
});

describe('the booth calls the pharmacist', () => {
  it('"Appeler le pharmacien" raises the alert: a calm confirmation, the chime once, an incident; "le pharmacien arrive" only once acknowledged', async () => {
    const booth = await startBooth();
    const page = await newPage();
    try {
      await page.goto(booth.transport.url);
      await page.getByTestId('start').click();
      await page.getByTestId('choose-fr').click();
      await page.getByTestId('accept').click();
      await screen(page, 'screen-identity-entry');

      // The patient's button no longer opens the PIN pad: it calls the pharmacist.
      expect(await page.getByTestId('assistant').textContent()).toBe('Appeler le pharmacien');
      await page.getByTestId('assistant').click();
      await screen(page, 'alert-status');
      expect(await page.getByTestId('alert-status').textContent()).toMatch(/^Nous prévenons le pharmacien/);
      // No counter page hears this booth (its hub is not there): it says it rings alone.
      await expect.poll(() => page.getByTestId('alert-booth-only').textContent(), POLL).toBe('Le comptoir ne reçoit pas l’appel : la cabine sonne ici pour prévenir l’équipe.');
      expect(await page.getByTestId('pinpad').count()).toBe(0);
      await expect.poll(() => chimes(page), POLL).toEqual([{ volume: 1, via: 'wav' }]);
      const wav = await page.evaluate(async () => {
        const r = await fetch('audio/chime.wav');
        const b = new Uint8Array(await r.arrayBuffer());
        return { status: r.status, riff: String.fromCharCode(...b.slice(0, 4)), bytes: b.length };
      });
      expect(wav).toMatchObject({ status: 200, riff: 'RIFF' });
      expect(wav.bytes).toBeGreaterThan(44_100); // more than half a second of 16-bit mono
      await expect.poll(() => incidents(booth).map((e) => [e.data?.code, e.data?.reason]), POLL).toEqual([['ALERT_RAISED', 'help']]);
      expect(await page.locator('body').textContent()).not.toContain('arrive');
      await inspect(page, 'alert-raised');

      // Pressed again while raised: the same alert, no second chime, no second incident.
      await page.getByTestId('assistant').click();
      await page.getByTestId('assistant').click();
      expect(await shown(page, 'Nous prévenons le pharmacien')).toBe(1);
      expect((await chimes(page)).length).toBe(1);
      expect(incidents(booth)).toHaveLength(1);

      // The pharmacist unlocks the booth with the PIN: they are there, which acknowledges the alert; only now "le pharmacien arrive".
      await holdCorner(page);
      for (const d of PIN) await page.getByTestId(`pin-${d}`).click();
      await page.getByTestId('pin-ok').click();
      await screen(page, 'assistant-alert');
      await expect.poll(() => page.getByTestId('assistant-alert').getAttribute('data-alert'), POLL).toBe('acknowledged');
      expect(await page.getByTestId('assistant-alert-reason').textContent()).toBe('Le patient demande le pharmacien.');
      expect(await page.getByTestId('alert-acknowledge').count()).toBe(0);
      expect((await chimes(page)).length).toBe(1);
      await inspect(page, 'assistant-alert');
      await page.getByTestId('assistant-hide').click();
      await expect.poll(() => page.getByTestId('alert-status').textContent(), POLL).toBe('Le pharmacien arrive.');
      await inspect(page, 'alert-acknowledged');
      await expect.poll(() => incidents(booth).map((e) => e.data?.code), POLL).toEqual(['ALERT_RAISED', 'ALERT_ACKNOWLEDGED']);
      expect(incidents(booth)[1]!.data).toMatchObject({ by: { via: 'booth' } });

      // Resolved: the banner leaves.
      await page.getByTestId('assistant').click();
      await page.getByTestId('alert-resolve').click();
      await page.getByTestId('alert-status').waitFor({ state: 'detached' });
      expect((await chimes(page)).length).toBe(1);
    } finally {
      await page.close();
      await booth.close();
    }
  }, 180_000);

  it('calls the pharmacist after the reconnect bound when the hub does not come back, each sentence shown once', async () => {
    // The machine's networkAlert delay, from kiosk-config: 1 s here instead of 30.
    const booth = await startBooth({ alert: { chime: { enabled: true, volume: 0.6 }, reconnectAlertSeconds: 1 } });
    const page = await newPage();
    try {
      const { host } = booth;
      await page.goto(booth.transport.url);
      for (const event of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }] as const) await host.dispatch('sendEvent', { event });
      await host.dispatch('assistantLogin', { pin: PIN });
      await host.dispatch('assistantSetIdentity', { identity: PATIENT });
      await host.dispatch('assistantLogout', {});
      expect(host.sendHostEvent({ type: 'CLAIMED' })).toBe(true);
      await screen(page, 'screen-consultation-call');

      expect(host.sendHostEvent({ type: 'NETWORK_LOST' })).toBe(true);
      await screen(page, 'banner-network');
      expect(await shown(page, 'nous rétablissons l’appel')).toBeLessThanOrEqual(1);

      // The bound: "la connexion ne revient pas", the pharmacist called (chime, incident); the "reconnecting" sentence gone.
      await expect.poll(() => page.getByTestId('banner-network').textContent(), POLL).toBe('La connexion ne revient pas.');
      expect(await page.getByTestId('alert-status').textContent()).toMatch(/^Nous prévenons le pharmacien/);
      expect(await shown(page, 'nous rétablissons l’appel')).toBe(0);
      expect(await shown(page, 'Nous prévenons le pharmacien')).toBe(1);
      expect(await page.getByTestId('banner-call').count()).toBe(0);
      expect(await page.getByTestId('video-call').count()).toBe(0);
      expect(await page.locator('body').textContent()).not.toContain('arrive');
      await expect.poll(() => chimes(page), POLL).toEqual([{ volume: 0.6, via: 'wav' }]);
      await expect.poll(() => incidents(booth).map((e) => e.data?.reason), POLL).toEqual(['call-not-recovering']);
      await inspect(page, 'banner-network-unreachable');

      // The hub comes back: the call's banner leaves, the alert stays until someone answers it.
      host.sendHostEvent({ type: 'NETWORK_RESTORED' });
      await page.getByTestId('banner-network').waitFor({ state: 'detached' });
      expect(await page.getByTestId('alert-status').textContent()).toMatch(/^Nous prévenons le pharmacien/);
      // Lost again past the bound: no second alert, no second chime.
      host.sendHostEvent({ type: 'NETWORK_LOST' });
      await expect.poll(() => page.getByTestId('banner-network').textContent(), POLL).toBe('La connexion ne revient pas.');
      expect(await shown(page, 'Nous prévenons le pharmacien')).toBe(1);
      expect((await chimes(page)).length).toBe(1);
      expect(incidents(booth)).toHaveLength(1);
    } finally {
      await page.close();
      await booth.close();
    }
  }, 180_000);

  it('shows the incident screen after a crash ended the consultation, with the pharmacist called', async () => {
    const t = Date.now() - 60_000;
    const booth = await startBooth({}, (store) => {
      for (const [i, [from, to]] of [['flow.attract', 'flow.language'], ['flow.waitingRoom', 'flow.consultation']].entries()) {
        store.saveSessionEvent({ id: uuidv7(), sessionId: 'crashed-session', type: 'transition', at: new Date(t + i * 1000).toISOString(), data: { from, to, event: 'X' } });
      }
    });
    const page = await newPage();
    try {
      await page.goto(booth.transport.url);
      await screen(page, 'screen-interrupted');
      expect(await page.locator('h1').textContent()).toBe('Un incident technique a interrompu la consultation');
      expect(await page.getByTestId('alert-status').textContent()).toMatch(/^Nous prévenons le pharmacien/);
      expect(await shown(page, 'Nous prévenons le pharmacien')).toBe(1);
      await expect.poll(() => chimes(page), POLL).toHaveLength(1);
      await expect.poll(() => page.evaluate(() => window.__cabineSpoken ?? []), POLL).toContain('fr/speak.interrupted');
      expect(await page.getByTestId('cancel').count()).toBe(0);
      await inspect(page, 'interrupted');

      await holdCorner(page);
      for (const d of PIN) await page.getByTestId(`pin-${d}`).click();
      await page.getByTestId('pin-ok').click();
      expect(await page.getByTestId('assistant-alert-reason').textContent()).toContain('Un incident technique a interrompu la consultation');
      await page.getByTestId('assistant-hide').click();
      await expect.poll(() => page.getByTestId('alert-status').textContent(), POLL).toBe('Le pharmacien arrive.');
      await page.getByTestId('assistant').click();
      await page.getByTestId('alert-resolve').click();
      await screen(page, 'screen-privacyWipe');
      await screen(page, 'start');
      expect(booth.host.view()).toMatchObject({ state: 'attract', sessionId: null, context: { alert: null } });
    } finally {
      await page.close();
      await booth.close();
    }
  }, 180_000);
});
