/**
 * Hub nodes on one PostgreSQL (config `store.engine: "postgresql"`, one
 * `keyDir` for all): a node opens what another sealed, a booth's record
 * written through one node is read through the other, and a node whose
 * database cannot be reached stops with exit code 2 before listening.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordItem } from '../../../src/shared/record-protocol';
import { ROOT } from '../../helpers/config';
import { freePort, freshDataDir, startTestHub, testHubConfig } from '../../helpers/hub';
import { startPgCluster, type PgCluster } from '../../helpers/pg-cluster';
import { temperature } from '../../helpers/store';

let cluster: PgCluster;

beforeAll(async () => {
  cluster = await startPgCluster();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

let seq = 0;
function reading(sessionId = 'session-nodes'): RecordItem {
  const r = temperature(37.4, sessionId);
  return { id: r.id, boothId: 'demo-booth-1', sessionId, seq: ++seq, kind: 'reading', data: r };
}

describe('hub nodes sharing one PostgreSQL', () => {
  it('opens on one node what another sealed, and knows an item another node stored', async () => {
    const url = await cluster.createDatabase();
    const keyDir = freshDataDir();
    const nodeA = await startTestHub({ config: { ...(await testHubConfig()), store: { engine: 'postgresql', url }, keyDir } });
    const nodeB = await startTestHub({ config: { ...(await testHubConfig()), store: { engine: 'postgresql', url }, keyDir } });
    try {
      const item = reading();
      await nodeA.record.repo.ingest('demo-booth-1', 'batch-a', [item]);
      const seen = await nodeB.record.repo.sessionItems('session-nodes');
      expect(seen.map((s) => s.item)).toEqual([item]);
      // The booth sends it again through the other node (its link failed over): known there, not stored twice.
      expect(await nodeB.record.repo.ingest('demo-booth-1', 'batch-b', [item])).toEqual({ acked: [], duplicates: [item.id] });
      expect(await nodeA.record.repo.sessionItems('session-nodes')).toHaveLength(1);
    } finally {
      await nodeA.close();
      await nodeB.close();
    }
  });

  it('cannot open what a node with its own keys sealed: the shared key folder is what makes the nodes one', async () => {
    const url = await cluster.createDatabase();
    const nodeA = await startTestHub({ config: { ...(await testHubConfig()), store: { engine: 'postgresql', url }, keyDir: freshDataDir() } });
    const nodeB = await startTestHub({ config: { ...(await testHubConfig()), store: { engine: 'postgresql', url }, keyDir: freshDataDir() } });
    try {
      await nodeA.record.repo.ingest('demo-booth-1', 'batch-a', [reading('session-own-keys')]);
      await expect(nodeB.record.repo.sessionItems('session-own-keys')).rejects.toThrow();
    } finally {
      await nodeA.close();
      await nodeB.close();
    }
  });

  it('stops with exit code 2 before listening when PostgreSQL cannot be reached, naming the server', async () => {
    const dead = await freePort();
    const dataDir = freshDataDir();
    const file = join(dataDir, 'hub.json');
    const port = await freePort();
    writeFileSync(file, JSON.stringify({
      ...(await testHubConfig(dataDir)),
      store: { engine: 'postgresql', url: `postgresql://cabine@127.0.0.1:${dead}/cabine` },
      keyDir: dataDir,
    }));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/hub/main.ts', '--port', String(port), '--config', file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(`127.0.0.1:${dead}`);
    expect(r.stdout).not.toContain('HUB_URL=');
  }, 90_000);
});
