/**
 * What the hub's composition root (./server.ts) hands its features: each
 * feature names the few ports it uses (`Pick<HubPorts, 'booths' | 'log'>`)
 * rather than receiving the whole hub.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { BoothGateway } from './booth-gateway';
import type { BoothDirectory, HubConfig } from './directory';
import type { AccessJournal } from './journal/types';
import type { HubLimits } from './limits';

/** Handles a WebSocket upgrade on one path. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void | Promise<void>;

/** An HTTP route a feature registers; return true when handled. */
export type HubRoute = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface HubPorts {
  /** Booth connections (`/booth`): register booth methods, hear connects. */
  readonly booths: BoothGateway;
  readonly directory: BoothDirectory;
  readonly config: HubConfig;
  readonly limits: HubLimits;
  /** The hub's own address (the console's allowed origin). */
  readonly url: string;
  /** Who saw what (./journal): every read of patient data awaits its entry before the data leaves. */
  readonly journal: AccessJournal;
  /** The hub's logger (each feature writes through its own child, `module` set). */
  readonly log: Logger;
  addRoute(route: HubRoute): void;
  addUpgrade(path: string, handler: UpgradeHandler): void;
  /** Runs on close, last registered first. */
  onClose(fn: () => void | Promise<void>): void;
}
