/** A running hub, as its composition root (./server.ts) returns it to main and to tests. */
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { BoothGateway } from './booth-gateway';
import type { ClusterNode } from './cluster/index';
import type { HubCases } from './cases/index';
import type { HubCounter } from './counter/index';
import type { BoothDirectory, HubConfig } from './directory';
import type { AccessJournal } from './journal/types';
import type { HubLimits } from './limits';
import type { HubMedia } from './media/index';
import type { HubRoute, UpgradeHandler } from './ports';
import type { HubRecord } from './record/index';

export interface Hub {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  readonly config: HubConfig;
  readonly directory: BoothDirectory;
  /** Booth connections (`/booth`). */
  readonly booths: BoothGateway;
  readonly log: Logger;
  readonly limits: HubLimits;
  /** Who saw what: the HMAC chain (./journal/journal.ts), or the journal a test handed to startHub. */
  readonly journal: AccessJournal;
  /** The record (its repository, and what each batch stored). */
  readonly record: HubRecord;
  /** Staff sign-in, the counter pages and the booths' alerts routed to them. */
  readonly counter: HubCounter;
  /** Forwarded cases: the queues, the answers, the counter's side (`counterCaseFor` serves the answer's PDF route). */
  readonly cases: HubCases;
  /** Workers, queue, rooms and the specialists' gateway (absent when `media: false`). */
  readonly media: HubMedia | null;
  /** This node's place in a network of hubs (its lease, its rooms' directory, the bus); null on a single hub. */
  readonly cluster: ClusterNode | null;
  addRoute(route: HubRoute): void;
  addUpgrade(path: string, handler: UpgradeHandler): void;
  /** Runs on close, last registered first (rooms, stores, workers). */
  onClose(fn: () => void | Promise<void>): void;
  close(): Promise<void>;
}
