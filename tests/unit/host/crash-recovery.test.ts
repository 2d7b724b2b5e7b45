import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { attachCrashRecovery, findInterruptedSession, INCIDENT_SCREEN_WITHIN_MS, SESSION_INTERRUPTED } from '../../../src/host/crash-recovery';
import { FakeHubLink } from '../../../src/host/fake-hub-link';
import { createLogger } from '../../../src/node/logger';
import type { SessionEvent } from '../../../src/shared/domain';
import type { HostSession } from '../../../src/host/session';
import { FakeKeyProvider } from '../../../src/host/store/fake';
import { BoothStore } from '../../../src/host/store/store';
import { tempDir } from '../../helpers/store';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function store(): BoothStore {
  const { dir, cleanup } = tempDir('cabine-crash-recovery-');
  cleanups.push(cleanup);
  const s = BoothStore.open({ path: join(dir, 'booth.db'), keys: new FakeKeyProvider(), boothId: 'A' });
  cleanups.push(() => s.close());
  return s;
}

let t = Date.parse('2026-01-01T10:00:00Z');
function transition(s: BoothStore, sessionId: string, from: string, to: string | null): void {
  t += 1000;
  s.saveSessionEvent({ id: uuidv7(), sessionId, type: 'transition', at: new Date(t).toISOString(), data: { from, to, event: 'X' } });
}

describe('finding the session a crash interrupted', () => {
  it('finds none in an empty store', () => {
    expect(findInterruptedSession(store())).toBeNull();
  });

  it('finds the last session when it stopped in a consultation, with its last state', () => {
    const s = store();
    transition(s, 's1', 'flow.attract', 'flow.language');
    transition(s, 's1', 'flow.waitingRoom', 'flow.consultation');
    transition(s, 's1', 'flow.consultation', null);
    expect(findInterruptedSession(s)).toMatchObject({ sessionId: 's1', lastState: 'flow.consultation' });
  });

  it('finds none when the last session reached the privacy wipe', () => {
    const s = store();
    transition(s, 's0', 'flow.attract', 'flow.language');
    transition(s, 's1', 'flow.attract', 'flow.language');
    transition(s, 's1', 'flow.wrapUp.goodbye', 'flow.privacyWipe');
    expect(findInterruptedSession(s)).toBeNull();
  });

  it('reports a session once: not again after its SESSION_INTERRUPTED incident', () => {
    const s = store();
    transition(s, 's1', 'flow.attract', 'flow.consent');
    t += 1000;
    s.saveSessionEvent({ id: uuidv7(), sessionId: 's1', type: 'incident', at: new Date(t).toISOString(), data: { code: SESSION_INTERRUPTED } });
    expect(findInterruptedSession(s)).toBeNull();
  });
});

describe('at start after an interruption', () => {
  function start(s: BoothStore, now: number) {
    const recorded: SessionEvent[] = [];
    const sent: Parameters<HostSession['send']>[0][] = [];
    const hubLink = new FakeHubLink();
    attachCrashRecovery({
      store: s,
      hubLink,
      log: createLogger('test'),
      session: { flow: () => 'attract', send: (e) => { sent.push(e); return true; } },
      recordSessionEvent: async (e) => { recorded.push(e); },
    }, { now: () => now });
    return { recorded, sent };
  }

  it('shows the incident screen when the interrupted session was under way moments ago', () => {
    const s = store();
    transition(s, 's1', 'flow.waitingRoom', 'flow.consultation');
    const { recorded, sent } = start(s, t + 20_000);
    expect(recorded.map((e) => e.data?.code)).toEqual([SESSION_INTERRUPTED]);
    expect(sent).toEqual([{ type: 'SESSION_INTERRUPTED', sessionId: 's1' }]);
  });

  it('records an interruption from long ago but greets the next patient normally (nobody from then is waiting)', () => {
    const s = store();
    transition(s, 's1', 'flow.waitingRoom', 'flow.consultation');
    const { recorded, sent } = start(s, t + INCIDENT_SCREEN_WITHIN_MS + 60_000);
    expect(recorded.map((e) => e.data?.code)).toEqual([SESSION_INTERRUPTED]);
    expect(sent).toEqual([]);
  });
});
