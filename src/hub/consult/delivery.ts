/**
 * Prescription delivery: the hub requests `consult.prescription` of the
 * booth for every prescription the booth has not acknowledged, oldest first,
 * on issue and on each booth connection, until the booth answers that it
 * stored it. What fails stays pending for the booth's next connection: a
 * prescription never depends on the call still being up.
 */
import type { Logger } from 'pino';
import { CONSULT, PrescriptionStored, type Prescription } from '../../shared/consult-protocol';
import { HubRequestError } from '../../shared/hub-protocol';
import type { Peer } from '../peer';
import type { RecordRepository } from '../record/repository';

const DELIVERY_TIMEOUT_MS = 15_000;
/** Rounds per run: a prescription issued while an earlier one was on its way is sent in the next round. */
const MAX_ROUNDS = 10;

export interface PrescriptionDeliveryDeps {
  /** The booths' connections, by booth id. */
  booths: { peer(boothId: string): Peer | undefined };
  repo: RecordRepository;
  log: Logger;
  /** The booth stored (and maybe printed) a prescription. */
  onDelivered: (boothId: string, prescription: Prescription, printed: boolean) => void;
}

export class PrescriptionDelivery {
  private readonly delivering = new Set<string>();
  private readonly again = new Set<string>();
  private closed = false;

  constructor(private readonly deps: PrescriptionDeliveryDeps) {}

  /**
   * Sends the booth every prescription it has not acknowledged, oldest first;
   * one delivery run per booth at a time.
   */
  async deliverPending(boothId: string): Promise<void> {
    if (this.closed) return;
    if (this.delivering.has(boothId)) {
      // A run is under way (maybe on a connection that just dropped): run again once it ends.
      this.again.add(boothId);
      return;
    }
    this.delivering.add(boothId);
    try {
      await this.run(boothId);
    } finally {
      this.delivering.delete(boothId);
    }
    if (this.again.delete(boothId)) await this.deliverPending(boothId);
  }

  close(): void {
    this.closed = true;
  }

  private async run(boothId: string): Promise<void> {
    const { repo, log } = this.deps;
    try {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const pending = await repo.pendingPrescriptions(boothId);
        if (pending.length === 0) return;
        for (const prescription of pending) {
          const booth = this.deps.booths.peer(boothId);
          if (!booth?.open || this.closed) return;
          const answer = PrescriptionStored.safeParse(await booth.request(CONSULT.prescription, { prescription }, DELIVERY_TIMEOUT_MS));
          if (!answer.success) {
            log.warn({ boothId, number: prescription.number }, 'the booth answered a prescription delivery with something else: kept pending');
            return;
          }
          await repo.markPrescriptionDelivered(prescription.number, new Date().toISOString(), answer.data.printed);
          log.info({ boothId, number: prescription.number, printed: answer.data.printed }, 'prescription delivered');
          this.deps.onDelivered(boothId, prescription, answer.data.printed);
        }
      }
    } catch (error) {
      const code = error instanceof HubRequestError ? error.code : 'INTERNAL';
      if (code === 'INTERNAL') log.error({ err: error, boothId }, 'prescription delivery failed');
      else log.warn({ boothId, code }, 'prescription delivery failed: kept pending for the next connection');
    }
  }
}
