/**
 * A loopback RTP source for the SFU without a browser: VP8-shaped packets
 * (what the media bench and the soak feed a router with).
 */

/** A VP8-shaped RTP packet: RTP header, VP8 payload descriptor (S=1, PID 0), a frame tag (key frame when asked), padding to size. */
export function vp8RtpPacket(seq: number, timestamp: number, ssrc: number, keyFrame: boolean, size: number): Buffer {
  const b = Buffer.alloc(size);
  b[0] = 0x80;
  b[1] = 0x80 | 101; // marker + payload type
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(timestamp >>> 0, 4);
  b.writeUInt32BE(ssrc, 8);
  b[12] = 0x10; // VP8 payload descriptor: S bit, partition 0
  // VP8 frame tag: bit 0 = 0 for a key frame; key frames carry the start code and a size.
  b[13] = keyFrame ? 0x00 : 0x01;
  if (keyFrame) {
    b[16] = 0x9d; b[17] = 0x01; b[18] = 0x2a;
    b.writeUInt16LE(640, 19);
    b.writeUInt16LE(480, 21);
  }
  return b;
}
