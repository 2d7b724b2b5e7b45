/** Shared makers for store and sync tests: readings, events, temp dirs, a hub with the record. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { Reading, SessionEvent } from '../../src/shared/domain';
import { createLogger } from '../../src/node/logger';
import { hashSecret } from '../../src/hub/directory';
import { startHub, type Hub } from '../../src/hub/server';
import type { RecordRepository } from '../../src/hub/record/index';

export const silentLog = createLogger('test', { write: () => true } as unknown as NodeJS.WritableStream);

export function tempDir(prefix = 'cabine-store-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const device = { id: 'thermometer-1', kind: 'thermometer' as const, model: 'TH-1', serial: 'SN1', firmware: '1.0' };

export function temperature(value: number, sessionId: string | null = 'session-1', at = new Date()): Reading {
  return {
    id: uuidv7(), sessionId, kind: 'temperature', code: '8310-5',
    values: [{ code: '8310-5', name: 'Body temperature', value, unit: 'Cel' }],
    takenAt: at.toISOString(), receivedAt: at.toISOString(), device, flags: [],
  };
}

export function bloodPressure(sys: number, dia: number, pulse: number, sessionId = 'session-1', at = new Date()): Reading {
  return {
    id: uuidv7(), sessionId, kind: 'blood-pressure', code: '85354-9',
    values: [
      { code: '8480-6', name: 'Systolic', value: sys, unit: 'mm[Hg]' },
      { code: '8462-4', name: 'Diastolic', value: dia, unit: 'mm[Hg]' },
      { code: '8478-0', name: 'Mean arterial pressure', value: Math.round((sys + 2 * dia) / 3), unit: 'mm[Hg]' },
      { code: '8867-4', name: 'Heart rate', value: pulse, unit: '/min' },
    ],
    takenAt: at.toISOString(), receivedAt: at.toISOString(),
    device: { id: 'bp-cuff-1', kind: 'bp-cuff', model: 'BP-1', serial: 'SN2', firmware: '2.0' }, flags: [],
  };
}

export function spo2(sat: number, pulse: number, sessionId = 'session-1', at = new Date()): Reading {
  return {
    id: uuidv7(), sessionId, kind: 'spo2', code: '59408-5',
    values: [
      { code: '59408-5', name: 'SpO2', value: sat, unit: '%' },
      { code: '8867-4', name: 'Heart rate', value: pulse, unit: '/min' },
    ],
    takenAt: at.toISOString(), receivedAt: at.toISOString(),
    device: { id: 'oximeter-1', kind: 'oximeter', model: 'OX-1', serial: 'SN3', firmware: '3.0' }, flags: [],
  };
}

export function sessionEvent(type: string, sessionId = 'session-1'): SessionEvent {
  return { id: uuidv7(), sessionId, type, at: new Date().toISOString(), data: { from: 'a', to: 'b' } };
}

export const BOOTH_SECRET = 'booth-a-secret-0123456789';

/** A real hub on loopback with booths A and B (same secret) and the record in `dataDir`. */
export async function hubWithRecord(dataDir: string, port = 0): Promise<{ hub: Hub; record: RecordRepository }> {
  const tokenHash = await hashSecret(BOOTH_SECRET, 1024);
  const hub = await startHub({
    port,
    consoleDir: '/nonexistent',
    log: silentLog,
    media: false,
    config: {
      booths: [
        { boothId: 'A', tokenHash, pharmacy: { name: 'A', city: 'X' } },
        { boothId: 'B', tokenHash, pharmacy: { name: 'B', city: 'Y' } },
      ],
      specialists: [],
      media: { listenIp: '127.0.0.1', rtcMinPort: 40000, rtcMaxPort: 40999, workers: 0 },
      allowedOrigins: [],
      dataDir,
    },
  });
  const record = hub.record.repo;
  return { hub, record };
}
