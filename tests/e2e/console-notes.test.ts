/**
 * The doctor's notes survive a console reload and a takeover by another tab,
 * in Chromium through the real hub: the panel starts from the notes the hub
 * stored (and says they are saved), and what the doctor types next is added
 * to them in the record, never put in their place.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub/server';
import { openConsoleTab, startCall, takeOverIn, type CallInProgress } from '../helpers/call';
import { launchChromium } from '../helpers/chromium';
import { ensureRenderersBuilt, startTestHub, testHubConfig } from '../helpers/hub';

let dir: string;
let hub: Hub | undefined;
let browser: Browser | undefined;
let call: CallInProgress | undefined;

beforeAll(async () => {
  ensureRenderersBuilt();
  dir = mkdtempSync(join(tmpdir(), 'cabine-console-notes-'));
  hub = await startTestHub({ config: await testHubConfig(dir) });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await call?.close();
  await browser?.close();
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
});

const notesBox = (page: Page) => page.getByRole('textbox', { name: 'Notes de consultation' });
const notesStatus = (page: Page) => page.locator('#notes-status').textContent();

/** Types at the end of the notes, as a doctor carrying on would, and waits until they are saved. */
async function typeAtEnd(page: Page, text: string): Promise<void> {
  const box = notesBox(page);
  await box.click();
  await box.press('Control+End');
  await page.keyboard.type(text);
  await expect.poll(() => notesStatus(page), { timeout: 10_000 }).toBe('Enregistré');
}

describe('the consultation notes', () => {
  it('start from what the hub stored after a reload and in a tab that takes the call over, and typing adds to them', async () => {
    call = await startCall(browser!, hub!.url, hub!.port, dir);
    const { consolePage: first } = call;
    const sessionId = hub!.media!.service.roomOfBooth('demo-booth-1')!.entry!.sessionId!;
    const stored = async (): Promise<string | undefined> => (await hub!.record.repo.notes(sessionId))?.text;

    await typeAtEnd(first, 'Fièvre depuis 2 jours.');
    expect(await stored()).toBe('Fièvre depuis 2 jours.');

    // A reload: the panel shows the stored notes, saved, and typing continues them.
    await first.reload();
    await expect.poll(() => notesBox(first).inputValue(), { timeout: 15_000 }).toBe('Fièvre depuis 2 jours.');
    expect(await notesStatus(first)).toBe('Enregistré');
    await typeAtEnd(first, ' Pas de signe de gravité.');
    expect(await stored()).toBe('Fièvre depuis 2 jours. Pas de signe de gravité.');

    // Another tab takes the call over: it starts from the same notes.
    const second = await openConsoleTab(first, hub!.url);
    await takeOverIn(second);
    await expect.poll(() => notesBox(second).inputValue(), { timeout: 15_000 }).toBe('Fièvre depuis 2 jours. Pas de signe de gravité.');
    expect(await notesStatus(second)).toBe('Enregistré');
    await typeAtEnd(second, ' Revoir dans 48 h.');
    expect(await stored()).toBe('Fièvre depuis 2 jours. Pas de signe de gravité. Revoir dans 48 h.');
    await second.close();
  }, 180_000);
});
