/**
 * No English text from the hub reaches the doctor (French-speaking): every
 * refusal of the hub's media and room methods becomes a French sentence by
 * its code; the consultation methods' own French messages are kept.
 */
import { describe, expect, it } from 'vitest';
import { ConsoleError, frenchError, mediaErrorText } from '../../../../src/renderer/console/src/errors';

/** What the hub's media and room methods answer (src/hub/media, src/hub/peer.ts), code and English text. */
const HUB_REFUSALS: [string, string][] = [
  ['NOT_FOUND', 'no such transport in your room'],
  ['NOT_FOUND', 'no such producer in your room'],
  ['ELSEWHERE', 'this consultation is held by another console of yours: take it over (room.takeOver) first'],
  ['NO_ROOM', 'you have not claimed a booth'],
  ['MEDIA_RESTARTING', 'the call is being restored: wait for room.resumed, then start again'],
  ['MEDIA_REFUSED', 'cannot consume this producer with these capabilities'],
  ['LIMIT', 'too many transports'],
  ['BUSY', 'end your current consultation before claiming another booth'],
  ['NOT_WAITING', 'this booth is not waiting (already claimed or gone)'],
  ['BOOTH_OFFLINE', 'this booth is momentarily offline: try again in a few seconds'],
  ['TIMEOUT', 'media.consume: no answer'],
  ['INTERNAL', 'internal error'],
  ['SOMETHING_NEW', 'a code the console does not know yet'],
];

describe('errors as the doctor reads them', () => {
  it('never shows the hub’s English text for a media or room refusal', () => {
    for (const [code, english] of HUB_REFUSALS) {
      for (const method of ['media.connectTransport', 'room.takeOver', 'queue.claim']) {
        const fr = frenchError(method, code, english);
        expect(fr, code).not.toContain(english);
        expect(fr, code).not.toMatch(/\b(no such|your room|the call|booth|transport)\b/i);
        expect(fr.length, code).toBeGreaterThan(20);
      }
    }
    expect(frenchError('media.connectTransport', 'NOT_FOUND', 'no such transport in your room')).toBe('La liaison vidéo a changé entre-temps : elle se rétablit d’elle-même ; si l’image ne revient pas, rechargez la page.');
  });

  it('says what a claim refused by a hub node of a network means, rather than a bare code', () => {
    const fenced = frenchError('queue.claim', 'NODE_FENCED', 'this hub node lost its place in the network; your console reconnects to another node');
    expect(fenced).not.toContain('NODE_FENCED');
    expect(fenced).toMatch(/reconnect/);
    const unsaved = frenchError('queue.claim', 'CLAIM_NOT_SAVED', 'the hub could not save this claim: try again in a few seconds');
    expect(unsaved).not.toContain('CLAIM_NOT_SAVED');
    expect(unsaved).toMatch(/réessayez/);
  });

  it('keeps the consultation methods’ French messages, which say what to do', () => {
    const msg = 'La cabine est hors ligne : la demande n’a pas été envoyée. Attendez son retour (l’indicateur de connexion) puis redemandez la mesure.';
    expect(frenchError('consult.requestMeasurement', 'BOOTH_OFFLINE', msg)).toBe(msg);
    expect(frenchError('consult.prescribe', 'INTERNAL', 'internal error')).not.toContain('internal error');
  });

  it('words the browser’s own media failures in French', () => {
    expect(mediaErrorText(new ConsoleError('ELSEWHERE', 'La consultation est ouverte dans un autre onglet : reprenez-la ici pour continuer.'))).toContain('autre onglet');
    expect(mediaErrorText(Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' }))).toContain('caméra ou au micro');
    expect(mediaErrorText(new Error('InvalidStateError: transport closed'))).not.toContain('InvalidStateError');
  });
});
