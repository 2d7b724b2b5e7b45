/**
 * The operator's commands (`npm run admin -- <group> <command> [args]`,
 * dispatched by ./main.ts): the journal (verify, export the head, list), a
 * patient's accesses and GDPR export, retention and backups, key rotation.
 * Each group is a module exporting `AdminCommands`; every command that reads
 * or changes patient data is journaled with the operator as actor (`admin`).
 */
import type { Logger } from 'pino';
import type { HubConfig } from '../directory';
import type { AccessJournal } from '../journal/types';
import type { HubStores } from '../stores';

export interface AdminContext {
  config: HubConfig;
  stores: HubStores;
  journal: AccessJournal;
  log: Logger;
  /** Who runs the command (`--as`, else the OS user): the journal's actor. */
  operator: string;
  /** Standard output (tests capture it). */
  out(line: string): void;
}

export interface AdminCommand {
  /** One line for the help listing. */
  summary: string;
  /** The arguments, e.g. `--nir <15 characters> | --name <birth name> --birth-date <YYYY-MM-DD>`. */
  usage: string;
  /** Runs; resolves to the process's exit code (0 done, 1 a finding such as a broken chain, 2 bad arguments). */
  run(ctx: AdminContext, args: string[]): Promise<number>;
}

export type AdminCommands = Record<string, AdminCommand>;
