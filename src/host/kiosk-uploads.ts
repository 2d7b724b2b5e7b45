/**
 * The host's end of the kiosk's binary call (DESIGN §2): transfers are
 * assembled in memory (capped before a byte is buffered, chunks in order),
 * and a closed one waits, by its upload id, for the one call that uses it
 * (capturePhoto today; stethoscope clips and exam videos later). Nothing
 * here is written to disk: the handler that takes the bytes stores them
 * sealed. Bytes are never logged.
 */
import { BinaryAssembler, BinaryTransferError } from '../shared/binary-transfer';
import { VIDEO_CONTENT_TYPES } from '../shared/case-record';
import { MAX_UPLOAD_BYTES, MAX_VIDEO_BYTES, type KioskHandlers } from '../shared/kiosk-api';

/** Closed uploads kept for their call; an older one not taken yet is dropped (a renderer that gave up on it). */
const MAX_WAITING = 2;

export class KioskUploads {
  private readonly assembler: BinaryAssembler;
  private readonly waiting = new Map<string, { contentType: string; bytes: Buffer }>();

  /** `maxBytes` for stills and clips; an exam video (video/webm) may reach `maxVideoBytes`. */
  constructor(private readonly maxBytes = MAX_UPLOAD_BYTES, maxVideoBytes = MAX_VIDEO_BYTES) {
    this.assembler = new BinaryAssembler({ maxBytes: Math.max(maxBytes, maxVideoBytes), maxTransfers: 2 });
  }

  /** The three KioskApi methods of the binary call. */
  handlers(): Pick<KioskHandlers, 'binaryBegin' | 'binaryChunk' | 'binaryEnd'> {
    return {
      binaryBegin: (params) => {
        // Each kind of payload has its own cap, checked before a byte is buffered.
        const isVideo = (VIDEO_CONTENT_TYPES as readonly string[]).includes(params.contentType);
        if (!isVideo && params.totalBytes > this.maxBytes) {
          throw new BinaryTransferError('BINARY_TOO_LARGE', `${params.totalBytes} bytes declared, at most ${this.maxBytes}`);
        }
        return { chunkBytes: this.assembler.begin(params).chunkBytes };
      },
      binaryChunk: (params, bytes) => this.assembler.chunk(params, bytes),
      binaryEnd: ({ transferId }) => {
        const { contentType, bytes } = this.assembler.finish(transferId);
        for (const id of this.waiting.keys()) {
          if (this.waiting.size < MAX_WAITING) break;
          this.waiting.delete(id);
        }
        this.waiting.set(transferId, { contentType, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
        return { uploadId: transferId, byteLength: bytes.length };
      },
    };
  }

  /** The bytes of a closed upload, once, if their content type is one `accepted`. */
  take<T extends string>(uploadId: string, accepted: readonly T[]): { contentType: T; bytes: Buffer } {
    const upload = this.waiting.get(uploadId);
    if (!upload) throw new BinaryTransferError('BINARY_UNKNOWN', 'no closed upload with this id');
    this.waiting.delete(uploadId);
    const contentType = accepted.find((t) => t === upload.contentType);
    if (!contentType) throw new BinaryTransferError('BINARY_REFUSED_TYPE', `${upload.contentType.slice(0, 100)} is not one of ${accepted.join(', ')}`);
    return { contentType, bytes: upload.bytes };
  }
}
