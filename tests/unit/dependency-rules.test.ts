/**
 * The boundaries of DESIGN §8 on the whole import graph: the repository's own
 * .dependency-cruiser.cjs runs on small trees under tests/fixtures/deps/, each
 * laid out like src/ and breaking exactly one rule (the clean one none).
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { cruise, type IConfiguration } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/config';

const config = createRequire(import.meta.url)(resolve(ROOT, '.dependency-cruiser.cjs')) as IConfiguration;

/** The names of the rules a fixture tree breaks. */
async function brokenRules(fixture: string): Promise<string[]> {
  const { output } = await cruise(['src'], {
    ...config.options,
    baseDir: resolve(ROOT, 'tests/fixtures/deps', fixture),
    validate: true,
    ruleSet: { forbidden: config.forbidden ?? [] },
  });
  if (typeof output === 'string') throw new Error(`expected a cruise result, got: ${output}`);
  // An import left unresolved would make a fixture pass for the wrong reason.
  const unresolved = output.modules.flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve).map((d) => `${m.source} → ${d.module}`));
  expect(unresolved).toEqual([]);
  return [...new Set(output.summary.violations.map((v) => v.rule.name))].sort();
}

describe('runtime boundaries (import graph)', () => {
  it('accepts a tree where every import crosses an allowed boundary', async () => {
    expect(await brokenRules('clean')).toEqual([]);
  });

  it.each([
    ['renderer-imports-host', 'renderer-imports-shared-media-only'],
    ['renderer-imports-other-renderer', 'renderer-imports-shared-media-only'],
    ['node-builtin-reaches-renderer', 'node-only-never-reaches-renderer'],
    ['node-layer-reaches-renderer', 'node-only-never-reaches-renderer'],
    ['shared-imports-node', 'shared-runs-anywhere'],
    ['hub-imports-host', 'hub-never-imports-host'],
    ['host-imports-hub', 'host-never-imports-hub'],
    ['electron-outside-shell', 'electron-only-in-shell'],
    ['type-only-cycle', 'no-cycles'],
  ])('refuses %s (rule %s)', async (fixture, rule) => {
    expect(await brokenRules(fixture)).toEqual([rule]);
  });
});
