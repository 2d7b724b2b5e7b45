/** The catalogue of media, queue and room messages: what it accepts, what it refuses, and who relays what. */
import { describe, expect, it } from 'vitest';
import {
  MEDIA, MEDIA_NOTES, MEDIA_REQUESTS, MediaProtocolError, QUEUE, RELAYED_MEDIA_METHODS, ROOM, parseMediaNote, parseMediaResult,
} from '../../../src/shared/media-protocol';
import { RELAYED_METHODS } from '../../../src/host/media-relay';
import { ApiValidationError } from '../../../src/shared/errors';
import { validateEvent, validateRequest } from '../../../src/shared/kiosk-api';

describe('media protocol catalogue', () => {
  it('reads a well-formed note with its params typed by name', () => {
    const note = parseMediaNote('room.resumed', { roomId: 'room-1', reason: 'hubRestarted' });
    expect(note).toEqual({ method: ROOM.resumed, params: { roomId: 'room-1', reason: 'hubRestarted' } });
  });

  it('refuses a malformed note with a typed error naming the message', () => {
    const attempt = () => parseMediaNote('room.resumed', { roomId: 'room-1', reason: 'because' });
    expect(attempt).toThrow(MediaProtocolError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'MALFORMED_MESSAGE', method: 'room.resumed' }));
    expect(() => parseMediaNote('media.newProducer', { kind: 'video' })).toThrow(expect.objectContaining({ code: 'MALFORMED_MESSAGE' }));
  });

  it('refuses a note that is not in the catalogue', () => {
    expect(() => parseMediaNote('room.explode', {})).toThrow(expect.objectContaining({ code: 'UNKNOWN_MESSAGE' }));
  });

  it('refuses a malformed answer to a media request', () => {
    expect(() => parseMediaResult('media.capabilities', { roomId: 'r', producers: [] })).toThrow(expect.objectContaining({ code: 'MALFORMED_MESSAGE' }));
    expect(parseMediaResult('media.produce', { id: 'p1' })).toEqual({ id: 'p1' });
  });

  it('names every queue and room note the hub sends', () => {
    for (const name of [QUEUE.position, QUEUE.claimed, QUEUE.updated, ROOM.closed, ROOM.resumed, ROOM.peerLeft, ROOM.elsewhere, ROOM.released, ROOM.boothOffline, ROOM.boothOnline, MEDIA.newProducer, MEDIA.producerClosed, MEDIA.consumerClosed]) {
      expect(Object.keys(MEDIA_NOTES)).toContain(name);
    }
  });

  it("relays through the booth's host exactly the catalogue's media-path requests, and no queue or room request", () => {
    expect([...RELAYED_METHODS].sort()).toEqual(Object.keys(MEDIA_REQUESTS).sort());
    expect(RELAYED_METHODS).toBe(RELAYED_MEDIA_METHODS);
    expect(RELAYED_METHODS.has(QUEUE.claim)).toBe(false);
    expect(RELAYED_METHODS.has(ROOM.leave)).toBe(false);
  });
});

describe("the kiosk's media envelopes (KioskApi mediaSignal, mediaNotification)", () => {
  it('refuses a media request whose data does not match its method, or a method outside the media path', () => {
    expect(() => validateRequest('mediaSignal', { method: MEDIA.connectTransport, data: { transportId: 'send-1' } })).toThrow(ApiValidationError);
    expect(() => validateRequest('mediaSignal', { method: QUEUE.claim, data: { boothId: 'b1' } })).toThrow(ApiValidationError);
    expect(validateRequest('mediaSignal', { method: MEDIA.restartIce, data: { transportId: 'send-1' } }).params).toEqual({ method: MEDIA.restartIce, data: { transportId: 'send-1' } });
  });

  it('refuses a relayed note that does not match the catalogue, and reads one that does', () => {
    expect(() => validateEvent('mediaNotification', { method: QUEUE.claimed, data: { roomId: 'r1' } })).toThrow();
    expect(() => validateEvent('mediaNotification', { method: 'room.nonsense', data: {} })).toThrow();
    const claimed = { method: QUEUE.claimed, data: { roomId: 'r1', specialist: { name: 'Dr Martin', specialty: 'Dermatologie' } } };
    expect(validateEvent('mediaNotification', claimed)).toEqual({ name: 'mediaNotification', data: claimed });
  });

  it("carries the claiming doctor's photo as a PNG or JPEG data: URL, and nothing else in its place", () => {
    const photo = 'data:image/jpeg;base64,/9j/4AAQ';
    const claimed = (p: string) => ({ roomId: 'r1', specialist: { name: 'Dr Martin', specialty: 'Dermatologie', photo: p } });
    expect(parseMediaNote(QUEUE.claimed, claimed(photo)).params).toEqual(claimed(photo));
    for (const bad of ['https://example.org/martin.jpg', 'data:image/gif;base64,R0lGODlh', `data:image/jpeg;base64,${'A'.repeat(400 * 1024)}`]) {
      expect(() => parseMediaNote(QUEUE.claimed, claimed(bad)), bad.slice(0, 40)).toThrow(expect.objectContaining({ code: 'MALFORMED_MESSAGE' }));
    }
  });
});
