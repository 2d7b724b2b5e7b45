/**
 * Which recovery screen a device problem gets: its own title and fix when the
 * catalogue has them (cuff too loose, finger out, timeout…), else a generic
 * one. Device error codes come from devices/contracts.ts; quality flags from
 * the reading (domain READING_FLAGS).
 */
import { hasKey, type MessageKey } from './i18n';

export function recoveryKeys(code: string | null): { title: MessageKey; fix: MessageKey } {
  const base = code && hasKey(`recovery.${code}.title`) ? code : 'other';
  return { title: `recovery.${base}.title` as MessageKey, fix: `recovery.${base}.fix` as MessageKey };
}
