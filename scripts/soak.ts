/**
 * `npm run soak`: 1,000 complete simulated sessions through a real host and
 * hub (see soak-core.ts), every 50th a real two-page Chromium call. Prints
 * the samples and the verdict and writes bench/results/soak.md. Exits 1 if a
 * reading was lost or duplicated, or the heap grew 2 MiB or more per 100
 * sessions after the warm-up. `SOAK_SESSIONS=200 npm run soak` for a shorter run.
 * Run with --expose-gc (the npm script does) so samples are taken after a full GC.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSoak } from './soak-core';

const SESSIONS = Number(process.env.SOAK_SESSIONS ?? 1000);
const HEAP_BUDGET_MIB_PER_100 = 2;

const result = await runSoak({ sessions: SESSIONS, realCallEvery: 50, sampleEvery: 50, warmup: 100, progress: (l) => process.stderr.write(`${l}\n`) });
const f = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : String(n));
const heapOk = result.heapSlopeMiBPer100 < HEAP_BUDGET_MIB_PER_100;
const ok = result.lost === 0 && result.duplicated === 0 && heapOk;
const md = [
  '# Soak',
  '',
  `Machine: ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}; ${f(result.durationS, 0)} s; GC exposed: ${result.gcExposed}.`,
  '',
  `${result.sessions} complete sessions (attract → identity → waiting room → claim → call signaling → measurements → wrap-up → privacy wipe) through a real host and hub: ${result.realCalls} real two-page Chromium calls, ${result.rtpCalls} calls fed by a loopback RTP sender (${f(result.rtpBytesForwarded / 1024 / 1024, 1)} MiB forwarded by the SFU).`,
  '',
  '| verdict | figure | value | budget |',
  '|---|---|---:|---|',
  `| ${heapOk ? 'pass' : 'FAIL'} | heap slope after ${100} warm-up sessions (least squares) | ${f(result.heapSlopeMiBPer100, 3)} MiB / 100 sessions | < ${HEAP_BUDGET_MIB_PER_100} |`,
  `| info | RSS slope after warm-up | ${f(result.rssSlopeMiBPer100, 3)} MiB / 100 sessions | |`,
  `| ${result.lost === 0 ? 'pass' : 'FAIL'} | readings lost (shown on the kiosk, absent from the hub record) | ${result.lost} of ${result.readingsShown} | 0 |`,
  `| ${result.duplicated === 0 ? 'pass' : 'FAIL'} | readings duplicated in the record | ${result.duplicated} (record holds ${result.readingsInRecord}) | 0 |`,
  `| info | open file descriptors, spread after warm-up | ${result.fdSpreadAfterWarmup} | flat |`,
  '',
  '| sessions | heap MiB | RSS MiB | fds | booth.db+wal MiB (retention 1 day, clock +1 h/session) | record.db+wal MiB | worker RSS MiB |',
  '|---:|---:|---:|---:|---:|---:|---:|',
  ...result.samples.map((s) => `| ${s.session} | ${f(s.heapMiB)} | ${f(s.rssMiB, 1)} | ${s.fds} | ${f(s.boothDbMiB)} | ${f(s.recordDbMiB)} | ${f(s.workerRssMiB, 1)} |`),
  '',
].join('\n');
const here = dirname(fileURLToPath(import.meta.url));
mkdirSync(join(here, '../bench/results'), { recursive: true });
if (SESSIONS >= 1000) writeFileSync(join(here, '../bench/results/soak.md'), md);
process.stdout.write(md);
process.exit(ok ? 0 : 1);
