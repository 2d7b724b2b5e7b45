/**
 * A booth that keeps sending its readings until each is acknowledged, as its
 * outbox does: one new reading every `everyMs`, every unacknowledged one
 * again with it (through whichever hub node its link is on); an item the
 * hub says it already holds is done too. For failover
 * tests and benches: the record must then hold each exactly once.
 */
import { v7 as uuidv7 } from 'uuid';
import type { HubLink } from '../../src/host/hub-link';
import type { IngestResult, RecordItem } from '../../src/shared/record-protocol';
import { temperature } from './store';

export interface ReadingPump {
  /** Stops taking new readings (those not yet acknowledged stay counted in `pending`). */
  stop(): Promise<void>;
  /** Readings taken so far. */
  sent(): number;
  /** Readings taken and not yet acknowledged by a hub. */
  pending(): number;
}

export function readingPump(link: HubLink, boothId: string, sessionId: string, everyMs = 250): ReadingPump {
  const pending: RecordItem[] = [];
  let sent = 0;
  let seq = 0;
  let stopping = false;
  const loop = (async () => {
    for (;;) {
      if (!stopping) {
        const r = temperature(37 + (seq % 10) / 10, sessionId);
        pending.push({ id: r.id, boothId, sessionId, seq: ++seq, kind: 'reading', data: r });
        sent += 1;
      }
      if (pending.length > 0) {
        try {
          // A duplicate was stored before (a node that died before its answer reached the booth): done as well.
          const { acked, duplicates } = await link.request('record.ingest', { batchId: uuidv7(), items: [...pending] }) as IngestResult;
          for (const id of [...acked, ...duplicates]) {
            const i = pending.findIndex((p) => p.id === id);
            if (i >= 0) pending.splice(i, 1);
          }
        } catch {
          // Offline: kept for the next try, as the outbox keeps it.
        }
      }
      if (stopping && pending.length === 0) break;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      stopping = true;
      await loop;
    },
    sent: () => sent,
    pending: () => pending.length,
  };
}
