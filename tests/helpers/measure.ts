/**
 * Driving a Host's session through its public interface, as the kiosk, the
 * pharmacist and the hub would: up to the call, then a measurement someone
 * asked for. A reading is recorded only inside such a measurement (a value
 * nobody asked for is never recorded), so tests that take readings ask for
 * the measurement first.
 */
import type { Host } from '../../src/host/host';
import type { MeasurementKind } from '../../src/shared/domain';

const IDENTITY = { firstName: 'Jeanne', lastName: 'Martin', birthDate: '1941-03-07' };

async function ui(host: Host, event: Record<string, unknown>): Promise<void> {
  await host.dispatch('sendEvent', { event });
}

/** The patient's steps to the waiting room (the pharmacist enters the identity in assistant mode); the booth joins the queue. */
export async function walkToWaitingRoom(host: Host): Promise<void> {
  for (const event of [{ type: 'TOUCH' }, { type: 'CHOOSE_LANGUAGE', language: 'fr' }, { type: 'ACCEPT' }]) await ui(host, event);
  host.sendHostEvent({ type: 'ASSISTANT_LOGIN' });
  host.sendHostEvent({ type: 'SET_IDENTITY', identity: IDENTITY });
  host.sendHostEvent({ type: 'ASSISTANT_LOGOUT' });
  if (host.view().state !== 'waitingRoom') throw new Error(`expected the waiting room, got ${host.view().state}`);
}

/** The waiting room, then the call as the hub's claim makes it (CLAIMED, for a booth with no specialist). */
export async function walkToCall(host: Host): Promise<void> {
  await walkToWaitingRoom(host);
  host.sendHostEvent({ type: 'CLAIMED' });
  if (host.view().state !== 'consultation.call') throw new Error(`expected the call, got ${host.view().state}`);
}

/**
 * The pharmacist starts a measurement from the assistant panel and the
 * patient says "I am ready": the measuring instrument is asked to measure,
 * and its readings of that measurement are recorded.
 */
export async function pharmacistMeasures(host: Host, kind: MeasurementKind): Promise<void> {
  if (!host.view().assistant) host.sendHostEvent({ type: 'ASSISTANT_LOGIN' });
  const started = await host.dispatch('assistantAction', { action: 'start-measurement', kind }) as { accepted: boolean };
  if (!started.accepted) throw new Error(`the session refused a ${kind} measurement in ${host.view().state}`);
  await ui(host, { type: 'START_MEASURE' });
  if (host.view().state !== 'consultation.measuring') throw new Error(`expected measuring, got ${host.view().state}`);
}

/** The patient measures again from the result screen ("recommencer"): the instrument is asked once more. */
export async function measureAgain(host: Host): Promise<void> {
  await ui(host, { type: 'RETRY' });
  if (host.view().state !== 'consultation.measuring') throw new Error(`expected measuring again, got ${host.view().state}`);
}
