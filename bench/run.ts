/**
 * `npm run bench`: runs every `bench/*.bench.ts`, prints one table and writes
 * it to bench/results/latest.md, each figure beside the baseline measured in
 * the same run, with the machine's core count and Node version.
 * `npm run bench -- store devices` runs only those areas.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchResult } from './types';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).filter((f) => only.length === 0 || only.some((o) => f.startsWith(o))).sort();

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(3);
}

const rows: BenchResult[] = [];
const failures: string[] = [];
for (const file of files) {
  process.stderr.write(`[bench] ${file}…\n`);
  try {
    const mod = (await import(pathToFileURL(join(here, file)).href)) as { run: () => Promise<BenchResult[]> };
    const results = await mod.run();
    rows.push(...results);
    for (const r of results) process.stderr.write(`  ${r.name}: ${fmt(r.value)} ${r.unit}\n`);
  } catch (error) {
    failures.push(`${file}: ${(error as Error).message}`);
    process.stderr.write(`[bench] ${file} failed: ${(error as Error).stack}\n`);
  }
}

const header = `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString()}`;
const lines = [
  '| area | measure | value | unit | baseline (same run) | baseline value | ratio | note |',
  '|---|---|---:|---|---|---:|---:|---|',
  ...rows.map((r) => {
    const ratio = r.baseline && r.baseline.value !== 0 ? `${(r.value / r.baseline.value).toFixed(2)}×` : '';
    return `| ${r.area} | ${r.name} | ${fmt(r.value)} | ${r.unit} | ${r.baseline?.name ?? ''} | ${r.baseline ? fmt(r.baseline.value) : ''} | ${ratio} | ${r.note ?? ''} |`;
  }),
];
// Every figure stands beside a baseline from the same run; a row without one is called out, not hidden.
const unpaired = rows.filter((r) => !r.baseline).map((r) => `${r.area}: ${r.name}`);
// The soak is too long for this run (npm run soak); its last verdict is quoted so the report stays one page.
const soakFile = join(here, 'results/soak.md');
const soak = existsSync(soakFile) ? readFileSync(soakFile, 'utf8').split('\n') : [];
const soakSummary = soak.length
  ? ['## Soak (last `npm run soak`, bench/results/soak.md)', '', ...soak.filter((l) => l.startsWith('Machine:')), '', ...soak.filter((l) => l.startsWith('| verdict') || l.startsWith('|---|---|') || /^\| (pass|FAIL|info) \|/.test(l)), '']
  : [];
const md = [
  `# Benchmarks`, '', header, '', ...lines, '',
  ...(unpaired.length ? ['Without a baseline (fix the bench):', ...unpaired.map((u) => `- ${u}`), ''] : []),
  ...soakSummary,
  ...(failures.length ? ['Failed:', ...failures.map((f) => `- ${f}`)] : []),
].join('\n');
mkdirSync(join(here, 'results'), { recursive: true });
const latest = join(here, 'results/latest.md');
if (only.length === 0 || !existsSync(latest)) writeFileSync(latest, md + '\n');
else if (rows.length) writeFileSync(latest, merged(readFileSync(latest, 'utf8')));

/**
 * A run of some areas (`npm run bench -- capacity`) replaces those areas'
 * rows in the last full report and keeps every other row, with a line
 * saying when the replaced areas were run.
 */
function merged(previous: string): string {
  const areas = new Set(rows.map((r) => r.area));
  const old = previous.split('\n');
  const top = old.findIndex((l) => l.startsWith('| area |'));
  if (top < 0) return md + '\n';
  let end = top + 2;
  while (end < old.length && old[end]!.startsWith('|')) end++;
  const others = old.slice(top + 2, end).filter((l) => !areas.has(l.split('|')[1]!.trim()));
  const said = (l: string): boolean => [...areas].some((a) => l.startsWith(`Rows of ${a}: `));
  const before = old.slice(0, top + 2).filter((l, i, all) => !said(l) && !(l === '' && said(all[i + 1] ?? '')));
  const machine = before.findIndex((l) => l.startsWith('Machine:'));
  const when = [...areas].map((a) => `Rows of ${a}: run alone (\`npm run bench -- ${only.join(' ')}\`), on ${header.replace(/^Machine: /, '')}.`);
  before.splice(machine + 1, 0, ...when.flatMap((w) => ['', w]));
  return [...before, ...others, ...lines.slice(2), ...old.slice(end)].join('\n');
}
process.stdout.write(md + '\n');
process.exit(failures.length ? 1 : 0);
