/**
 * The booth's side of `intake.update` (src/shared/intake-protocol.ts): the
 * counter's intake, handed over by the hub, becomes SET_INTAKE naming the
 * staff member, once the booth has checked the pharmacy, the session, the
 * step and the intake itself (against its own clock). Health data never goes
 * to the log: codes and fields only.
 *
 * With `deferred` ("Examen différé"), the same intake starts a forwarded
 * case instead of the live queue: the staff member becomes the case's
 * compiler (CaseCompiler), so a case from an unnamed account is refused.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../shared/clock';
import type { KioskConfig } from '../shared/config';
import { CabineError } from '../shared/errors';
import { acceptIntake } from '../shared/intake';
import { INTAKE, IntakeUpdate, type IntakeUpdateResult } from '../shared/intake-protocol';
import type { HubChannel } from './hub-link';
import type { HostSession } from './session';

/** An intake update the booth refuses (`code`: OTHER_PHARMACY, INVALID_INTAKE, CASE_WITHOUT_STAFF). */
export class IntakeUpdateError extends CabineError {}

export interface IntakeUpdateOptions {
  link: Pick<HubChannel, 'handle'>;
  session: Pick<HostSession, 'context' | 'flow' | 'send'>;
  config: Pick<KioskConfig, 'pharmacy'>;
  clock: Pick<Clock, 'now'>;
  log: Logger;
}

/** The envelope first; the intake is then judged against the booth's clock, so that each problem is said in words. */
const Envelope = IntakeUpdate.extend({ intake: z.unknown() });

const same = (a: string, b: string): boolean => a.trim().localeCompare(b.trim(), 'fr', { sensitivity: 'base' }) === 0;

export function registerIntakeUpdates(o: IntakeUpdateOptions): void {
  o.link.handle(INTAKE.update, (params): IntakeUpdateResult => {
    const parsed = Envelope.safeParse(params);
    if (!parsed.success) throw refusedIntake(parsed.error.issues.map((i) => i.path.map(String).join('.')));
    const { sessionId, staff } = parsed.data;
    if (!same(staff.pharmacy.name, o.config.pharmacy.name) || !same(staff.pharmacy.city, o.config.pharmacy.city)) {
      o.log.warn({ code: 'OTHER_PHARMACY', staffId: staff.staffId }, 'intake update refused');
      throw new IntakeUpdateError('OTHER_PHARMACY', {
        fr: 'Cette cabine appartient à une autre pharmacie : la prise en charge n’a pas été modifiée.',
        en: 'This booth belongs to another pharmacy: the intake was not changed.',
      });
    }
    const top = o.session.flow().split('.')[0];
    if (top !== 'identity' && top !== 'waitingRoom') return { accepted: false, reason: 'step' };
    if (o.session.context().sessionId !== sessionId) return { accepted: false, reason: 'session' };
    const checked = acceptIntake(parsed.data.intake, o.clock);
    if (!checked.ok) throw new IntakeUpdateError('INVALID_INTAKE', checked.message);
    const by = { via: 'counter' as const, staffId: staff.staffId, ...(staff.name ? { name: staff.name } : {}) };
    const { deferred } = parsed.data;
    if (deferred && !staff.name) {
      o.log.warn({ code: 'CASE_WITHOUT_STAFF', staffId: staff.staffId }, 'case refused: no staff name');
      throw new IntakeUpdateError('CASE_WITHOUT_STAFF', {
        fr: 'Un examen différé doit nommer la personne qui le constitue : ajoutez votre prénom à votre compte du comptoir, puis recommencez.',
        en: 'A deferred exam must name who compiles it: add your first name to your counter account, then try again.',
      });
    }
    const compiledBy = { staffId: staff.staffId, name: staff.name ?? '', pharmacy: staff.pharmacy };
    const accepted = o.session.send({
      type: 'SET_INTAKE', intake: checked.intake, by,
      ...(deferred ? { deferred: { request: deferred.request, consentAt: deferred.consentAt, compiledBy } } : {}),
    });
    o.log.info({ staffId: staff.staffId, accepted, deferred: !!deferred }, 'intake update from the counter');
    return accepted ? { accepted } : { accepted, reason: 'step' };
  });
}

function refusedIntake(fields: string[]): IntakeUpdateError {
  const list = [...new Set(fields.map((f) => f || '(root)'))].slice(0, 8).join(', ');
  return new IntakeUpdateError('INVALID_INTAKE', {
    fr: `Prise en charge refusée par la cabine : champs invalides (${list}).`,
    en: `Intake refused by the booth: invalid fields (${list}).`,
  });
}
