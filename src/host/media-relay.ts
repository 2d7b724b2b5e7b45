/**
 * The host's half of the kiosk's video (DESIGN §6): the renderer never holds
 * the booth secret, so its mediasoup signaling goes through KioskApi
 * `mediaSignal` and the host relays allow-listed methods over the one hub
 * link. Hub notes about media, the queue and the room come back as the
 * `mediaNotification` KioskApi event. Entering the waiting room queues the
 * booth, and a change of what it tells the hub while it waits (the
 * pharmacist corrects the intake) tells it again, the booth keeping its
 * place; a claim by a specialist is fed to the session machine as CLAIMED
 * when the machine accepts it.
 */
import type { Logger } from 'pino';
import { ApiRequestError, CabineError, codeOf } from '../shared/errors';
import { HubRequestError } from '../shared/hub-protocol';
import { BOOTH_REQUESTS, MEDIA_NOTES, QUEUE, RELAYED_MEDIA_METHODS, isMediaNote, type QueueJoin } from '../shared/media-protocol';
import type { KioskEvent } from '../shared/kiosk-api';
import type { HubChannel } from './hub-link';
import type { HostSession } from './session';

/** What the renderer may ask the hub through the host: the catalogue's media path. Nothing else is relayed. */
export const RELAYED_METHODS = RELAYED_MEDIA_METHODS;


export interface MediaRelayOptions {
  link: HubChannel;
  log: Logger;
  emit: (event: KioskEvent) => void;
  /** The patient's screen (queue entry and exit) and the claim. */
  session: Pick<HostSession, 'flow' | 'send' | 'subscribe'>;
  /** The patient context sent with `queue.join` (first name, age, pathway, session, language). */
  queueDetails?: () => QueueJoin;
}

export class MediaRelay {
  private inWaitingRoom = false;
  /** What the booth last told the hub with `queue.join` while waiting. */
  private joinedWith: string | null = null;
  private readonly offNote: () => void;
  private readonly offSnapshot: () => void;

  constructor(private readonly opts: MediaRelayOptions) {
    const onNote = (method: string, params: unknown): void => this.onNote(method, params);
    opts.link.on('note', onNote);
    this.offNote = () => opts.link.off('note', onNote);
    this.offSnapshot = opts.session.subscribe(() => {
      const top = opts.session.flow().split('.')[0];
      const waiting = top === 'waitingRoom';
      if (waiting) {
        const details = opts.queueDetails?.() ?? {};
        const key = JSON.stringify(details);
        if (!this.inWaitingRoom || key !== this.joinedWith) {
          this.joinedWith = key;
          void this.joinQueue(details).catch(() => undefined);
        }
      } else {
        this.joinedWith = null;
      }
      if (!waiting && this.inWaitingRoom && top !== 'consultation') void this.leaveQueue();
      this.inWaitingRoom = waiting;
    });
  }

  /** Puts the booth in the hub's waiting queue (the session machine's waitingRoom does this; tests may too). */
  async joinQueue(details: QueueJoin = {}): Promise<{ position: number; roomId: string | null }> {
    try {
      return BOOTH_REQUESTS[QUEUE.join].result.parse(await this.opts.link.request(QUEUE.join, details));
    } catch (error) {
      this.opts.log.warn({ code: codeOf(error) }, 'could not join the waiting queue');
      throw error;
    }
  }

  async leaveQueue(): Promise<void> {
    await this.opts.link.request(QUEUE.leave, {}).catch(() => undefined);
  }

  async signal(method: string, data: unknown): Promise<unknown> {
    if (!RELAYED_METHODS.has(method)) {
      throw new ApiRequestError('MEDIA_METHOD_REFUSED', {
        fr: `Opération vidéo non autorisée (${method}).`,
        en: `Video operation not allowed (${method}).`,
      });
    }
    try {
      return await this.opts.link.request<unknown>(method, data);
    } catch (error) {
      if (error instanceof CabineError) throw error;
      if (error instanceof HubRequestError) {
        throw new ApiRequestError(`HUB_${error.code}`, {
          fr: 'La vidéo n’a pas pu être établie. Si cela se répète, appelez le pharmacien.',
          en: 'The video could not be set up. If this happens again, call the pharmacist.',
        }, { cause: error, detail: error.message });
      }
      throw error;
    }
  }

  private onNote(method: string, params: unknown): void {
    if (!isMediaNote(method)) return;
    this.opts.emit({ name: 'mediaNotification', data: { method, data: params } });
    if (method === QUEUE.claimed) {
      // The doctor's name for the call screen; a claim without one (an older hub) still opens the call.
      const claimed = MEDIA_NOTES[QUEUE.claimed].safeParse(params);
      const doctor = claimed.success && claimed.data.specialist.name.trim() ? claimed.data.specialist : undefined;
      // Bounded as the kiosk's view is (DoctorView): a long name in the hub's config must not make the snapshot invalid.
      // The photo is bounded already: the note's schema is the view's (DoctorPhotoUrl).
      this.opts.session.send(doctor ? {
        type: 'CLAIMED',
        doctor: { name: doctor.name.slice(0, 120), specialty: doctor.specialty.slice(0, 120), ...(doctor.photo ? { photo: doctor.photo } : {}) },
      } : { type: 'CLAIMED' });
    }
  }

  dispose(): void {
    this.offNote();
    this.offSnapshot();
  }
}
