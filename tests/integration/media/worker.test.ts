// The mediasoup worker we build ourselves (scripts/build-mediasoup-worker.mjs,
// recipe in shared/notes/mediasoup-worker.md) starts, serves a WebRTC
// transport on loopback, and shuts down cleanly; and the build script's cache
// check tells a real worker from a broken file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as mediasoup from 'mediasoup';
import { MEDIA_CODECS } from '../../../src/hub/media/workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive } from '../../helpers/process';

/** The part of the build script's API these tests use (the script is plain ESM, untyped). */
interface BuildScript {
  ensureMediasoupWorker(options?: { log?: (message: string) => void }): Promise<string>;
  isValidWorkerBinary(file: string): boolean;
  patchDtlsTransport(source: string): string;
  workerPaths(): { cachedBinary: string; installedBinary: string; workerSourceDir: string };
}

const SCRIPT_URL = pathToFileURL(path.resolve(import.meta.dirname, '../../../scripts/build-mediasoup-worker.mjs')).href;

// Building from nothing takes ~4 min on 2 idle cores, ~10 min on a busy machine.
const BUILD_TIMEOUT_MS = 30 * 60_000;


let script: BuildScript;
let workerBinary: string;
let scratch: string;

beforeAll(async () => {
  // mediasoup reads MEDIASOUP_WORKER_BIN when it is imported and runs it verbatim.
  expect(process.env.MEDIASOUP_WORKER_BIN, 'MEDIASOUP_WORKER_BIN=skip must never be left set').not.toBe('skip');
  script = (await import(SCRIPT_URL)) as BuildScript;
  workerBinary = await script.ensureMediasoupWorker();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cabine-worker-test-'));
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

describe('self-built mediasoup worker', () => {
  it('is installed where mediasoup looks for it', () => {
    expect(mediasoup.workerBin).toBe(workerBinary);
    expect(script.isValidWorkerBinary(workerBinary)).toBe(true);
  });

  it('serves a WebRTC transport on loopback for opus, VP8 and H264, then shuts down cleanly', async () => {
    const errors: string[] = [];
    mediasoup.setLogEventListeners({
      onerror: (namespace, log, error) => errors.push(`${namespace} ${log}${error ? `: ${error.message}` : ''}`),
    });

    const worker = await mediasoup.createWorker({ logLevel: 'warn' });
    let died: Error | undefined;
    worker.on('died', (error) => {
      died = error;
    });
    const subprocessClosed = new Promise<void>((resolve) => worker.on('subprocessclose', () => resolve()));
    expect(alive(worker.pid)).toBe(true);

    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    const mimeTypes = router.rtpCapabilities.codecs?.map((codec) => codec.mimeType) ?? [];
    expect(mimeTypes).toEqual(expect.arrayContaining(['audio/opus', 'video/VP8', 'video/H264']));

    const transport = await router.createWebRtcTransport({
      listenInfos: [
        { protocol: 'udp', ip: '127.0.0.1' },
        { protocol: 'tcp', ip: '127.0.0.1' },
      ],
    });

    // One host candidate per listen info, all on loopback.
    expect(transport.iceCandidates).toHaveLength(2);
    expect(transport.iceCandidates.map((c) => c.protocol).sort()).toEqual(['tcp', 'udp']);
    for (const candidate of transport.iceCandidates) {
      expect(candidate.address).toBe('127.0.0.1');
      expect(candidate.port).toBeGreaterThan(0);
      expect(candidate.type).toBe('host');
    }
    expect(transport.iceParameters.usernameFragment).not.toBe('');
    expect(transport.iceParameters.password).not.toBe('');

    // DTLS: the worker's own certificate, fingerprinted with sha-256 among others.
    expect(transport.dtlsParameters.role).toBe('auto');
    const sha256 = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256');
    expect(sha256?.value).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(transport.dtlsState).toBe('new');

    transport.close();
    expect(transport.closed).toBe(true);
    router.close();
    expect(router.closed).toBe(true);
    worker.close();
    expect(worker.closed).toBe(true);

    await subprocessClosed;
    expect(died).toBeUndefined();
    expect(worker.died).toBe(false);
    expect(worker.subprocessClosed).toBe(true);
    expect(alive(worker.pid)).toBe(false);
    expect(errors).toEqual([]);
    mediasoup.setLogEventListeners();
  });
});

describe('worker cache validation', () => {
  it('rejects a cached binary that is garbage', () => {
    const garbage = path.join(scratch, 'garbage');
    fs.writeFileSync(garbage, 'this is not an ELF file\n');
    fs.chmodSync(garbage, 0o755);
    expect(script.isValidWorkerBinary(garbage)).toBe(false);
  });

  it('rejects a truncated copy of the real worker', () => {
    const truncated = path.join(scratch, 'truncated');
    fs.writeFileSync(truncated, fs.readFileSync(workerBinary).subarray(0, 64 * 1024));
    fs.chmodSync(truncated, 0o755);
    expect(script.isValidWorkerBinary(truncated)).toBe(false);
  });

  it('rejects a program that runs but is not the worker, and a missing file', () => {
    expect(script.isValidWorkerBinary('/bin/true')).toBe(false);
    expect(script.isValidWorkerBinary(path.join(scratch, 'does-not-exist'))).toBe(false);
  });

  it('accepts the real worker, both cached and installed', () => {
    const { cachedBinary, installedBinary } = script.workerPaths();
    expect(script.isValidWorkerBinary(cachedBinary)).toBe(true);
    expect(script.isValidWorkerBinary(installedBinary)).toBe(true);
  });
});

describe('DTLS source patch', () => {
  it('fixes the BIO_CB_RETURN test in onSslBioOut of the shipped sources', () => {
    const file = path.join(script.workerPaths().workerSourceDir, 'src/RTC/DtlsTransport.cpp');
    const patched = script.patchDtlsTransport(fs.readFileSync(file, 'utf8'));
    expect(patched).toContain('((operationType & BIO_CB_RETURN) != 0)');
    expect(patched).not.toContain('(operationType == BIO_CB_RETURN)');
  });

  it('fails loudly when the patch target is gone', () => {
    const source = 'inline static long onSslBioOut(\n  BIO* bio)\n{\n\treturn 1;\n}\n';
    expect(() => script.patchDtlsTransport(source)).toThrow(/DTLS patch/);
  });
});
