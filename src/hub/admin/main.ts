/**
 * The operator's command line:
 *   npm run admin -- [--config hub-config/default.json] [--as <operator>] <group> <command> [args]
 * Loads the hub config, opens the stores and the journal as a hub node does
 * (the same files or database, the same keys), runs one command with the
 * operator as the journal's actor (`--as`, else the OS user), closes them and
 * exits with the command's code: 0 done, 1 a finding (a broken chain), 2 bad
 * arguments or a store out of reach. No argument, `help` or an unknown
 * command prints the list of commands.
 *
 * GROUPS is the registry: each group is a module exporting `commands`.
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../node/logger';
import { codeOf, ConfigError, isCabineError } from '../../shared/errors';
import { loadHubConfig } from '../directory';
import { openJournal } from '../journal/journal';
import { openHubStores } from '../stores';
import { commands as journal } from './journal';
import { commands as keys } from './keys';
import { commands as patient } from './patient';
import { commands as retention } from './retention';
import type { AdminCommands, AdminContext } from './types';

/** The command groups, by name (`npm run admin -- <group> <command>`). */
export const GROUPS: Record<string, AdminCommands> = {
  journal,
  keys,
  patient,
  retention,
};

const root = resolve(fileURLToPath(import.meta.url), '../../../..');

export function helpText(groups: Record<string, AdminCommands> = GROUPS): string {
  const lines = ['usage: npm run admin -- [--config <hub config file>] [--as <operator>] <group> <command> [args]', '', 'commands:'];
  for (const [group, cmds] of Object.entries(groups)) {
    for (const [name, cmd] of Object.entries(cmds)) lines.push(`  ${group} ${name}  —  ${cmd.summary}`, `      ${cmd.usage}`);
  }
  return lines.join('\n');
}

export interface AdminIo {
  out(line: string): void;
  err(line: string): void;
}

const stdio: AdminIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Runs one admin command line; resolves to the exit code. */
export async function runAdmin(argv: string[], io: AdminIo = stdio, groups: Record<string, AdminCommands> = GROUPS): Promise<number> {
  let configFile = resolve(root, 'hub-config/default.json');
  let operator = process.env.CABINE_OPERATOR ?? userInfo().username;
  const rest = [...argv];
  // The global options come before the group.
  while (rest[0]?.startsWith('--')) {
    const flag = rest.shift()!;
    if (flag === '--help') {
      io.out(helpText(groups));
      return 0;
    }
    const value = rest.shift();
    if ((flag !== '--config' && flag !== '--as') || value === undefined || value.startsWith('--')) {
      io.err(`${flag}: ${flag === '--config' || flag === '--as' ? 'needs a value' : 'unknown option'}\n\n${helpText(groups)}`);
      return 2;
    }
    if (flag === '--config') configFile = resolve(value);
    else operator = value;
  }
  const [groupName, commandName, ...args] = rest;
  if (groupName === undefined || groupName === 'help') {
    io.out(helpText(groups));
    return groupName === 'help' ? 0 : 2;
  }
  const command = groups[groupName]?.[commandName ?? ''];
  if (!command) {
    io.err(`${commandName === undefined ? `"${groupName}" needs a command` : `unknown command "${groupName} ${commandName}"`}\n\n${helpText(groups)}`);
    return 2;
  }
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(operator)) {
    io.err(`--as "${operator}": an operator name of letters, digits, ".", "_", "@" or "-" (at most 64)`);
    return 2;
  }
  const log = createLogger('hub.admin', process.stderr);
  log.level = process.env.CABINE_LOG_LEVEL ?? 'warn';
  let config;
  try {
    config = loadHubConfig(configFile);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 2;
    }
    throw error;
  }
  let stores;
  let journalOpened;
  try {
    stores = await openHubStores(config, log);
    try {
      // No periodic export from a short command; `journal export-head` exports on demand.
      journalOpened = await openJournal(config, log, { exportOnSchedule: false });
    } catch (error) {
      await stores.close();
      throw error;
    }
  } catch (error) {
    if (isCabineError(error) || codeOf(error)) {
      io.err(`cannot open the hub's data (${codeOf(error)}): ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
  const ctx: AdminContext = { config, stores, journal: journalOpened, log, operator, out: io.out };
  try {
    return await command.run(ctx, args);
  } catch (error) {
    io.err(`${groupName} ${commandName} failed${codeOf(error) ? ` (${codeOf(error)})` : ''}: ${(error as Error).message}`);
    return 2;
  } finally {
    await journalOpened.close();
    await stores.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void runAdmin(process.argv.slice(2)).then((code) => process.exit(code));
}
