/**
 * `npm run admin -- journal <command>`: the access journal seen by the
 * operator — verify the chain, show or export its head, list accesses (a
 * patient's sessions or cases, an account's actions). `list` reads who saw
 * which patient's data: it is itself journaled (actor `admin`, the operator)
 * before anything is printed.
 */
import { parseArgs } from 'node:util';
import type { JournalEntry, JournalHead, JournalQuery } from '../journal/types';
import type { AdminCommands } from './types';

function headLine(head: JournalHead | null): string {
  return head ? `seq ${head.seq}  mac ${head.mac}  at ${new Date(head.at).toISOString()}  node ${head.node}` : 'empty (no entry yet)';
}

function entryLine(e: JournalEntry): string {
  const ids = [
    e.sessionId && `session=${e.sessionId}`, e.caseId && `case=${e.caseId}`, e.boothId && `booth=${e.boothId}`,
    e.resourceId && `id=${e.resourceId}`, e.reason && `reason=${e.reason}`, e.from && `from=${e.from}`,
  ].filter(Boolean).join(' ');
  return `${e.seq}\t${new Date(e.at).toISOString()}\t${e.actor.role}:${e.actor.id ?? '-'}\t${e.action}\t${e.resource}\t${e.outcome}${ids ? `\t${ids}` : ''}`;
}

const LIST_USAGE = 'journal list [--session <id>]... [--case <id>]... [--actor <account id>] [--since <ISO date>] [--until <ISO date>] [--limit <n>]';

export const commands: AdminCommands = {
  verify: {
    summary: 'walks the chain and holds it against the last exported head; exit 1 naming the first broken entry',
    usage: 'journal verify',
    async run(ctx, args) {
      if (args.length) {
        ctx.out('usage: journal verify');
        return 2;
      }
      const r = await ctx.journal.verify();
      if (r.ok) {
        ctx.out(`journal OK: ${r.entries} entries, head ${headLine(r.head)}`);
        return 0;
      }
      ctx.out(`journal BROKEN at entry ${r.brokenAt} (${r.problem}): ${r.message}`);
      return 1;
    },
  },
  head: {
    summary: 'prints the current head (last seq and its MAC)',
    usage: 'journal head',
    async run(ctx) {
      ctx.out(headLine(await ctx.journal.head()));
      return 0;
    },
  },
  'export-head': {
    summary: 'appends the current head to this node\'s heads file now',
    usage: 'journal export-head',
    async run(ctx) {
      const head = await ctx.journal.exportHead();
      ctx.out(head ? `exported ${headLine(head)}` : 'nothing to export: the journal is empty');
      return 0;
    },
  },
  list: {
    summary: 'lists entries by session, case, account or period (a patient\'s accesses)',
    usage: LIST_USAGE,
    async run(ctx, args) {
      const spec = {
        session: { type: 'string', multiple: true }, case: { type: 'string', multiple: true }, actor: { type: 'string' },
        since: { type: 'string' }, until: { type: 'string' }, limit: { type: 'string' },
      } as const;
      let v;
      try {
        v = parseArgs({ args, options: spec, strict: true, allowPositionals: false }).values;
      } catch (error) {
        ctx.out(`${(error as Error).message}\nusage: ${LIST_USAGE}`);
        return 2;
      }
      const query: JournalQuery = {};
      if (v.session) query.sessionIds = v.session;
      if (v.case) query.caseIds = v.case;
      if (v.actor) query.actorId = v.actor;
      for (const [name, field] of [['since', 'since'], ['until', 'until']] as const) {
        const text = v[name];
        if (text === undefined) continue;
        const t = Date.parse(text);
        if (Number.isNaN(t)) {
          ctx.out(`--${name} "${text}" is not a date: write it as 2026-12-01 or 2026-12-01T08:00:00Z\nusage: ${LIST_USAGE}`);
          return 2;
        }
        query[field] = t;
      }
      if (v.limit !== undefined) {
        const n = Number(v.limit);
        if (!Number.isInteger(n) || n < 1) {
          ctx.out(`--limit "${v.limit}" is not a positive whole number\nusage: ${LIST_USAGE}`);
          return 2;
        }
        query.limit = n;
      }
      // Reading who saw a patient's data is itself an access: written before anything is shown.
      await ctx.journal.record({
        actor: { role: 'admin', id: ctx.operator }, action: 'read', resource: 'journal', outcome: 'allowed',
        ...(query.sessionIds?.length === 1 ? { sessionId: query.sessionIds[0] } : {}),
        ...(query.caseIds?.length === 1 ? { caseId: query.caseIds[0] } : {}),
        ...(query.actorId !== undefined ? { resourceId: query.actorId } : {}),
      });
      const entries = await ctx.journal.list(query);
      for (const e of entries) ctx.out(entryLine(e));
      ctx.out(`${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`);
      return 0;
    },
  },
};
