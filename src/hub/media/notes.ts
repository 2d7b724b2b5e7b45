/** Sends a media, queue or room note typed by the catalogue (src/shared/media-protocol.ts). */
import type { MediaNoteMethod, MediaNoteParams } from '../../shared/media-protocol';

/** Anyone a note can go to: a booth's or a console's connection. */
export interface NoteTarget {
  notify(method: string, params: unknown): void;
}

export function tell<M extends MediaNoteMethod>(to: NoteTarget | null | undefined, method: M, params: MediaNoteParams<M>): void {
  to?.notify(method, params);
}
