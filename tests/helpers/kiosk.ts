/**
 * Starts a host with the WebSocket transport in this process, serving the
 * built kiosk, for e2e tests. `npm test` builds the renderer first; a test
 * run on its own builds it when missing.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { Host } from '../../src/host/host';
import { startWsTransport, type WsTransport } from '../../src/host/transport-ws';
import type { KioskConfig } from '../../src/shared/config';
import { createLogger } from '../../src/node/logger';
import { ROOT, testConfig } from './config';

export const KIOSK_DIST = resolve(ROOT, 'dist/renderer/kiosk');

export function ensureKioskBuilt(): void {
  if (!existsSync(resolve(KIOSK_DIST, 'index.html'))) {
    execFileSync(process.execPath, ['scripts/build.mjs', 'kiosk'], { cwd: ROOT, stdio: 'inherit' });
  }
}

/**
 * The pharmacist's way in: holds the kiosk's top-left corner (a point of it
 * with nothing under it) until the PIN pad opens, then lets go. Bounded by
 * `timeoutMs`, not timed: the hold itself lasts the kiosk's LONG_PRESS_MS.
 */
export async function holdCorner(page: Page, timeoutMs = 10_000): Promise<void> {
  await page.mouse.move(8, 8);
  await page.mouse.down();
  try {
    await page.getByTestId('pinpad').waitFor({ state: 'visible', timeout: timeoutMs });
  } finally {
    await page.mouse.up();
  }
}

/**
 * The patient follows the kiosk's guidance for a measurement (a call's
 * request or a deferred exam's item): « Suivant » through each step, then
 * « Je suis prêt ». A simulated instrument's capture button (the
 * dermatoscope's is pressed every 20 s) may take the measurement first: the
 * guidance then ends by itself, and so does this.
 */
export async function followGuidance(page: Page, timeoutMs = 15_000): Promise<void> {
  const guidance = page.getByTestId('guidance');
  const over = async (): Promise<boolean> => (await guidance.count()) === 0;
  // The guidance, or already the measurement or its result (the capture button was quicker).
  await page.locator(['[data-testid="guidance"]', ...['measuring', 'result'].map((s) => `[data-testid^="screen-"][data-testid$="-${s}"]`)].join(', '))
    .first().waitFor({ timeout: timeoutMs });
  if (await over()) return;
  for (let i = 0; i < 10; i++) {
    try {
      const button = guidance.locator('[data-testid="next"], [data-testid="ready"]');
      const progress = await guidance.getByTestId('guide-progress').textContent({ timeout: 5000 });
      const which = await button.getAttribute('data-testid', { timeout: 5000 });
      await button.click({ timeout: 5000 });
      if (which === 'ready') return;
      await expect.poll(async () => (await over()) || (await guidance.getByTestId('guide-progress').textContent({ timeout: 1000 })) !== progress).toBe(true);
      if (await over()) return;
    } catch (error) {
      if (await over()) return;
      throw error;
    }
  }
  throw new Error('the guidance never offered « Je suis prêt »');
}

export async function startKioskHost(config: KioskConfig = testConfig()): Promise<{ host: Host; transport: WsTransport; close(): Promise<void> }> {
  ensureKioskBuilt();
  const log = createLogger('test-host', { write: () => true } as unknown as NodeJS.WritableStream);
  const host = new Host(config, log);
  const transport = await startWsTransport({ dispatch: host.dispatch, staticDir: KIOSK_DIST, log });
  host.on('kioskEvent', (e) => transport.broadcast(e));
  host.start();
  return {
    host,
    transport,
    async close() {
      host.stop();
      await transport.close();
    },
  };
}

/** Types an ISO birth date (YYYY-MM-DD) into the pharmacist panel's day / month / year fields, as the pharmacist would. */
export async function typeBirthDate(page: Page, iso: string): Promise<void> {
  const [year, month, day] = iso.split('-') as [string, string, string];
  await page.getByTestId('birth-day').pressSequentially(day);
  await page.getByTestId('birth-month').pressSequentially(month);
  await page.getByTestId('birth-year').pressSequentially(year);
}

/** What the pharmacist fills on the assistant panel's intake form (test ids of src/renderer/kiosk/src/screens/IntakeForm.tsx). */
export interface IntakeFill {
  birthName: string;
  firstNames: string;
  /** YYYY-MM-DD, typed in the three fields. */
  birthDate: string;
  sex?: 'F' | 'M' | 'I';
  nir?: string;
  reason?: string;
  reasonText?: string;
  pathway?: 'gp-known' | 'seen-12-months' | 'exception';
  exceptionReason?: string;
  gp?: { name: string; city: string };
  reportToGp?: boolean;
}

/** Fills the intake form (the panel open at the identity step or in the waiting room); does not save. */
export async function fillIntake(page: Page, f: IntakeFill): Promise<void> {
  await page.getByTestId('birth-name').fill(f.birthName);
  await page.getByTestId('first-names').fill(f.firstNames);
  await typeBirthDate(page, f.birthDate);
  await page.getByTestId(`sex-${f.sex ?? 'F'}`).click();
  if (f.nir) await page.getByTestId('nir').fill(f.nir);
  await page.getByTestId(`reason-${f.reason ?? 'fever'}`).click();
  if (f.reasonText) await page.getByTestId('reason-text').fill(f.reasonText);
  await page.getByTestId(`pathway-${f.pathway ?? 'gp-known'}`).click();
  if (f.pathway === 'exception') await page.getByTestId(`exception-${f.exceptionReason ?? 'no-gp'}`).click();
  if (f.gp) {
    await page.getByTestId('gp-name').fill(f.gp.name);
    await page.getByTestId('gp-city').fill(f.gp.city);
  }
  if (f.reportToGp) await page.getByTestId('report-to-gp').click();
}

/** Hands `bytes` to the host as the kiosk page does: the binary call (begin, chunks of the host's size, end); the host's upload id. */
export async function uploadThroughHost(host: Host, contentType: string, bytes: Buffer): Promise<string> {
  const transferId = randomUUID();
  const { chunkBytes } = (await host.dispatch('binaryBegin', { transferId, contentType, totalBytes: bytes.length })) as { chunkBytes: number };
  for (let index = 0; index * chunkBytes < bytes.length; index++) {
    await host.dispatch('binaryChunk', { transferId, index }, bytes.subarray(index * chunkBytes, (index + 1) * chunkBytes));
  }
  return ((await host.dispatch('binaryEnd', { transferId })) as { uploadId: string }).uploadId;
}
