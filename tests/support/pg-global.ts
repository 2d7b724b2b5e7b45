/**
 * With CABINE_TEST_HUB_STORE=postgresql, one throw-away PostgreSQL cluster
 * for the whole run (tests/helpers/pg-cluster.ts): every test hub then keeps
 * its record and live state in a database of its own on it
 * (tests/helpers/hub.ts testHubConfig), so the hub's integration tests run
 * against PostgreSQL as they do against SQLite. Without the switch, nothing.
 */
import { startPgCluster } from '../helpers/pg-cluster';

export const PG_URL_ENV = 'CABINE_TEST_PG_URL';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.CABINE_TEST_HUB_STORE !== 'postgresql') return undefined;
  const cluster = await startPgCluster();
  // Workers are forked after global set-up: they inherit it.
  process.env[PG_URL_ENV] = cluster.url;
  return () => cluster.stop();
}
