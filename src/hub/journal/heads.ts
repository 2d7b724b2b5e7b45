/**
 * The exported heads: one JSON line `{seq, mac, at, node}` per export,
 * appended to `heads-<node>.jsonl` in the head folder (each node its own
 * file, so nodes never write the same file) and flushed to disk before the
 * export is reported done. verify() reads every `heads-*.jsonl` there and
 * holds the chain against the furthest head any node exported.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalHead } from './types';

export function headFile(dir: string, node: string): string {
  return join(dir, `heads-${node.replace(/[^A-Za-z0-9._-]/g, '_')}.jsonl`);
}

export function appendHead(dir: string, head: JournalHead): void {
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  const fd = openSync(headFile(dir, head.node), 'a', 0o640);
  try {
    writeSync(fd, `${JSON.stringify({ seq: head.seq, mac: head.mac, at: head.at, node: head.node })}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function isHead(v: unknown): v is JournalHead {
  const h = v as JournalHead;
  return typeof v === 'object' && v !== null && Number.isInteger(h.seq) && h.seq > 0
    && typeof h.mac === 'string' && /^[0-9a-f]{64}$/.test(h.mac) && typeof h.at === 'number' && typeof h.node === 'string';
}

/**
 * The furthest head exported by any node (highest seq, then latest), null
 * when none was. A line that does not parse (a write cut by a crash) is
 * skipped: the heads before it still hold.
 */
export function lastExportedHead(dir: string): JournalHead | null {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^heads-.+\.jsonl$/.test(n));
  } catch {
    return null;
  }
  let best: JournalHead | null = null;
  for (const name of names) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        continue;
      }
      if (!isHead(v)) continue;
      if (!best || v.seq > best.seq || (v.seq === best.seq && v.at > best.at)) best = v;
    }
  }
  return best;
}
