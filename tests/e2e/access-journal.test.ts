/**
 * The access journal end to end (issue #21's "Done when"), every part real:
 * a doctor signs in on the console through the test Pro Santé Connect
 * provider's own page, takes a booth's patient, asks for a dermatoscope
 * photo (the kiosk's guidance followed in Chromium), opens it in the
 * gallery's zoom and opens the report PDF. The hub's journal then holds each
 * access under the doctor's account — the sign-in (OIDC), the session opened,
 * the photo, the report — with ids only, never the patient's name or birth
 * date. The operator's command (`npm run admin -- journal …`, a child
 * process on the same data folder) finds the chain intact, exports its head;
 * one line edited by hand makes verify fail naming that line, and the last
 * lines deleted are found behind the exported head.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubConfig } from '../../src/hub/directory';
import type { JournalEntry } from '../../src/hub/journal/types';
import { OIDC_API } from '../../src/shared/oidc-protocol';
import { startBoothRig, type BoothRig } from '../helpers/booth-rig';
import { ROOT } from '../helpers/config';
import { claimBooth } from '../helpers/console-page';
import { SPECIALISTS, freePort, freshDataDir, testHubConfig } from '../helpers/hub';
import { rawJournalSql } from '../helpers/journal';
import { followGuidance } from '../helpers/kiosk';
import { OIDC_LOGIN_FIELD, OIDC_SUBMIT, startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider';

const run = promisify(execFile);
const SECRET = 'test-client-secret-0123456789abcdef';
const DOCTOR_RPPS = '10001234567';
const DOCTOR = { role: 'specialist', id: SPECIALISTS[0].id } as const;
const PATIENT = { firstName: 'Jeanne', lastName: 'Martinez', birthDate: '1961-03-07' };
const SITE = 'avant-bras gauche';
const POLL = { timeout: 15_000 };

let provider: TestOidcProvider;
let rig: BoothRig;
let config: HubConfig;
let configFile: string;

/** `npm run admin -- --config <file> journal …` as the operator runs it: its exit code and output. */
async function admin(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/hub/admin/main.ts'), '--config', configFile, 'journal', ...args], {
      cwd: ROOT, env: { ...process.env, CABINE_LOG_LEVEL: 'warn' },
    });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

beforeAll(async () => {
  const port = await freePort();
  const redirectUri = `http://127.0.0.1:${port}${OIDC_API.callback}`;
  provider = await startOidcProvider({ redirectUri, clients: [{ clientId: 'hub', method: 'client_secret_basic', secret: SECRET }] });
  const base = await testHubConfig(freshDataDir());
  config = {
    ...base,
    specialists: base.specialists.map((s) => (s.id === DOCTOR.id ? { ...s, oidcSubject: DOCTOR_RPPS } : s)),
    oidc: {
      issuer: provider.issuer, clientId: 'hub', clientAuth: { method: 'client_secret_basic', secret: SECRET }, redirectUri,
      scope: ['openid'], acrValues: ['eidas1'], accountClaim: 'sub', allowPasswords: false,
    },
  };
  // The operator's config file: the same data folder, hence the same journal and journal key.
  configFile = join(config.dataDir, 'hub-config.json');
  writeFileSync(configFile, JSON.stringify(config));
  rig = await startBoothRig({
    prefix: 'cabine-access-journal-',
    // The call's camera (first) and the dermatoscope (the last: Chromium's second fake device sends frames WebRTC never encodes).
    browserArgs: () => ['--use-fake-device-for-media-stream=device-count=3'],
    // The dermatoscope's driver (its capture button simulated): a photo is a measurement of an installed instrument.
    config: { devices: [{ id: 'dermatoscope-1', kind: 'dermatoscope', label: 'Dermatoscope', connection: { type: 'simulated', scenario: 'normal' } }] },
    hub: { port, config },
  });
}, 120_000);

afterAll(async () => {
  await rig?.close();
  await provider?.close();
  if (config) rmSync(config.dataDir, { recursive: true, force: true });
});

async function newPage(): Promise<Page> {
  return (await rig.browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
}

describe('the access journal of a consultation', () => {
  it('holds the doctor\'s sign-in, the session, the photo and the report under the account; verify finds a line edited and the last lines deleted', async () => {
    const { hub, kiosk } = rig;
    await expect.poll(() => kiosk.host.hubLink.status, POLL).toBe('online');

    // The doctor signs in with Pro Santé Connect: the console's button, the provider's own page.
    const consolePage = await newPage();
    await consolePage.goto(hub.url);
    await consolePage.getByTestId('oidc-sign-in').click(POLL);
    await consolePage.locator(OIDC_LOGIN_FIELD).fill(DOCTOR_RPPS);
    await consolePage.locator(OIDC_SUBMIT).click();
    await consolePage.getByRole('button', { name: 'Se déconnecter' }).waitFor(POLL);

    // The doctor opens the consultation of the booth's patient.
    const kioskPage = await newPage();
    await kioskPage.goto(kiosk.transport.url);
    await claimBooth(kiosk.host, kioskPage, consolePage, PATIENT);
    const sessionId = kiosk.host.view().sessionId!;
    expect(sessionId).toBeTruthy();

    // A dermatoscope photo, asked on the console, taken at the kiosk; the doctor opens it in the gallery's zoom.
    await consolePage.getByLabel('Zone du corps').fill(SITE);
    await consolePage.getByRole('button', { name: 'Photo dermatoscope', exact: true }).click();
    await followGuidance(kioskPage);
    const thumb = consolePage.locator('.thumbs li').filter({ hasText: SITE }).first();
    await thumb.waitFor({ timeout: 30_000 });
    await thumb.getByRole('button').click();
    const image = consolePage.getByRole('dialog').locator('.zoom__view img');
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), POLL).toBeGreaterThan(0);
    await consolePage.keyboard.press('Escape');
    await expect.poll(() => consolePage.getByRole('dialog').count()).toBe(0);

    // The report: the doctor clicks « Compte rendu PDF » (it opens in a new tab).
    const served = consolePage.context().waitForEvent('response', (r) => r.url().endsWith(`/api/sessions/${encodeURIComponent(sessionId)}/report.pdf`));
    await consolePage.getByRole('link', { name: 'Compte rendu PDF' }).click();
    const report = await served;
    expect(report.status()).toBe(200);
    expect(report.headers()['content-type']).toContain('application/pdf');

    // The journal holds each access with the doctor's account.
    const mine = (entries: JournalEntry[]) => entries.filter((e) => e.actor.role === DOCTOR.role && e.actor.id === DOCTOR.id && e.outcome === 'allowed');
    const ofSession = mine(await hub.journal.list({ sessionIds: [sessionId] }));
    const signIns = mine(await hub.journal.list({ actorId: DOCTOR.id })).filter((e) => e.action === 'sign-in');
    expect(signIns).toEqual([expect.objectContaining({ resource: 'account', resourceId: DOCTOR.id, reason: 'oidc' })]);
    expect(ofSession.find((e) => e.resource === 'consult.session')).toMatchObject({ action: 'read', boothId: 'demo-booth-1' });
    const photo = ofSession.find((e) => e.resource === 'photo' && e.action === 'read');
    expect(photo).toMatchObject({ boothId: 'demo-booth-1', reason: 'session' });
    expect(ofSession.find((e) => e.resource === 'report')).toMatchObject({ action: 'read', resourceId: sessionId });
    // Ids only: nothing of who the patient is.
    const everything = JSON.stringify(await hub.journal.list({}));
    for (const word of [PATIENT.lastName, PATIENT.firstName, PATIENT.birthDate, '07/03/1961', SITE]) expect(everything).not.toContain(word);

    // Nothing writes any more: the booth, the browser and the hub are closed (the journal with it).
    await rig.close();
    const total = Number((await rawJournalSql(config, 'SELECT MAX(seq) AS n FROM journal'))[0]!.n);
    expect(total).toBeGreaterThan(photo!.seq);

    // The operator's verify: intact; then the head exported.
    const intact = await admin('verify');
    expect(intact.stdout).toContain(`journal OK: ${total} entries`);
    expect(intact.code).toBe(0);
    const exported = await admin('export-head');
    expect(exported.stdout).toMatch(new RegExp(`exported seq ${total} {2}mac [0-9a-f]{64}`));
    expect(exported.code).toBe(0);

    // Someone with database access hides who saw the photo: verify names that line.
    await rawJournalSql(config, `UPDATE journal SET actor_id = 'dr-durand' WHERE seq = ${photo!.seq}`);
    const edited = await admin('verify');
    expect(edited.stdout).toContain(`journal BROKEN at entry ${photo!.seq} (mac)`);
    expect(edited.code).toBe(1);
    await rawJournalSql(config, `UPDATE journal SET actor_id = '${DOCTOR.id}' WHERE seq = ${photo!.seq}`);
    expect((await admin('verify')).code).toBe(0);

    // The last two lines deleted: the chain left is whole, but behind the exported head.
    await rawJournalSql(config, `DELETE FROM journal WHERE seq > ${total - 2}`);
    const cut = await admin('verify');
    expect(cut.stdout).toContain(`journal BROKEN at entry ${total - 1} (behind-head)`);
    expect(cut.code).toBe(1);
  }, 180_000);
});
