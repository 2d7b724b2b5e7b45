/**
 * `CABINE_DEMO_TURN_PORT=<port> npm run demo` also runs coturn, TLS only on
 * loopback with a certificate the demo made, and stops it with the rest.
 */
import { connect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../resilience/support/clients';
import { startDemo, type DemoRun } from '../../helpers/demo';
import { freePort } from '../../helpers/hub';

let demo: DemoRun | undefined;
afterEach(() => {
  demo?.dispose();
  demo = undefined;
});

/** The subject of the certificate served on the port, or null when nothing answers TLS there. */
function servedCertificate(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(s.getPeerCertificate().subject?.CN ?? null);
      s.destroy();
    });
    s.once('error', () => resolve(null));
  });
}

describe('the demo with TURN', () => {
  it('serves TURN over TLS on the port asked for while it runs, and leaves no coturn behind', async () => {
    const port = await freePort();
    demo = await startDemo({ env: { CABINE_DEMO_TURN_PORT: String(port) } });
    expect(demo.output()).toContain(`TURN over TLS on 127.0.0.1:${port}`);
    await until(async () => (await servedCertificate(port)) === 'Cabine demo TURN', 'coturn serves the demo certificate', 30_000);
    const coturn = demo.descendants().find((p) => p.cmdline.includes('turnserver'));
    expect(coturn).toBeDefined();
    expect(await demo.interrupt()).toBe(0);
    expect(await servedCertificate(port)).toBeNull();
    expect(() => process.kill(coturn!.pid, 0)).toThrow();
  }, 150_000);
});
