/**
 * `node --import tsx src/host/main.ts [--config kiosk-config/default.json] [--port N]`
 * Starts the host with the WebSocket transport and prints the kiosk URL as a
 * single machine-readable line (`KIOSK_URL=…`) for the demo launcher.
 * `CABINE_KIOSK_SECRET` fixes the launch secret (random otherwise): the demo
 * launcher restarts a crashed host with the same port and secret so the open
 * kiosk page reconnects by itself. An environment variable rather than an
 * argument, so other local users cannot read it in the process list.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { loadKioskConfig } from '../node/config-file';
import { ConfigError } from '../shared/errors';
import { createLogger } from '../node/logger';
import { Host } from './host';
import { startWsTransport } from './transport-ws';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
/** What the kiosk page reads back from its address (src/renderer/kiosk/src/api-client.ts), long enough not to be guessed. */
const KIOSK_SECRET = /^[A-Za-z0-9_-]{16,}$/;

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', default: resolve(root, 'kiosk-config/default.json') },
      port: { type: 'string' },
      'static-dir': { type: 'string', default: resolve(root, 'dist/renderer/kiosk') },
    },
  });
  const secret = process.env.CABINE_KIOSK_SECRET;
  // Not passed on to what the host starts (socat, simulators).
  delete process.env.CABINE_KIOSK_SECRET;
  if (secret !== undefined && !KIOSK_SECRET.test(secret)) {
    process.stderr.write(
      'CABINE_KIOSK_SECRET invalide : au moins 16 caractères parmi A-Z a-z 0-9 _ - (ou ne le fixez pas : le secret est alors tiré au hasard).\n'
      + 'CABINE_KIOSK_SECRET is invalid: at least 16 characters among A-Z a-z 0-9 _ - (or leave it unset: a random secret is drawn).\n',
    );
    process.exit(2);
  }
  const log = createLogger('host');
  let config;
  try {
    config = loadKioskConfig(values.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (values.port) config.kiosk.port = Number(values.port);
  const host = new Host(config, log);
  const transport = await startWsTransport({
    dispatch: host.dispatch,
    staticDir: values['static-dir'],
    port: config.kiosk.port,
    log: log.child({ module: 'host.transport-ws' }),
    ...(secret ? { secret } : {}),
  });
  host.on('kioskEvent', (event) => transport.broadcast(event));
  host.start();
  process.stdout.write(`KIOSK_URL=${transport.url}\n`);

  const shutdown = async (): Promise<void> => {
    // The devices closed and the store shut before the process ends: a port or a HID handle left open refuses the next start.
    await host.stop().catch((error: unknown) => log.error({ err: error }, 'the host did not stop cleanly'));
    await transport.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main();
}
