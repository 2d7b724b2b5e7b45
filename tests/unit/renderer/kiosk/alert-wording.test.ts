/**
 * The kiosk promises the pharmacist only when an alert was really raised:
 * "nous prévenons le pharmacien" while it is raised, "le pharmacien arrive"
 * once someone acknowledged it (alert.* messages, shown from the snapshot's
 * alert). No other message — banner, recovery screen, video card, spoken
 * prompt — may claim the pharmacist was told, is coming or will do something.
 */
import { describe, expect, it } from 'vitest';
import { messages } from '../../../../src/renderer/kiosk/src/i18n';

/** "Told", "coming", or about to do something for the patient (who does what at the counter is not a claim). */
const CLAIMS = {
  fr: /pharmacien (est prévenu|a été prévenu|arrive|vient|va (vous aider|vérifier|le rebrancher|le dire|redémarrer|venir))|prévenons le pharmacien/i,
  en: /pharmacist (has been told|is coming|will (help|check|plug|tell|restart|come))|calling the pharmacist/i,
};
/**
 * Shown only for a raised (or acknowledged) alert; the incident screen and its
 * prompt exist only with one raised, and the emergency overlay's status line
 * is chosen from the emergency's own alert (Overlays.tsx, emergencyStatusKey).
 */
const ALERT_KEYS = /^(alert\.(raised|acknowledged|acknowledgedBy)|speak\.interrupted|assistant\.alert\..+|overlay\.emergency\.(calling|coming))$/;

describe('what the kiosk says about the pharmacist', () => {
  for (const lang of ['fr', 'en'] as const) {
    it(`claims the pharmacist was told or is coming only in the alert's own messages (${lang})`, () => {
      const claims = Object.entries(messages[lang]).filter(([key, text]) => !ALERT_KEYS.test(key) && CLAIMS[lang].test(text)).map(([key]) => key);
      expect(claims).toEqual([]);
    });
  }

  it('has the alert messages in both languages', () => {
    expect(messages.fr['alert.raised']).toMatch(/^Nous prévenons le pharmacien/);
    expect(messages.fr['alert.acknowledged']).toBe('Le pharmacien arrive.');
    expect(messages.en['alert.raised']).toMatch(/^We are calling the pharmacist/);
  });
});
