/**
 * Every device problem the host can report gets a recovery screen of its own,
 * in French and English, and every spoken message is text on screen.
 */
import { describe, expect, it } from 'vitest';
import { DEVICE_ERROR_CODES } from '../../../../devices/contracts';
import { messages, t } from '../../../../src/renderer/kiosk/src/i18n';
import { recoveryKeys } from '../../../../src/renderer/kiosk/src/recovery';

/** The reading flags the host turns into a recovery screen (src/host/host.ts RECOVERABLE_FLAGS). */
const FLAGS = ['cuff-too-loose', 'improper-position', 'body-movement', 'finger-out', 'low-perfusion', 'sensor-fault', 'out-of-range'];

describe('kiosk recovery screens', () => {
  it('has its own title and fix, in both languages, for every device error code and quality flag', () => {
    for (const code of [...DEVICE_ERROR_CODES, 'DEVICE_NOT_CONFIGURED', ...FLAGS]) {
      const keys = recoveryKeys(code);
      expect(keys.title, code).toBe(`recovery.${code}.title`);
      for (const lang of ['fr', 'en'] as const) {
        expect(t(lang, keys.title).length, `${lang} ${code}`).toBeGreaterThan(5);
        expect(t(lang, keys.fix).length, `${lang} ${code}`).toBeGreaterThan(5);
      }
    }
  });

  it('falls back to a generic recovery for an unknown code', () => {
    expect(recoveryKeys('SOMETHING_NEW')).toEqual({ title: 'recovery.other.title', fix: 'recovery.other.fix' });
    expect(recoveryKeys(null).title).toBe('recovery.other.title');
  });

  it('says "Le brassard est mal placé" for a loose or misplaced cuff', () => {
    expect(t('fr', recoveryKeys('cuff-too-loose').title)).toBe('Le brassard est mal placé');
    expect(t('fr', recoveryKeys('improper-position').title)).toBe('Le brassard est mal placé');
  });

  it('has the same keys in French and English, with no untranslated copy of the French', () => {
    expect(Object.keys(messages.en).sort()).toEqual(Object.keys(messages.fr).sort());
    const same = Object.keys(messages.fr).filter((k) => messages.fr[k as keyof typeof messages.fr] === messages.en[k as keyof typeof messages.en]);
    // Language names are written in their own language; "Consultation" is the same word in both.
    expect(same.filter((k) => !k.startsWith('language.') && messages.fr[k as keyof typeof messages.fr] !== 'Consultation')).toEqual([]);
  });
});
