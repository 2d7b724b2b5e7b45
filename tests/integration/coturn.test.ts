/**
 * The hub's TURN credentials against a real coturn (Debian's, started by
 * tests/helpers/coturn.ts, TLS only on loopback): a fresh credential gets a
 * relay allocated, an expired or forged one is refused with 401, and the
 * TLS certificate is checked against the test authority, not waved through.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { turnCredential } from '../../src/hub/turn';
import { startCoturn, type Coturn } from '../helpers/coturn';
import { freePort } from '../helpers/hub';

const SECRET = 'coturn-test-secret-0123456789abcdef';
let coturn: Coturn;
let port: number;

beforeAll(async () => {
  port = await freePort();
  coturn = await startCoturn({ tlsPort: port, secret: SECRET });
});

afterAll(async () => {
  await coturn?.stop();
});

const MAGIC = 0x2112a442;
const ATTR = { username: 0x0006, integrity: 0x0008, errorCode: 0x0009, realm: 0x0014, nonce: 0x0015, transport: 0x0019 } as const;

function attribute(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

/** A TURN Allocate request (RFC 5766), signed with the long-term credential when `auth` is given. */
function allocate(auth?: { username: string; password: string; realm: string; nonce: Buffer }): Buffer {
  const attrs = [attribute(ATTR.transport, Buffer.from([17, 0, 0, 0]))];
  if (auth) {
    attrs.push(attribute(ATTR.username, Buffer.from(auth.username)), attribute(ATTR.realm, Buffer.from(auth.realm)), attribute(ATTR.nonce, auth.nonce));
  }
  const body = Buffer.concat(attrs);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(0x0003, 0);
  header.writeUInt32BE(MAGIC, 4);
  randomBytes(12).copy(header, 8);
  if (!auth) {
    header.writeUInt16BE(body.length, 2);
    return Buffer.concat([header, body]);
  }
  // MESSAGE-INTEGRITY covers the message with its length already counting the integrity attribute.
  header.writeUInt16BE(body.length + 24, 2);
  const key = createHash('md5').update(`${auth.username}:${auth.realm}:${auth.password}`).digest();
  const mac = createHmac('sha1', key).update(Buffer.concat([header, body])).digest();
  return Buffer.concat([header, body, attribute(ATTR.integrity, mac)]);
}

interface StunAnswer { type: number; error?: number; realm?: string; nonce?: Buffer }

function parse(msg: Buffer): StunAnswer {
  const answer: StunAnswer = { type: msg.readUInt16BE(0) };
  let at = 20;
  while (at + 4 <= msg.length) {
    const type = msg.readUInt16BE(at);
    const len = msg.readUInt16BE(at + 2);
    const value = msg.subarray(at + 4, at + 4 + len);
    if (type === ATTR.errorCode) answer.error = (value[2]! & 0x7) * 100 + value[3]!;
    if (type === ATTR.realm) answer.realm = value.toString();
    if (type === ATTR.nonce) answer.nonce = Buffer.from(value);
    at += 4 + len + ((4 - (len % 4)) % 4);
  }
  return answer;
}

/** Sends STUN messages over one TLS connection and reads their answers (STUN over a stream frames itself). */
class TurnOverTls {
  private buffer = Buffer.alloc(0);
  private waiting: ((m: Buffer) => void) | null = null;
  private constructor(private readonly socket: TLSSocket) {
    socket.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.drain();
    });
  }

  static open(ca?: string): Promise<TurnOverTls> {
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, ...(ca ? { ca } : {}) }, () => resolve(new TurnOverTls(socket)));
      socket.once('error', reject);
    });
  }

  private drain(): void {
    if (!this.waiting || this.buffer.length < 20) return;
    const total = 20 + this.buffer.readUInt16BE(2);
    if (this.buffer.length < total) return;
    const msg = this.buffer.subarray(0, total);
    this.buffer = this.buffer.subarray(total);
    const w = this.waiting;
    this.waiting = null;
    w(msg);
  }

  ask(msg: Buffer): Promise<StunAnswer> {
    return new Promise((resolve) => {
      this.waiting = (m) => resolve(parse(m));
      this.socket.write(msg);
      this.drain();
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** An Allocate with `username`/`password`: the first answer is a challenge (realm, nonce), the second the verdict. */
async function allocateWith(username: string, password: string): Promise<StunAnswer> {
  const turn = await TurnOverTls.open(coturn.caPem);
  try {
    const challenge = await turn.ask(allocate());
    expect(challenge.error).toBe(401);
    return await turn.ask(allocate({ username, password, realm: challenge.realm!, nonce: challenge.nonce! }));
  } finally {
    turn.close();
  }
}

describe('coturn and the hub\'s credentials', () => {
  it('allocates a relay for a credential the hub has just made', async () => {
    const c = turnCredential(SECRET, 'demo-booth-1', 600);
    const answer = await allocateWith(c.username, c.credential);
    expect(answer.type, coturn.log().slice(-1500)).toBe(0x0103);
  });

  it('refuses an expired credential and one signed with another secret', async () => {
    const expired = turnCredential(SECRET, 'demo-booth-1', 600, Date.now() - 3600_000);
    expect((await allocateWith(expired.username, expired.credential)).error).toBe(401);
    const forged = turnCredential('not-the-shared-secret-0123456789', 'demo-booth-1', 600);
    expect((await allocateWith(forged.username, forged.credential)).error).toBe(401);
  });

  it('serves a certificate that only its test authority vouches for', async () => {
    await expect(TurnOverTls.open()).rejects.toMatchObject({ code: expect.stringMatching(/CERT|SIGNATURE|ISSUER/) });
  });
});
