/**
 * Encryption in transit (issue #21, docs/security.md): outside loopback
 * every link is TLS. The configs of the booth and of the hub ask these
 * questions of every address they name, and refuse a plain one with a
 * message that says which encrypted form to write instead.
 */

/** 127.0.0.0/8, ::1 and localhost: the only places a plain link may go. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Schemes that carry data in clear, and their encrypted twin. */
const PLAIN: Record<string, string> = { 'ws:': 'wss://', 'http:': 'https://', 'turn:': 'turns:' };

/**
 * What is wrong with `url` as a link outside loopback, or null when it is
 * encrypted or stays on this machine. `turn:`/`turns:` URLs have no `//`,
 * so their host is read by hand.
 */
export function plainRemoteLink(url: string): string | null {
  let scheme: string;
  let host: string;
  const turn = /^(turns?:)(\[[^\]]+\]|[^:?/]+)/.exec(url);
  if (turn) {
    scheme = turn[1]!;
    host = turn[2]!;
  } else {
    try {
      const u = new URL(url);
      scheme = u.protocol;
      host = u.hostname;
    } catch {
      return null; // not a URL: the schema's own check says so
    }
  }
  const twin = PLAIN[scheme];
  if (!twin || isLoopbackHost(host)) return null;
  return `an encrypted address (${twin}…): ${scheme}// to ${host} would carry health data in clear; plain links are allowed on loopback only`.replace('turn://', 'turn:');
}

/**
 * A PostgreSQL URL to another machine must ask for TLS that checks the
 * server (`sslmode=verify-full`, or `require`/`verify-ca` at least); null
 * when it does or stays on loopback (or a Unix socket).
 */
export function plainPostgres(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (!u.hostname || isLoopbackHost(u.hostname) || u.searchParams.get('host')?.startsWith('/')) return null;
  const mode = u.searchParams.get('sslmode');
  if (mode === 'verify-full' || mode === 'verify-ca' || mode === 'require') return null;
  return `TLS to the database on ${u.hostname}: add "?sslmode=verify-full" (and the server's authority through PGSSLROOTCERT or "sslrootcert=…"); health data must not cross the network in clear`;
}
