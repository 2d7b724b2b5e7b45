/**
 * `npm run admin -- keys <command>`: the hub's data keys (../keys/rotation.ts).
 * - `rotate [record|state|journal|search|all]`: a new key now, old rows
 *   re-sealed (record, state) or the index re-hashed (search); the journal
 *   key only gains a key. The running hubs pick the new key up from the
 *   shared key file within a second.
 * - `finish [record|state|search|all]`: re-seals what is left and retires
 *   the old keys nothing uses any more (also done by the hub's daily check).
 * - `status`: each key file's keys, their ages, the rows on each, the rows
 *   left on old keys.
 * Every step is journaled with the operator as actor (`admin`).
 */
import { HubKeyRotations, HUB_KEY_FILES, HUB_KEYS, type HubKeyName } from '../keys/rotation';
import { patientIndexRehash, recordHeld } from '../record/search-rehash';
import type { AdminCommands, AdminContext } from './types';

const TARGETS = [...HUB_KEYS, 'all'] as const;

function parseTarget(ctx: AdminContext, args: string[]): HubKeyName[] | 'all' | null {
  const target = args[0] ?? 'all';
  if (!(TARGETS as readonly string[]).includes(target) || args.length > 1) {
    ctx.out(`Clé inconnue « ${String(args.join(' ')).slice(0, 40)} » : choisissez ${TARGETS.join(', ')}. / Unknown key: choose ${TARGETS.join(', ')}.`);
    return null;
  }
  return target === 'all' ? 'all' : [target as HubKeyName];
}

function open(ctx: AdminContext): HubKeyRotations {
  const { config } = ctx;
  // The search key's rotation re-hashes the patient index through the record the command opened.
  const searchIndex = patientIndexRehash(ctx.stores.record, { hasRecord: () => recordHeld(config) });
  return HubKeyRotations.open({ config, journal: ctx.journal, actor: { role: 'admin', id: ctx.operator }, log: ctx.log, searchIndex });
}

async function status(ctx: AdminContext, rotations: HubKeyRotations, names: HubKeyName[]): Promise<number> {
  let left = 0;
  for (const name of names) {
    const s = await rotations.get(name)!.status();
    left += s.rowsOnOldKeys;
    const keys = s.keys.map((k) => `#${k.id}${k.current ? ' (current)' : ''} ${k.ageDays} d, ${k.rows} rows`).join('; ');
    ctx.out(`${s.name}: ${keys}; rows on old keys: ${s.rowsOnOldKeys}`);
  }
  return left;
}

/** Runs `rotate` or `finish` for the named keys; 0 when nothing is left on an old key, 1 otherwise. */
async function drive(ctx: AdminContext, args: string[], step: 'rotate' | 'run'): Promise<number> {
  const target = parseTarget(ctx, args);
  if (!target) return 2;
  const rotations = open(ctx);
  try {
    const names = target === 'all' ? rotations.names() : target;
    for (const name of names) {
      const rotation = rotations.get(name);
      if (!rotation) {
        ctx.out(`${HUB_KEY_FILES[name]} : absent du dossier des clés, rien à faire. / not in the key folder (or its store holds nothing yet): nothing to rotate.`);
        return 2;
      }
      const done = await rotations.exclusive(rotation.name, () => (step === 'rotate' ? rotation.rotate() : rotation.run()));
      if (!done.ran) {
        ctx.out(`${rotation.name} : un autre nœud du hub fait déjà tourner cette clé ; réessayez plus tard. / another hub node is rotating this key; try again later.`);
        return 1;
      }
    }
    const left = await status(ctx, rotations, names);
    if (left > 0) ctx.out('Des lignes restent sur une ancienne clé (illisibles, ou écrites pendant la rotation) : relancez `keys finish`. / Rows are left on an old key: run `keys finish` again.');
    return left > 0 ? 1 : 0;
  } finally {
    await rotations.close();
  }
}

export const commands: AdminCommands = {
  rotate: {
    summary: 'adds a new data key and re-seals old rows with it (record, state), re-hashes the index (search), or adds a key (journal)',
    usage: '[record|state|journal|search|all]',
    run: (ctx, args) => drive(ctx, args, 'rotate'),
  },
  finish: {
    summary: 're-seals what is left on old keys and retires the keys no row uses any more',
    usage: '[record|state|journal|search|all]',
    run: (ctx, args) => drive(ctx, args, 'run'),
  },
  status: {
    summary: 'lists each key file\'s keys, their ages and the rows left on old keys',
    usage: '',
    run: async (ctx, args) => {
      if (args.length > 0) {
        ctx.out('`keys status` ne prend pas d’argument. / `keys status` takes no argument.');
        return 2;
      }
      const rotations = open(ctx);
      try {
        const left = await status(ctx, rotations, rotations.names());
        return left > 0 ? 1 : 0;
      } finally {
        await rotations.close();
      }
    },
  },
};
