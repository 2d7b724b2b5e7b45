/**
 * Typed failures of cluster coordination (STYLE rule 3): a stable `code`, a
 * message an operator can act on, and the cause.
 */
import { CabineError } from '../../shared/errors';

export type ClusterErrorCode =
  | 'PG_UNREACHABLE'
  | 'FENCED'
  | 'NOTIFY_PAYLOAD_TOO_LARGE'
  | 'NOTIFY_NOT_IDS'
  | 'LEASE_TIMING_INVALID'
  | 'CLUSTER_SCHEMA_NEWER';

export class ClusterError extends CabineError {
  declare readonly code: ClusterErrorCode;
  constructor(code: ClusterErrorCode, message: { fr: string; en: string }, options?: { cause?: unknown; detail?: string }) {
    super(code, message, options);
  }
}

/** Where a write went: the node, the epoch of its lease and (for a room write) the room. */
export interface Fence {
  nodeId: string;
  epoch: number;
  roomId?: string;
}

export function fencedError(fence: Fence): ClusterError {
  const what = fence.roomId === undefined ? '' : ` about room ${fence.roomId}`;
  const quoi = fence.roomId === undefined ? '' : ` sur la salle ${fence.roomId}`;
  return new ClusterError('FENCED', {
    fr: `Écriture refusée${quoi} : le nœud ${fence.nodeId} (époque ${fence.epoch}) n’a plus de bail valide ou la salle a été reprise par un autre nœud. Ce nœud doit lâcher la salle ; locate() donne son détenteur.`,
    en: `Write refused${what}: node ${fence.nodeId} (epoch ${fence.epoch}) no longer holds a live lease, or the room was adopted by another node. This node must drop the room; locate() gives its holder.`,
  });
}


export function unreachable(address: string, cause: unknown): ClusterError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ClusterError(
    'PG_UNREACHABLE',
    {
      fr: `PostgreSQL est injoignable à ${address} : vérifiez que le serveur tourne, l’adresse et le port de la configuration du hub, et le pare-feu.`,
      en: `PostgreSQL is unreachable at ${address}: check that the server runs, the address and port in the hub configuration, and the firewall.`,
    },
    { cause, detail: reason.replaceAll(/\/\/[^@/]*@/g, '//') },
  );
}
