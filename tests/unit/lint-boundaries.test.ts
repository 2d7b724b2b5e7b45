/**
 * The runtime boundaries of DESIGN §8 are lint rules: each fixture is linted
 * as if it stood at a real path, and the rule must fire (or stay quiet).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/config';

const eslint = new ESLint({ cwd: ROOT });

async function restrictedImports(fixture: string, pretendPath: string): Promise<string[]> {
  const code = readFileSync(resolve(ROOT, 'tests/fixtures/lint', fixture), 'utf8');
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, pretendPath) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('runtime boundaries (lint)', () => {
  it('refuses renderer code that imports host code', async () => {
    const messages = await restrictedImports('renderer-imports-host.ts', 'src/renderer/kiosk/src/leak.ts');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/Renderer code imports only/);
  });

  it('refuses renderer code that imports a Node built-in', async () => {
    expect(await restrictedImports('renderer-imports-node.ts', 'src/renderer/console/src/leak.ts')).toHaveLength(1);
  });

  it('refuses renderer code that imports the Node-only layer', async () => {
    expect(await restrictedImports('renderer-imports-node-layer.ts', 'src/renderer/kiosk/src/leak.ts')).toHaveLength(1);
  });

  it('accepts renderer code that imports only shared code', async () => {
    expect(await restrictedImports('renderer-imports-shared.ts', 'src/renderer/kiosk/src/ok.ts')).toEqual([]);
  });

  it.each(['src/host/leak.ts', 'src/session/leak.ts', 'devices/leak.ts', 'src/hub/leak.ts', 'src/renderer/kiosk/src/leak.ts', 'src/shared/leak.ts', 'src/node/leak.ts'])(
    'refuses electron imported from %s',
    async (path) => {
      const messages = await restrictedImports('imports-electron.ts', path);
      expect(messages.join(' ')).toMatch(/electron/);
    },
  );

  it.each(['src/main/ok.ts', 'src/preload/ok.ts'])('allows electron in %s', async (path) => {
    expect(await restrictedImports('imports-electron.ts', path)).toEqual([]);
  });

  it.each(['src/host/leak.ts', 'src/session/leak.ts', 'devices/leak.ts', 'src/node/leak.ts'])('refuses React imported from %s', async (path) => {
    expect((await restrictedImports('imports-react.ts', path)).join(' ')).toMatch(/never import React/);
  });
});
