/**
 * The pharmacy counter end to end, in Chromium through the real hub: a
 * booth's real host and kiosk page, and the counter page of a member of the
 * booth's pharmacy. The patient presses "Appeler le pharmacien" → the
 * counter page rings (its chime element played, a notification shown with
 * the permission the "Activer les alertes" tap asked for) → "J'arrive" →
 * the kiosk shows "Le pharmacien arrive : Marie", and the acknowledgement,
 * who and when, is an incident of the session.
 */
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/server';
import type { SessionEvent } from '../../src/shared/domain';
import { launchChromium } from '../helpers/chromium';
import { ROOT, testConfig } from '../helpers/config';
import { BOOTH_SECRETS, CONSOLE_DIST, STAFF, startTestHub } from '../helpers/hub';
import { startKioskHost } from '../helpers/kiosk';

const COUNTER_DIST = resolve(ROOT, 'dist/renderer/counter');
const POLL = { timeout: 15_000 };

let browser: Browser;
let hub: Hub;
let kiosk: Awaited<ReturnType<typeof startKioskHost>>;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!existsSync(resolve(COUNTER_DIST, 'index.html'))) execFileSync(process.execPath, ['scripts/build.mjs', 'counter'], { cwd: ROOT, stdio: 'inherit' });
  hub = await startTestHub({ consoleDir: CONSOLE_DIST, counterDir: COUNTER_DIST, media: false });
  kiosk = await startKioskHost(testConfig({ boothId: 'demo-booth-1', hub: { url: `ws://127.0.0.1:${hub.port}/booth`, token: BOOTH_SECRETS['demo-booth-1'] } }));
  browser = await launchChromium();
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await kiosk?.close();
  await hub?.close();
});

async function newPage(permissions: string[] = [], origin?: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  if (origin) await context.grantPermissions(permissions, { origin });
  contexts.push(context);
  return context.newPage();
}

function incidents(): SessionEvent[] {
  const store = kiosk.host.store!;
  return store.db.prepare<[], { id: string }>("SELECT id FROM session_events WHERE type = 'incident' ORDER BY at, id").all()
    .map((r) => store.getSessionEvent(r.id)!);
}

describe('the counter page', () => {
  it('rings when the patient calls the pharmacist, and "J\'arrive" tells the patient who is coming', async () => {
    await expect.poll(() => kiosk.host.hubLink.status, POLL).toBe('online');
    const counter = await newPage(['notifications'], hub.url);
    await counter.goto(`${hub.url}/counter/`);
    await counter.getByTestId('email').fill(STAFF[0].email);
    await counter.getByTestId('password').fill(STAFF[0].password);
    await counter.getByTestId('sign-in').click();
    await counter.getByTestId('booth-demo-booth-1').waitFor(POLL);
    // The tap browsers require before they let a page ring and notify.
    await counter.getByTestId('arm').click();
    await expect.poll(() => counter.getByTestId('arming').getAttribute('data-armed'), POLL).toBe('sound+notification');
    expect(await counter.evaluate(() => Notification.permission)).toBe('granted');

    const patient = await newPage();
    await patient.goto(kiosk.transport.url);
    await patient.getByTestId('start').click();
    await patient.getByTestId('choose-fr').click();
    await patient.getByTestId('accept').click();
    await expect.poll(() => counter.getByTestId('activity-demo-booth-1').textContent(), POLL).toMatch(/étape \d sur 5/);
    await patient.getByTestId('assistant').click();
    await expect.poll(() => patient.getByTestId('alert-status').getAttribute('data-reach'), POLL).toBe('counter');
    expect(await patient.getByTestId('alert-booth-only').count()).toBe(0);

    // The counter rings: its chime element played, a notification shown; the tile says who needs help.
    await expect.poll(() => counter.evaluate(() => window.__cabineCounterRings ?? []), POLL).toEqual([
      expect.objectContaining({ ring: 1, played: true, notified: true }),
    ]);
    expect(await counter.getByTestId('booth-demo-booth-1').getAttribute('data-state')).toBe('help');
    expect(await counter.getByTestId('alert-demo-booth-1').textContent()).toContain('Le patient demande le pharmacien.');

    await counter.getByTestId('ack-demo-booth-1').click();
    await expect.poll(() => patient.getByTestId('alert-status').textContent(), POLL).toBe('Le pharmacien arrive : Marie.');
    await expect.poll(() => counter.getByTestId('coming-demo-booth-1').textContent(), POLL).toBe('Marie y va');
    await expect.poll(() => incidents().map((e) => e.data?.code), POLL).toEqual(['ALERT_RAISED', 'ALERT_ACKNOWLEDGED']);
    expect(incidents()[1]!.data).toMatchObject({ by: { via: 'counter', staffId: 'marie', name: 'Marie' } });
    expect(incidents()[1]!.at).toMatch(/^\d{4}-\d\d-\d\dT/);
  }, 120_000);
});
