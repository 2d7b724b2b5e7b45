/**
 * The binary call (DESIGN §2): large payloads (dermatoscope stills, later
 * stethoscope clips and exam videos) never travel inside JSON. The sender
 * declares a transfer (id, content type, total size), the receiver checks
 * the size against its cap before it buffers a byte, then the bytes follow
 * in chunks, each in order, and the transfer is closed only when every
 * declared byte has arrived. Anything else is refused with a typed error and
 * nothing is kept. No Node API here: the renderers use it too.
 */
import { z } from 'zod';
import { CabineError } from './errors';

/** The largest dermatoscope still, from the kiosk to the host and from the booth to the hub. */
export const MAX_PHOTO_BYTES = 12 * 1024 * 1024;
export const PHOTO_CONTENT_TYPES = ['image/jpeg', 'image/png'] as const;
/**
 * The largest stethoscope clip: 15 s of 48 kHz 16-bit PCM is 1.4 MB mono
 * (2.9 MB stereo); the cap leaves room for a longer clip, not for a stray file.
 */
export const MAX_CLIP_BYTES = 8 * 1024 * 1024;
export const CLIP_CONTENT_TYPES = ['audio/wav'] as const;

/** Bytes per chunk: small enough for one WebSocket/IPC message, large enough to be few. */
export const BINARY_CHUNK_BYTES = 256 * 1024;

/** `type/subtype`, no parameters: what the receiver matches against what it accepts. */
export const ContentType = z.string().max(100).regex(/^[a-z]+\/[a-z0-9.+-]+$/, 'a content type such as image/jpeg');

export const BinaryBegin = z.object({
  transferId: z.uuid(),
  contentType: ContentType,
  totalBytes: z.number().int().positive(),
}).strict();
export type BinaryBegin = z.infer<typeof BinaryBegin>;

export const BinaryChunkHeader = z.object({ transferId: z.uuid(), index: z.number().int().nonnegative() }).strict();
export type BinaryChunkHeader = z.infer<typeof BinaryChunkHeader>;

export const BinaryEnd = z.object({ transferId: z.uuid() }).strict();

export type BinaryTransferCode =
  | 'BINARY_TOO_LARGE'
  | 'BINARY_OUT_OF_ORDER'
  | 'BINARY_INCOMPLETE'
  | 'BINARY_UNKNOWN'
  | 'BINARY_MALFORMED'
  | 'BINARY_REFUSED_TYPE';

const MESSAGES: Record<BinaryTransferCode, { fr: string; en: string }> = {
  BINARY_TOO_LARGE: {
    fr: 'Le fichier est trop lourd pour être enregistré. Reprenez-le en plus petit (moins de détails ou plus court).',
    en: 'The file is too large to be stored. Take it again smaller (less detail or shorter).',
  },
  BINARY_OUT_OF_ORDER: {
    fr: 'Le transfert du fichier a été interrompu (morceaux dans le désordre). Rien n’a été gardé : recommencez la prise.',
    en: 'The file transfer was interrupted (pieces out of order). Nothing was kept: take it again.',
  },
  BINARY_INCOMPLETE: {
    fr: 'Le fichier n’est pas arrivé en entier. Rien n’a été gardé : recommencez la prise.',
    en: 'The file did not arrive whole. Nothing was kept: take it again.',
  },
  BINARY_UNKNOWN: {
    fr: 'Ce transfert de fichier n’existe plus (trop ancien ou déjà utilisé). Recommencez la prise.',
    en: 'This file transfer no longer exists (too old or already used). Take it again.',
  },
  BINARY_MALFORMED: {
    fr: 'Le fichier reçu est illisible. Rien n’a été gardé : recommencez la prise.',
    en: 'The file received cannot be read. Nothing was kept: take it again.',
  },
  BINARY_REFUSED_TYPE: {
    fr: 'Ce type de fichier n’est pas accepté ici.',
    en: 'This kind of file is not accepted here.',
  },
};

/** A binary transfer refused; whatever had arrived of it is dropped. */
export class BinaryTransferError extends CabineError {
  declare readonly code: BinaryTransferCode;
  constructor(code: BinaryTransferCode, detail: string) {
    super(code, MESSAGES[code], { detail });
  }
}

/** How many chunks `totalBytes` takes. */
export function chunkCount(totalBytes: number, chunkBytes = BINARY_CHUNK_BYTES): number {
  return Math.max(1, Math.ceil(totalBytes / chunkBytes));
}

/** The exact size chunk `index` must have (every chunk is full but the last). */
export function expectedChunkBytes(totalBytes: number, index: number, chunkBytes = BINARY_CHUNK_BYTES): number {
  return Math.min(chunkBytes, totalBytes - index * chunkBytes);
}

export interface AssemblerOptions {
  /** Largest total accepted, checked before any byte is buffered. */
  maxBytes: number;
  /** Transfers in progress at once; a new one pushes out the oldest (an abandoned sender must not block the next). */
  maxTransfers?: number;
  chunkBytes?: number;
}

interface Transfer {
  contentType: string;
  buffer: Uint8Array;
  next: number;
  count: number;
}

/**
 * Receives transfers: cap checked on `begin`, chunks accepted only in order
 * and at their exact size, `finish` only once every byte is there. Any
 * refusal drops the transfer, so a partial payload is never handed on.
 */
export class BinaryAssembler {
  private readonly transfers = new Map<string, Transfer>();
  private readonly chunkBytes: number;

  constructor(private readonly opts: AssemblerOptions) {
    this.chunkBytes = opts.chunkBytes ?? BINARY_CHUNK_BYTES;
  }

  begin(b: BinaryBegin): { chunkBytes: number; count: number } {
    if (b.totalBytes > this.opts.maxBytes) {
      throw new BinaryTransferError('BINARY_TOO_LARGE', `${b.totalBytes} bytes declared, at most ${this.opts.maxBytes}`);
    }
    if (this.transfers.has(b.transferId)) throw new BinaryTransferError('BINARY_MALFORMED', 'transfer id already in use');
    const max = this.opts.maxTransfers ?? 2;
    for (const id of this.transfers.keys()) {
      if (this.transfers.size < max) break;
      this.transfers.delete(id);
    }
    const count = chunkCount(b.totalBytes, this.chunkBytes);
    this.transfers.set(b.transferId, { contentType: b.contentType, buffer: new Uint8Array(b.totalBytes), next: 0, count });
    return { chunkBytes: this.chunkBytes, count };
  }

  chunk(h: BinaryChunkHeader, bytes: Uint8Array): { received: number } {
    const t = this.transfers.get(h.transferId);
    if (!t) throw new BinaryTransferError('BINARY_UNKNOWN', 'no transfer in progress with this id');
    if (h.index !== t.next) {
      this.transfers.delete(h.transferId);
      throw new BinaryTransferError('BINARY_OUT_OF_ORDER', `chunk ${h.index} arrived, ${t.next} was expected`);
    }
    if (h.index >= t.count) {
      this.transfers.delete(h.transferId);
      throw new BinaryTransferError('BINARY_TOO_LARGE', `chunk ${h.index} is past the declared size`);
    }
    const want = expectedChunkBytes(t.buffer.length, h.index, this.chunkBytes);
    if (bytes.length !== want) {
      this.transfers.delete(h.transferId);
      throw new BinaryTransferError(bytes.length > want ? 'BINARY_TOO_LARGE' : 'BINARY_MALFORMED', `chunk ${h.index} holds ${bytes.length} bytes, ${want} expected`);
    }
    t.buffer.set(bytes, h.index * this.chunkBytes);
    t.next += 1;
    return { received: t.next };
  }

  /** The whole payload, once every chunk has arrived; the transfer is closed either way. */
  finish(transferId: string): { contentType: string; bytes: Uint8Array } {
    const t = this.transfers.get(transferId);
    if (!t) throw new BinaryTransferError('BINARY_UNKNOWN', 'no transfer in progress with this id');
    this.transfers.delete(transferId);
    if (t.next !== t.count) throw new BinaryTransferError('BINARY_INCOMPLETE', `${t.next} of ${t.count} chunks arrived`);
    return { contentType: t.contentType, bytes: t.buffer };
  }

  abort(transferId: string): void {
    this.transfers.delete(transferId);
  }

  inProgress(): number {
    return this.transfers.size;
  }
}

/** The sending half: declare, send each chunk in order (each acknowledged), close. */
export interface BinarySender<R> {
  begin(b: BinaryBegin): Promise<unknown>;
  chunk(h: BinaryChunkHeader, bytes: Uint8Array): Promise<unknown>;
  end(transferId: string): Promise<R>;
}

export async function sendInChunks<R>(sender: BinarySender<R>, transferId: string, contentType: string, bytes: Uint8Array, chunkBytes = BINARY_CHUNK_BYTES): Promise<R> {
  await sender.begin({ transferId, contentType, totalBytes: bytes.length });
  const count = chunkCount(bytes.length, chunkBytes);
  for (let index = 0; index < count; index++) {
    await sender.chunk({ transferId, index }, bytes.subarray(index * chunkBytes, (index + 1) * chunkBytes));
  }
  return sender.end(transferId);
}

/**
 * One binary WebSocket message: a 4-byte big-endian header length, the
 * header as JSON (the request envelope, validated by the receiver), then the
 * raw bytes. The header never holds payload bytes.
 */
export const MAX_FRAME_HEADER_BYTES = 4096;

export function encodeBinaryFrame(header: unknown, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const head = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(4 + head.length + payload.length);
  new DataView(out.buffer).setUint32(0, head.length);
  out.set(head, 4);
  out.set(payload, 4 + head.length);
  return out;
}

export function decodeBinaryFrame(raw: Uint8Array): { header: unknown; payload: Uint8Array } {
  if (raw.length < 4) throw new BinaryTransferError('BINARY_MALFORMED', 'frame shorter than its header length');
  const length = new DataView(raw.buffer, raw.byteOffset, raw.byteLength).getUint32(0);
  if (length > MAX_FRAME_HEADER_BYTES || 4 + length > raw.length) throw new BinaryTransferError('BINARY_MALFORMED', 'frame header length out of bounds');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw.subarray(4, 4 + length)));
  } catch {
    throw new BinaryTransferError('BINARY_MALFORMED', 'frame header is not JSON');
  }
  return { header, payload: raw.subarray(4 + length) };
}
