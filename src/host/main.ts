/**
 * `node --import tsx src/host/main.ts [--config kiosk-config/default.json]`
 * Starts the host with the WebSocket transport and prints the kiosk URL as a
 * single machine-readable line (`KIOSK_URL=…`) for the demo launcher.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { loadKioskConfig } from '../shared/config';
import { ConfigError } from '../shared/errors';
import { createLogger } from '../shared/logger';
import { Host } from './host';
import { startWsTransport } from './transport-ws';

const root = resolve(fileURLToPath(import.meta.url), '../../..');

export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', default: resolve(root, 'kiosk-config/default.json') },
      port: { type: 'string' },
      'static-dir': { type: 'string', default: resolve(root, 'dist/renderer/kiosk') },
    },
  });
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
  });
  host.on('kioskEvent', (event) => transport.broadcast(event));
  host.start();
  process.stdout.write(`KIOSK_URL=${transport.url}\n`);

  const shutdown = async (): Promise<void> => {
    host.stop();
    await transport.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main();
}
