/**
 * What the kiosk tells the patient about the people of the call: who the
 * doctor is (on the consent screen, then by name on the call), who ended it,
 * and the volume of the doctor's voice, which the next patient gets back at
 * its default.
 */
import { describe, expect, it } from 'vitest';
import { callEndedKey, doctorLine, doctorPhoto } from '../../../../src/renderer/kiosk/src/call-people';
import { DEFAULT_VOLUME, louder, quieter, VOLUME_LEVELS } from '../../../../src/renderer/kiosk/src/volume';
import { messages, t } from '../../../../src/renderer/kiosk/src/i18n';

const consentText = (lang: 'fr' | 'en') => Object.entries(messages[lang])
  .filter(([key]) => /^consent\.body/.test(key)).map(([, text]) => text).join(' ');

describe('the consent screen', () => {
  const facts = {
    fr: [/médecin inscrit en France/, /vous verrez son nom avant l’appel/i, /remboursée comme une consultation au cabinet/, /conditions habituelles/, /pharmacien reste/, /arrêter à tout moment/],
    en: [/doctor registered in France/, /see (their|the doctor’s) name before the call/i, /reimbursed like a consultation at the surgery/, /usual conditions/, /pharmacist stays/, /stop at any time/],
  };
  for (const lang of ['fr', 'en'] as const) {
    it(`says who the doctor is, that it is covered as usual, that the pharmacist stays near, and that the patient may stop (${lang})`, () => {
      const text = consentText(lang);
      for (const fact of facts[lang]) expect(text).toMatch(fact);
      // The button the patient stops with, named as on every screen.
      expect(text).toContain(lang === 'fr' ? `« ${messages.fr.cancel} »` : `"${messages.en.cancel}"`);
    });

    it(`speaks the same facts as it shows (${lang})`, () => {
      const spoken = messages[lang]['speak.consent'];
      const [registered, , reimbursed, , pharmacist, stop] = facts[lang];
      for (const fact of [registered, reimbursed, pharmacist, stop]) expect(spoken).toMatch(fact!);
    });
  }
});

describe('the doctor on the call screen', () => {
  it('names the doctor who claimed the booth with the specialty the hub gives', () => {
    expect(doctorLine({ name: 'Dr Claire Martin', specialty: 'Médecin généraliste' })).toBe('Dr Claire Martin · Médecin généraliste');
  });

  it('shows the name alone when the hub gives no specialty, and nothing without a name', () => {
    expect(doctorLine({ name: 'Dr Claire Martin', specialty: '' })).toBe('Dr Claire Martin');
    expect(doctorLine({ name: ' ', specialty: 'Dermatologie' })).toBeNull();
    expect(doctorLine(null)).toBeNull();
  });
});

describe("the doctor's photo on the call screen", () => {
  const photo = 'data:image/png;base64,iVBORw0KGgo=';

  it('shows the photo the hub sent, described by the doctor\'s name in the patient\'s language', () => {
    expect(doctorPhoto({ name: 'Dr Claire Martin', specialty: '', photo }, 'fr')).toEqual({ src: photo, alt: 'Photo du Dr Claire Martin' });
    expect(doctorPhoto({ name: 'Dr Claire Martin', specialty: '', photo }, 'en')).toEqual({ src: photo, alt: 'Photo of Dr Claire Martin' });
  });

  it('says "de" before a name without "Dr"', () => {
    expect(doctorPhoto({ name: 'Claire Martin', specialty: '', photo }, 'fr')?.alt).toBe('Photo de Claire Martin');
    expect(doctorPhoto({ name: 'Docteur Claire Martin', specialty: '', photo }, 'fr')?.alt).toBe('Photo du Docteur Claire Martin');
  });

  it('shows nothing when the doctor has no photo, or no name to describe it by', () => {
    expect(doctorPhoto({ name: 'Dr Claire Martin', specialty: 'Médecin généraliste' }, 'fr')).toBeNull();
    expect(doctorPhoto({ name: ' ', specialty: '', photo }, 'fr')).toBeNull();
    expect(doctorPhoto(null, 'fr')).toBeNull();
  });
});

describe('the wrap-up after the call', () => {
  it('says first that the doctor ended the consultation when they did', () => {
    expect(t('fr', callEndedKey('doctor'))).toBe('Le médecin a terminé la consultation.');
    expect(t('en', callEndedKey('doctor'))).toBe('The doctor has ended the consultation.');
  });

  it('says the connection ended it otherwise, never that the doctor did', () => {
    expect(t('fr', callEndedKey('connection'))).not.toBe(t('fr', callEndedKey('doctor')));
    expect(t('fr', callEndedKey('connection'))).toMatch(/connexion/i);
    expect(t('fr', callEndedKey(null))).toBe(messages.fr['call.closed']);
  });
});

describe('the volume of the doctor’s voice', () => {
  it('goes up and down by steps, within the levels a media element accepts', () => {
    expect(louder(DEFAULT_VOLUME)).toBeGreaterThan(DEFAULT_VOLUME);
    expect(quieter(DEFAULT_VOLUME)).toBeLessThan(DEFAULT_VOLUME);
    const top = VOLUME_LEVELS[VOLUME_LEVELS.length - 1]!;
    const bottom = VOLUME_LEVELS[0]!;
    expect(louder(top)).toBe(top);
    expect(quieter(bottom)).toBe(bottom);
    expect(top).toBeLessThanOrEqual(1);
    // Never silent: the patient must still hear the doctor at the lowest level.
    expect(bottom).toBeGreaterThan(0);
  });

  it('has the control’s words in both languages', () => {
    expect(messages.fr['volume.down']).toBe('Moins fort');
    expect(messages.fr['volume.up']).toBe('Plus fort');
    expect(messages.en['volume.down']).toBe('Quieter');
    expect(messages.en['volume.up']).toBe('Louder');
  });
});
