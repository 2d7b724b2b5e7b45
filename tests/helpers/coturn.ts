/**
 * coturn (Debian's `turnserver`) for tests and benches: TURN over TLS only,
 * on loopback, with the REST API's shared secret (`use-auth-secret`), a
 * certificate authority and a server certificate made at start with
 * openssl, and a browser profile that trusts that authority the way
 * Chromium on Linux trusts one: a throw-away HOME whose NSS database
 * (`~/.pki/nssdb`) holds it. Nothing in the product turns verification off.
 *
 * `allow-loopback-peers` lets coturn relay to the SFU on 127.0.0.x; its
 * relayed traffic leaves from `relayIp` (127.0.0.3 by default) so a
 * relay's firewall can tell it from the browser's own.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CoturnOptions {
  /** The TLS port (443 in production; a free high port in tests). */
  tlsPort: number;
  secret: string;
  listenIp?: string;
  relayIp?: string;
  /** The address coturn announces for its relayed transports, when a NAT stands between it and the peers (`external-ip`). */
  externalIp?: string;
  /** IP addresses the certificate names (the addresses the browser dials). */
  certificateIps?: string[];
  realm?: string;
  /** Relay ports coturn allocates from. */
  minPort?: number;
  maxPort?: number;
}

export interface Coturn {
  readonly dir: string;
  /** The authority that signed the server's certificate (PEM). */
  readonly caPem: string;
  readonly child: ChildProcess;
  /** What coturn printed (its log), for a failing test's message. */
  log(): string;
  /** A HOME for a test browser whose NSS database trusts the test authority. */
  browserHome(): string;
  stop(): Promise<void>;
}

/** A test authority and a server certificate it signs for `ips` and localhost, in `dir`. */
export function makeCertificates(dir: string, ips: string[]): { ca: string; caKey: string; cert: string; key: string } {
  const ca = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca.key');
  const cert = join(dir, 'turn.pem');
  const key = join(dir, 'turn.key');
  const csr = join(dir, 'turn.csr');
  const ext = join(dir, 'turn.ext');
  const openssl = (...args: string[]): void => { execFileSync('openssl', args, { stdio: 'pipe' }); };
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', caKey, '-out', ca, '-days', '2', '-subj', '/CN=Cabine test TURN authority',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=cabine-test-turn');
  writeFileSync(ext, [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    `subjectAltName=${['DNS:localhost', ...ips.map((ip) => `IP:${ip}`)].join(',')}`,
  ].join('\n'));
  openssl('x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '1', '-extfile', ext);
  return { ca, caKey, cert, key };
}

/** A HOME whose NSS database trusts `caFile` as an authority for servers (certutil, from libnss3-tools). */
export function nssHomeTrusting(caFile: string): string {
  const home = mkdtempSync(join(tmpdir(), 'cabine-browser-home-'));
  const db = join(home, '.pki', 'nssdb');
  mkdirSync(db, { recursive: true });
  execFileSync('certutil', ['-d', `sql:${db}`, '-N', '--empty-password'], { stdio: 'pipe' });
  execFileSync('certutil', ['-d', `sql:${db}`, '-A', '-t', 'C,,', '-n', 'cabine-test-turn-authority', '-i', caFile], { stdio: 'pipe' });
  return home;
}

async function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** Starts coturn; resolves once its TLS port accepts connections. Call `stop()` in the test's teardown. */
export async function startCoturn(opts: CoturnOptions): Promise<Coturn> {
  const listenIp = opts.listenIp ?? '127.0.0.1';
  const dir = mkdtempSync(join(tmpdir(), 'cabine-coturn-'));
  const homes: string[] = [];
  const { ca, cert, key } = makeCertificates(dir, opts.certificateIps ?? [listenIp]);
  const args = [
    '-n', // no configuration file: everything is on the command line
    '--listening-ip', listenIp,
    '--relay-ip', opts.relayIp ?? '127.0.0.3',
    ...(opts.externalIp ? ['--external-ip', `${opts.externalIp}/${opts.relayIp ?? '127.0.0.3'}`] : []),
    '--tls-listening-port', String(opts.tlsPort),
    // TLS only: the clear UDP/TCP listeners would also take the plain port.
    '--listening-port', String(opts.tlsPort + 1),
    '--no-udp', '--no-tcp', '--no-dtls',
    '--no-tlsv1', '--no-tlsv1_1',
    '--cert', cert, '--pkey', key,
    '--use-auth-secret', '--static-auth-secret', opts.secret,
    '--realm', opts.realm ?? 'cabine.test',
    '--allow-loopback-peers',
    '--min-port', String(opts.minPort ?? 49_200), '--max-port', String(opts.maxPort ?? 49_400),
    '--fingerprint', '--no-cli', '--no-rfc5780', '--no-stun-backward-compatibility', '--no-software-attribute',
    '--userdb', join(dir, 'turndb'), '--pidfile', join(dir, 'turnserver.pid'),
    '--log-file', 'stdout', '--simple-log', '--verbose',
  ];
  const child = spawn('turnserver', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer): void => { out = (out + d.toString()).slice(-20_000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // A test process that dies anyway takes coturn with it.
  const onExit = (): void => { if (child.exitCode === null) child.kill('SIGKILL'); };
  process.once('exit', onExit);
  const stop = async (): Promise<void> => {
    process.off('exit', onExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(killer);
    }
    for (const h of homes) rmSync(h, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) break;
    if (await listening(listenIp, opts.tlsPort)) {
      return {
        dir, child, caPem: readFileSync(ca, 'utf8'), log: () => out, stop,
        browserHome: () => {
          const home = nssHomeTrusting(ca);
          homes.push(home);
          return home;
        },
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`coturn did not listen on ${listenIp}:${opts.tlsPort}: ${out.slice(-2000)}`);
}
