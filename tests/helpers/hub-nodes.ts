/**
 * Two hub nodes of a network on one PostgreSQL database with one key folder:
 * node A as its own process (`src/hub/main.ts`, to be killed with SIGKILL),
 * node B in this process beside it, for failover tests and benches.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hub } from '../../src/hub/server';
import { freePort, freshDataDir, spawnHubProcess, startTestHub, testHubConfig, type HubProcess } from './hub';
import type { PgCluster } from './pg-cluster';

export interface NodePair {
  a: HubProcess;
  b: Hub;
  close(): Promise<void>;
}

export async function startNodePair(pg: PgCluster): Promise<NodePair> {
  const store = { engine: 'postgresql' as const, url: await pg.createDatabase() };
  const keyDir = freshDataDir();
  const dirA = freshDataDir();
  const fileA = join(dirA, 'hub.json');
  writeFileSync(fileA, JSON.stringify({ ...(await testHubConfig(dirA)), store, keyDir, node: { id: 'node-a' } }));
  const a = await spawnHubProcess(fileA, await freePort());
  try {
    const b = await startTestHub({ config: { ...(await testHubConfig(freshDataDir())), store, keyDir, node: { id: 'node-b' } } });
    return { a, b, close: async () => { await a.kill(); await b.close(); } };
  } catch (error) {
    await a.kill();
    throw error;
  }
}
