/**
 * What every kiosk screen is checked for in Chromium (elderly patients
 * first): axe-core with 7:1 contrast and target size on, and our own
 * measurement of targets, gaps, font sizes and contrast on the top layer.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeProblems } from './axe';

/** Our own checks, beyond axe: every target ≥ 64×64 and ≥ 16 px from the next, text ≥ 28 px, 7:1 contrast for all text, at most one primary action. */
export async function measure(page: Page) {
  return page.evaluate(() => {
    const layers = Array.from(document.querySelectorAll('.dialog-backdrop, .assistant'));
    const scope: ParentNode = layers[layers.length - 1] ?? document;
    // A part not wholly inside its scrolling box (the intake form) is not (all) on the screen: it is measured once scrolled into view.
    const clipped = (el: Element, r: DOMRect) => {
      for (let p = el.parentElement; p; p = p.parentElement) {
        if (!/(auto|scroll)/.test(getComputedStyle(p).overflowY)) continue;
        const box = p.getBoundingClientRect();
        if (r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) return true;
      }
      return false;
    };
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && !clipped(el, r);
    };
    const targets = Array.from(scope.querySelectorAll('button, a[href], input, [role="button"]')).filter(visible);
    const rects = targets.map((el) => ({ el, r: el.getBoundingClientRect(), name: (el.textContent || (el as HTMLInputElement).name || el.getAttribute('data-testid') || el.tagName).trim().slice(0, 40) }));
    const problems: string[] = [];
    for (const { r, name } of rects) if (r.width < 64 || r.height < 64) problems.push(`target "${name}" is ${Math.round(r.width)}×${Math.round(r.height)}`);
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i]!.r;
        const b = rects[j]!.r;
        const dx = Math.max(0, b.left - a.right, a.left - b.right);
        const dy = Math.max(0, b.top - a.bottom, a.top - b.bottom);
        const gap = Math.hypot(dx, dy);
        if (gap < 16) problems.push(`targets "${rects[i]!.name}" and "${rects[j]!.name}" are ${gap.toFixed(1)} px apart`);
      }
    }
    const parse = (c: string): [number, number, number, number] => {
      const m = c.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0, 0];
      return [m[0] ?? 0, m[1] ?? 0, m[2] ?? 0, m[3] ?? 1];
    };
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const background = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c[3] > 0.5) return c;
      }
      return [255, 255, 255, 1];
    };
    const walker = document.createTreeWalker(scope === document ? document.body : (scope as Element), NodeFilter.SHOW_TEXT);
    let texts = 0;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || !n.textContent?.trim() || !visible(el) || el.closest('svg')) continue;
      texts++;
      const s = getComputedStyle(el);
      const size = parseFloat(s.fontSize);
      const label = n.textContent.trim().slice(0, 40);
      if (size < 28) problems.push(`text "${label}" is ${size} px`);
      const fg = lum(parse(s.color));
      const bg = lum(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 7) problems.push(`text "${label}" has contrast ${ratio.toFixed(2)}:1`);
    }
    const primaries = targets.filter((el) => el.classList.contains('btn--primary')).length;
    if (primaries > 1) problems.push(`${primaries} primary actions on one screen`);
    return { problems, targets: rects.length, texts };
  });
}

/** axe and our measurements on the page as it is (soft failures named after `name`); a screenshot to `screenshotPath` if given. */
export async function inspectKiosk(page: Page, name: string, screenshotPath: string | null): Promise<void> {
  await page.waitForTimeout(50); // let the layout settle after the snapshot (no assertion depends on time)
  expect.soft(await axeProblems(page), `axe on ${name}`).toEqual([]);
  const own = await measure(page);
  expect.soft(own.problems, `measurements on ${name}`).toEqual([]);
  expect(own.texts, `${name} shows text`).toBeGreaterThan(0);
  if (screenshotPath) {
    mkdirSync(dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath });
  }
}
