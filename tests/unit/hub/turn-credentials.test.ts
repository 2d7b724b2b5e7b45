/**
 * TURN credentials the hub hands to booths and consoles: coturn's REST API
 * scheme (time-limited HMAC), computed here independently of the module,
 * and the hub config's `turn` section refused clearly when malformed.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HubConfig, loadHubConfig } from '../../../src/hub/directory';
import { iceServersFor, turnCredential } from '../../../src/hub/turn';
import { ConfigError } from '../../../src/shared/errors';

const SECRET = 'a-long-shared-secret-for-coturn-0001';

describe('TURN credentials (coturn REST API scheme)', () => {
  it('names the expiry and the holder in the username and signs it with HMAC-SHA1 of the shared secret', () => {
    const now = Date.UTC(2026, 11, 2, 1, 0, 0);
    const c = turnCredential(SECRET, 'demo-booth-1', 600, now);
    const expiry = now / 1000 + 600;
    expect(c.username).toBe(`${expiry}:demo-booth-1`);
    // The known vector: what coturn computes from the same secret and username.
    expect(c.credential).toBe(createHmac('sha1', SECRET).update(`${expiry}:demo-booth-1`).digest('base64'));
    expect(c.expiresAt).toBe(expiry * 1000);
  });

  it('matches a vector written out by hand', () => {
    // echo -n "1700000000:booth" | openssl dgst -sha1 -hmac "secret" -binary | base64
    expect(turnCredential('secret', 'booth', 0, 1_700_000_000_000).credential).toBe('qQRd30b+lkeZLqRNjCTl1XB9xFg=');
  });

  it('gives each holder and each moment its own credential, expiring after the lifetime set', () => {
    const now = 1_800_000_000_000;
    const a = turnCredential(SECRET, 'demo-booth-1', 3600, now);
    const b = turnCredential(SECRET, 'dr-martin', 3600, now);
    const later = turnCredential(SECRET, 'demo-booth-1', 3600, now + 60_000);
    expect(a.credential).not.toBe(b.credential);
    expect(later.username).not.toBe(a.username);
    expect(Number(a.username.split(':')[0])).toBe(1_800_000_000 + 3600);
  });

  it('hands out the configured URLs with the credential, and nothing without a turn section', () => {
    const servers = iceServersFor({ urls: ['turns:turn.example.org:443?transport=tcp'], secret: SECRET, ttlSeconds: 600 }, 'dr-martin', 1_800_000_000_000);
    expect(servers).toEqual([{ urls: ['turns:turn.example.org:443?transport=tcp'], username: '1800000600:dr-martin', credential: expect.any(String) }]);
    expect(iceServersFor(undefined, 'dr-martin')).toEqual([]);
  });
});

describe('the hub config\'s turn section', () => {
  const write = (turn: unknown): string => {
    const file = join(mkdtempSync(join(tmpdir(), 'cabine-turn-')), 'hub.json');
    writeFileSync(file, JSON.stringify({ turn }));
    return file;
  };

  it('takes URLs, a secret and a lifetime (one hour by default)', () => {
    const c = HubConfig.parse({ turn: { urls: ['turns:127.0.0.1:5349?transport=tcp', 'turn:127.0.0.1:3478'], secret: SECRET } });
    expect(c.turn).toEqual({ urls: ['turns:127.0.0.1:5349?transport=tcp', 'turn:127.0.0.1:3478'], secret: SECRET, ttlSeconds: 3600 });
    expect(HubConfig.parse({}).turn).toBeUndefined();
  });

  it.each([
    ['a URL that is not a TURN URL', { urls: ['https://turn.example.org'], secret: SECRET }, 'turn.urls[0]'],
    ['no URL', { urls: [], secret: SECRET }, 'turn.urls'],
    ['a plain turn: URL to another machine', { urls: ['turns:turn.example.org:443', 'turn:turn.example.org:3478'], secret: SECRET }, 'turn.urls[1]'],
    ['a short secret', { urls: ['turns:turn.example.org:443'], secret: 'short' }, 'turn.secret'],
    ['a lifetime of a week', { urls: ['turns:turn.example.org:443'], secret: SECRET, ttlSeconds: 7 * 86400 }, 'turn.ttlSeconds'],
    ['a misspelt field', { urls: ['turns:turn.example.org:443'], secret: SECRET, ttl: 60 }, 'turn'],
  ])('refuses %s with a ConfigError naming the field', (_what, turn, path) => {
    const file = write(turn);
    let error: unknown;
    try {
      loadHubConfig(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(path);
  });
});
