/**
 * A throw-away PostgreSQL cluster for tests and benches, from Debian's
 * `postgresql-15` (the bootstrap installs it): `initdb` in a temporary
 * folder, a free port on 127.0.0.1, the socket in that folder, stopped and
 * deleted at the end. Never a system-wide server.
 *
 * `initdb` refuses to run as root: as root (CI), the folder is handed to
 * the `postgres` user the package creates and the server runs as it.
 * Durability is off (`fsync=off`, `synchronous_commit=off`): a test's
 * cluster dies with the test; the product's settings are the server's own.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PgCluster {
  readonly port: number;
  /** The superuser's connection string to the `postgres` database. */
  readonly url: string;
  /** A fresh, empty database; its connection string. */
  createDatabase(name?: string): Promise<string>;
  /** The server's log, for a failing test's message. */
  log(): string;
  /** Stops the server at once (`immediate`: like a crash) or cleanly (`fast`), without deleting its folder. */
  halt(mode?: 'fast' | 'immediate'): void;
  /** Starts it again on the same port after `halt`. */
  restart(): void;
  stop(): Promise<void>;
}

const USER = 'cabine';

/** The newest installed server's binaries (/usr/lib/postgresql/<major>/bin). */
export function pgBinDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a)) : [];
  const dir = majors.map((m) => join(root, m, 'bin')).find((d) => existsSync(join(d, 'initdb')));
  if (!dir) throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/<major>/bin/initdb): run `npm run bootstrap` (it installs postgresql-15)');
  return dir;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

let databases = 0;

export async function startPgCluster(): Promise<PgCluster> {
  const bin = pgBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'cabine-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chmodSync(dir, 0o755);
    execFileSync('chown', ['postgres', dir]);
  }
  const run = (tool: string, args: string[]): void => {
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
    const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`${tool} failed (${r.status}): ${r.stderr || r.stdout}`);
  };
  const data = join(dir, 'data');
  const logFile = join(dir, 'log');
  run('initdb', ['-D', data, '-A', 'trust', '-U', USER, '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const start = (): void => run('pg_ctl', ['-D', data, '-o', options, '-l', logFile, '-w', '-t', '60', 'start']);
  start();
  const url = `postgresql://${USER}@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    port,
    url,
    async createDatabase(name = `t${process.pid}_${++databases}`) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const pg = await import('pg');
      const client = new pg.default.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgresql://${USER}@127.0.0.1:${port}/${name}`;
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    halt(mode = 'immediate') {
      run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
    },
    restart: start,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } catch {
        // Already halted by the test.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
