/**
 * axe-core as every screen of the booth's people is held to: WCAG 2 AA plus
 * the enhanced 7:1 contrast (frail eyes in the booth, a glance across the
 * counter) and target size (a trembling finger, a phone held in one hand).
 * Videos aside: their frames are not the page's text.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';

export interface AxeOptions {
  /**
   * Run axe inside the page itself. Needed for pages from `browser.newPage`,
   * whose context cannot open the blank page axe's default mode needs.
   */
  legacy?: boolean;
}

/** The serious and critical findings on the page as it is, each as "rule: where". */
export async function axeProblems(page: Page, options: AxeOptions = {}): Promise<string[]> {
  const axe = await new AxeBuilder({ page })
    .setLegacyMode(options.legacy ?? false)
    .options({ rules: { 'color-contrast-enhanced': { enabled: true }, 'target-size': { enabled: true } } })
    .exclude('video')
    .analyze();
  return axe.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
