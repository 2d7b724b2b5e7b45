/**
 * Two hub nodes of a network on one PostgreSQL database with one key folder:
 * node A as its own process (`src/hub/main.ts`, to be killed with SIGKILL),
 * node B in this process beside it, for failover tests and benches.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hub } from '../../src/hub/server';
import { freePort, freshDataDir, spawnHubProcess, startTestHub, testHubConfig, withCrowd, type CrowdBooth, type CrowdDoctor, type HubProcess } from './hub';
import type { PgCluster } from './pg-cluster';

export interface NodePair {
  a: HubProcess;
  b: Hub;
  /** The booths and doctors `crowd` added to both nodes' config (none without). */
  people: { booths: CrowdBooth[]; doctors: CrowdDoctor[] };
  close(): Promise<void>;
}

export async function startNodePair(pg: PgCluster, crowd: { booths: number; doctors: number } = { booths: 0, doctors: 0 }): Promise<NodePair> {
  const store = { engine: 'postgresql' as const, url: await pg.createDatabase() };
  const keyDir = freshDataDir();
  const dirA = freshDataDir();
  const fileA = join(dirA, 'hub.json');
  const a0 = await withCrowd(await testHubConfig(dirA), crowd);
  const b0 = await withCrowd(await testHubConfig(freshDataDir()), crowd);
  writeFileSync(fileA, JSON.stringify({ ...a0.config, store, keyDir, node: { id: 'node-a' } }));
  const a = await spawnHubProcess(fileA, await freePort());
  try {
    const b = await startTestHub({ config: { ...b0.config, store, keyDir, node: { id: 'node-b' } } });
    return { a, b, people: { booths: a0.booths, doctors: a0.doctors }, close: async () => { await a.kill(); await b.close(); } };
  } catch (error) {
    await a.kill();
    throw error;
  }
}

/**
 * One node of a network as its own process (to be killed with SIGKILL): the
 * network's `config` (store, booths, people), the shared `keyDir`, a data
 * folder and a port of its own, `node.id` and the address it is reached at.
 */
export async function startNetworkNode(config: object, keyDir: string, id: string): Promise<HubProcess> {
  const dir = freshDataDir();
  const port = await freePort();
  const file = join(dir, 'hub.json');
  writeFileSync(file, JSON.stringify({ ...config, dataDir: dir, keyDir, node: { id, url: `http://127.0.0.1:${port}` } }));
  return spawnHubProcess(file, port);
}
