/**
 * `npm run admin -- journal …` as the operator runs it: a real child process
 * on a real hub config file (SQLite here, PostgreSQL with
 * CABINE_TEST_HUB_STORE=postgresql), against the journal a hub wrote.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadHubConfig } from '../../../src/hub/directory';
import { ROOT } from '../../helpers/config';
import { freshDataDir, writeHubConfigFile } from '../../helpers/hub';
import { openTestJournal, rawJournalSql } from '../../helpers/journal';

const run = promisify(execFile);

async function admin(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/hub/admin/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, CABINE_LOG_LEVEL: 'warn' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function seeded(): Promise<{ file: string; config: ReturnType<typeof loadHubConfig> }> {
  const dataDir = freshDataDir();
  const file = await writeHubConfigFile(dataDir);
  const config = loadHubConfig(file);
  const j = await openTestJournal(config);
  for (let i = 1; i <= 4; i++) {
    await j.record({ actor: { role: 'specialist', id: 'dr-martin' }, action: 'read', resource: 'report', sessionId: `session-${i}`, boothId: 'demo-booth-1', outcome: 'allowed' });
  }
  await j.close();
  return { file, config };
}

// Each command is a fresh Node process loading TypeScript through tsx: seconds each on a busy machine (a bound, not a timing).
describe('npm run admin -- journal', { timeout: 120_000 }, () => {
  it('verify exits 0 on an intact journal, then 1 naming the entry edited by hand', async () => {
    const { file, config } = await seeded();
    const ok = await admin(['--config', file, 'journal', 'verify']);
    expect(ok.stdout).toContain('journal OK: 4 entries');
    expect(ok.code).toBe(0);
    await rawJournalSql(config, "UPDATE journal SET session_id = 'session-9' WHERE seq = 3");
    const broken = await admin(['--config', file, 'journal', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('journal BROKEN at entry 3 (mac): entry 3 was altered');
  });

  it('export-head then verify finds the last entries deleted', async () => {
    const { file, config } = await seeded();
    const exported = await admin(['--config', file, 'journal', 'export-head']);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/exported seq 4 {2}mac [0-9a-f]{64}/);
    await rawJournalSql(config, 'DELETE FROM journal WHERE seq = 4');
    const broken = await admin(['--config', file, 'journal', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('journal BROKEN at entry 4 (behind-head)');
  });

  it('lists one patient\'s accesses, and that look is itself journaled with the operator', async () => {
    const { file, config } = await seeded();
    const listed = await admin(['--config', file, '--as', 'ops-claire', 'journal', 'list', '--session', 'session-2']);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines.filter((l) => l.includes('specialist:dr-martin'))).toHaveLength(1);
    expect(lines.at(-1)).toBe('2 entries');
    expect(listed.stdout).toContain('admin:ops-claire\tread\tjournal\tallowed\tsession=session-2');
    const rows = await rawJournalSql(config, "SELECT seq, actor_role, actor_id, session_id FROM journal WHERE actor_role = 'admin'");
    expect(rows.map((r) => ({ ...r, seq: Number(r.seq) }))).toEqual([{ seq: 5, actor_role: 'admin', actor_id: 'ops-claire', session_id: 'session-2' }]);
    expect((await admin(['--config', file, 'journal', 'verify'])).code).toBe(0);
  });

  it('refuses a bad date or an unknown command with the usage (exit 2), journaling nothing', async () => {
    const { file, config } = await seeded();
    const badDate = await admin(['--config', file, 'journal', 'list', '--since', 'yesterday']);
    expect(badDate.code).toBe(2);
    expect(badDate.stdout).toContain('--since "yesterday" is not a date');
    const unknown = await admin(['--config', file, 'journal', 'erase']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "journal erase"');
    expect(unknown.stderr).toContain('journal verify');
    expect(await rawJournalSql(config, 'SELECT seq FROM journal')).toHaveLength(4);
  });
});
