/**
 * The wrap-up leads to the next patient, in Chromium through the real hub:
 * a call with one booth while another booth's patient waits; the doctor ends
 * the call (it asks first), the wrap-up says one patient waits and its
 * button goes back to the waiting room, where that patient is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubLink } from '../../src/host/hub-link';
import type { Hub } from '../../src/hub/server';
import { createLogger } from '../../src/node/logger';
import { axeProblems } from '../helpers/axe';
import { startCall, type CallInProgress } from '../helpers/call';
import { launchChromium } from '../helpers/chromium';
import { BOOTH_SECRETS, ensureRenderersBuilt, startTestHub, testHubConfig } from '../helpers/hub';

const POLL = { timeout: 15_000 };
const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);
let dir: string;
let hub: Hub | undefined;
let browser: Browser | undefined;
let call: CallInProgress | undefined;
let other: HubLink | undefined;

beforeAll(async () => {
  ensureRenderersBuilt();
  dir = mkdtempSync(join(tmpdir(), 'cabine-console-wrap-up-'));
  hub = await startTestHub({ config: await testHubConfig(dir) });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await other?.stop();
  await call?.close();
  await browser?.close();
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the console\'s wrap-up', () => {
  it('says how many patients wait and leads back to the waiting room, where the next one is', async () => {
    call = await startCall(browser!, hub!.url, hub!.port, dir);
    const doctor = call.consolePage;
    // Another booth's patient waits meanwhile.
    const link = new HubLink({ url: `ws://127.0.0.1:${hub!.port}/booth`, boothId: 'demo-booth-2', token: BOOTH_SECRETS['demo-booth-2'], log: silent });
    other = link;
    link.start();
    await expect.poll(() => link.status, POLL).toBe('online');
    await link.request('queue.join', { sessionId: 'wrap-up-next', patient: { firstName: 'Lucien', age: 77 } });

    await doctor.getByRole('button', { name: 'Terminer la consultation' }).click();
    await doctor.getByRole('button', { name: 'Oui, terminer' }).click();
    await doctor.getByRole('heading', { level: 2, name: /Consultation terminée/ }).waitFor(POLL);
    const next = doctor.getByRole('region', { name: 'Patient suivant' });
    await expect.poll(() => next.textContent(), POLL).toContain('1 patient attend en salle d’attente.');
    expect(await axeProblems(doctor, { legacy: true }), 'axe on the wrap-up').toEqual([]);

    await next.getByRole('button', { name: 'Retour à la salle d’attente (1)' }).click();
    await doctor.getByRole('heading', { level: 2, name: /Salle d’attente/ }).waitFor(POLL);
    expect(await doctor.locator('li[data-booth="demo-booth-2"]').textContent()).toContain('Lucien');
  }, 180_000);
});
