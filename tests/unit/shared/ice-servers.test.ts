/** The TURN servers a page is handed with the media capabilities: checked on arrival like every other answer. */
import { describe, expect, it } from 'vitest';
import { MEDIA, parseMediaResult } from '../../../src/shared/media-protocol';

const caps = { roomId: 'r1', rtpCapabilities: { codecs: [] }, producers: [] };
const turn = { urls: ['turns:turn.example.org:443?transport=tcp'], username: '1800000600:demo-booth-1', credential: 'c2VjcmV0' };

describe('iceServers in the media capabilities', () => {
  it('takes TURN servers with their credential, and none from a hub that sends none', () => {
    expect(parseMediaResult(MEDIA.capabilities, { ...caps, iceServers: [turn] }).iceServers).toEqual([turn]);
    expect(parseMediaResult(MEDIA.capabilities, caps).iceServers).toEqual([]);
  });

  it.each([
    ['a server that is not TURN', { ...turn, urls: ['https://evil.example/'] }],
    ['a server without its credential', { urls: turn.urls, username: turn.username }],
    ['a server with fields of its own', { ...turn, credentialType: 'oauth' }],
  ])('refuses %s', (_what, server) => {
    expect(() => parseMediaResult(MEDIA.capabilities, { ...caps, iceServers: [server] })).toThrow(expect.objectContaining({ code: 'MALFORMED_MESSAGE' }));
  });
});
