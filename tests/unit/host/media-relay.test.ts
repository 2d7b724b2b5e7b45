import { createActor, createMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import { FakeHubLink } from '../../../src/host/fake-hub-link';
import { MediaRelay } from '../../../src/host/media-relay';
import { flowPath } from '../../../src/session/view';
import type { KioskEvent } from '../../../src/shared/kiosk-api';
import { SessionViewContext } from '../../../src/shared/session-view';
import { createLogger } from '../../../src/node/logger';

const silent = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);

/** A stand-in for the session machine's waiting room and consultation. */
const machine = createMachine({
  id: 's',
  initial: 'consent',
  states: {
    consent: { on: { NEXT: 'waitingRoom' } },
    waitingRoom: { on: { CLAIMED: 'consultation', CANCEL: 'attract' } },
    consultation: { on: { FINISH: 'attract' } },
    attract: {},
  },
});

function setup() {
  const link = new FakeHubLink();
  link.answers.set('queue.join', () => ({ position: 1, roomId: null }));
  link.answers.set('queue.leave', () => ({ ok: true }));
  link.answers.set('media.capabilities', () => ({ roomId: 'r1', rtpCapabilities: {} }));
  const events: KioskEvent[] = [];
  const sent: { type: string }[] = [];
  const actor = createActor(machine);
  // The relay's view of the session, over this small machine.
  const session = {
    flow: () => flowPath(actor.getSnapshot().value),
    send: (event: { type: string }) => {
      if (!actor.getSnapshot().can(event)) return false;
      sent.push(event);
      actor.send(event);
      return true;
    },
    subscribe: (listener: () => void) => {
      const subscription = actor.subscribe(() => listener());
      return () => subscription.unsubscribe();
    },
  };
  const relay = new MediaRelay({ link, log: silent, emit: (e) => events.push(e), session });
  actor.start();
  return { link, events, actor, relay, sent };
}

describe('host media relay', () => {
  it('relays an allow-listed method to the hub and returns its answer', async () => {
    const { link, relay } = setup();
    await expect(relay.signal('media.capabilities', {})).resolves.toEqual({ roomId: 'r1', rtpCapabilities: {} });
    expect(link.requests).toEqual([{ method: 'media.capabilities', params: {} }]);
  });

  it('refuses methods outside the allow-list without reaching the hub', async () => {
    const { link, relay } = setup();
    await expect(relay.signal('queue.claim', { boothId: 'other' })).rejects.toMatchObject({ code: 'MEDIA_METHOD_REFUSED' });
    await expect(relay.signal('queue.join', {})).rejects.toMatchObject({ code: 'MEDIA_METHOD_REFUSED' });
    expect(link.requests).toEqual([]);
  });

  it("turns the hub's refusal into a typed error the kiosk can show", async () => {
    const { relay } = setup();
    await expect(relay.signal('media.consume', { transportId: 't', producerId: 'p', rtpCapabilities: {} })).rejects.toMatchObject({
      code: 'HUB_UNKNOWN_METHOD',
      userMessage: { fr: expect.stringContaining('pharmacien') },
    });
  });

  it('queues the booth on entering the waiting room and leaves the queue on cancel', async () => {
    const { link, actor } = setup();
    actor.send({ type: 'NEXT' });
    await expect.poll(() => link.requests.map((r) => r.method)).toEqual(['queue.join']);
    actor.send({ type: 'CANCEL' });
    await expect.poll(() => link.requests.map((r) => r.method)).toEqual(['queue.join', 'queue.leave']);
  });

  it('tells the machine which doctor claimed the booth, as the hub names them', () => {
    const { link, actor, sent } = setup();
    actor.send({ type: 'NEXT' });
    link.note('queue.claimed', { roomId: 'r1', specialist: { name: 'Dr Claire Martin', specialty: 'Médecin généraliste' } });
    expect(sent).toEqual([{ type: 'CLAIMED', doctor: { name: 'Dr Claire Martin', specialty: 'Médecin généraliste' } }]);
  });

  it("passes the doctor's photo on with the name, and leaves it out when the hub sends none", () => {
    const { link, actor, sent } = setup();
    actor.send({ type: 'NEXT' });
    const photo = 'data:image/png;base64,iVBORw0KGgo=';
    link.note('queue.claimed', { roomId: 'r1', specialist: { name: 'Dr Claire Martin', specialty: 'Médecin généraliste', photo } });
    expect(sent).toEqual([{ type: 'CLAIMED', doctor: { name: 'Dr Claire Martin', specialty: 'Médecin généraliste', photo } }]);
    const other = setup();
    other.actor.send({ type: 'NEXT' });
    other.link.note('queue.claimed', { roomId: 'r1', specialist: { name: 'Dr Claire Martin', specialty: '' } });
    expect(other.sent).toEqual([{ type: 'CLAIMED', doctor: { name: 'Dr Claire Martin', specialty: '' } }]);
  });

  it('keeps the doctor within what the kiosk\'s view accepts, and opens the call without a name when the hub gives none', () => {
    const { link, actor, sent } = setup();
    actor.send({ type: 'NEXT' });
    link.note('queue.claimed', { roomId: 'r1', specialist: { name: `Dr ${'Très-Long-Nom '.repeat(20)}`, specialty: '' } });
    const claimed = sent[0] as { doctor?: unknown };
    expect(SessionViewContext.shape.doctor.safeParse(claimed.doctor).success).toBe(true);
    const other = setup();
    other.actor.send({ type: 'NEXT' });
    other.link.note('queue.claimed', { roomId: 'r1', specialist: { name: '', specialty: '' } });
    expect(other.sent).toEqual([{ type: 'CLAIMED' }]);
  });

  it('forwards hub notes to the renderer and feeds CLAIMED to the machine when it accepts it', () => {
    const { link, events, actor } = setup();
    link.note('queue.claimed', { roomId: 'r1' });
    // Not in the waiting room yet: forwarded, but the machine does not move.
    expect(actor.getSnapshot().value).toBe('consent');
    actor.send({ type: 'NEXT' });
    link.note('queue.claimed', { roomId: 'r1' });
    expect(actor.getSnapshot().value).toBe('consultation');
    link.note('outbox.ack', { id: 1 });
    expect(events.map((e) => e.name === 'mediaNotification' && e.data.method)).toEqual(['queue.claimed', 'queue.claimed']);
  });
});
