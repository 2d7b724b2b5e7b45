import { memo, useEffect, useRef, useState } from 'react';
import type { PhotoNote } from '../../../../shared/consult-protocol';
import { EAR_WORDING } from '../../../../shared/wording';
import { resolutionText, timeText } from '../format';

const POLARISATION: Record<PhotoNote['photo']['polarisation'], string> = { none: 'Lumière blanche', polarised: 'Polarisée', uv: 'UV' };

/** "Otoscope — oreille gauche", or a dermatoscope still's body site (a photo stored before the otoscope is the dermatoscope's). */
export function photoLabel(photo: PhotoNote['photo']): string {
  if (photo.modality === 'otoscope') return `Otoscope — ${photo.ear ? EAR_WORDING[photo.ear].fr : 'oreille non précisée'}`;
  return photo.bodySite ?? 'Zone non précisée';
}

/**
 * The full-size still in a dialog: fitted to the window first, then at
 * 100 % (one image pixel per screen pixel) with scrolling; the natural
 * resolution is written from the decoded image. Escape closes it and gives
 * focus back to the thumbnail.
 */
function PhotoZoom({ photos, index, onIndex, onClose }: { photos: PhotoNote[]; index: number; onIndex: (i: number) => void; onClose: () => void }) {
  const note = photos[index]!;
  const [actual, setActual] = useState(false);
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  const [failed, setFailed] = useState(false);
  const close = useRef<HTMLButtonElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;
  const stepRef = useRef((d: number) => onIndex(Math.min(photos.length - 1, Math.max(0, index + d))));
  stepRef.current = (d: number) => onIndex(Math.min(photos.length - 1, Math.max(0, index + d)));
  // Another photo: its own size, shown fitted first.
  useEffect(() => {
    setSize(null);
    setFailed(false);
    setActual(false);
  }, [note.photo.id]);
  useEffect(() => {
    close.current?.focus();
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onCloseRef.current();
      } else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        e.preventDefault();
        stepRef.current(e.key === 'ArrowLeft' ? -1 : 1);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const { photo } = note;
  return (
    <div className="zoom">
      <div className="zoom__dialog" role="dialog" aria-modal="true" aria-labelledby="zoom-title">
        <header className="zoom__bar">
          <h2 id="zoom-title">{photo.modality === 'otoscope' || photo.bodySite ? photoLabel(photo) : 'Photo dermatoscope'} — {timeText(photo.takenAt)}</h2>
          <span className="zoom__size" data-testid="zoom-resolution">{size ? resolutionText(size.w, size.h) : resolutionText(photo.width, photo.height)}</span>
          {photo.modality !== 'otoscope' && <span>{POLARISATION[photo.polarisation]}</span>}
          <button type="button" aria-pressed={actual} onClick={() => setActual((a) => !a)}>{actual ? 'Ajuster à la fenêtre' : 'Taille réelle (100 %)'}</button>
          <button type="button" ref={close} onClick={onClose}>Fermer</button>
        </header>
        <div className={actual ? 'zoom__view zoom__view--actual' : 'zoom__view'} tabIndex={0} aria-label="Image en grand (faites défiler pour parcourir)">
          {failed ? <p className="error">Image indisponible.</p> : (
            <img
              src={note.url}
              alt={photo.modality === 'otoscope' ? `Photo ${photoLabel(photo)}` : `Photo dermatoscope${photo.bodySite ? `, ${photo.bodySite}` : ''}`}
              data-photo-id={photo.id}
              onLoad={(e) => setSize({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })}
              onError={() => setFailed(true)}
              onClick={() => setActual((a) => !a)}
            />
          )}
        </div>
        {photos.length > 1 && (
          <ol className="zoom__strip" aria-label="Autres photos (flèches gauche et droite)">
            {photos.map((n, i) => (
              <li key={n.photo.id}>
                <button type="button" className="thumb" aria-current={i === index ? 'true' : undefined} onClick={() => onIndex(i)} aria-label={`Photo ${i + 1} sur ${photos.length} : ${photoLabel(n.photo)}`}>
                  <img src={n.url} alt="" />
                </button>
                <span>{photoLabel(n.photo)}</span>
              </li>
            ))}
          </ol>
        )}
      </div>
    </div>
  );
}

/** Dermatoscope and otoscope stills of this consultation: thumbnails (body site, time) that open the zoom view. */
export const Gallery = memo(function Gallery({ photos }: { photos: PhotoNote[] }) {
  const [open, setOpen] = useState<string | null>(null);
  const opener = useRef<HTMLButtonElement | null>(null);
  const current = photos.find((p) => p.photo.id === open) ?? null;
  const closeZoom = (): void => {
    setOpen(null);
    opener.current?.focus();
  };
  return (
    <section className="panel gallery" aria-labelledby="gallery-title">
      <h2 id="gallery-title">{photos.some((n) => n.photo.modality === 'otoscope') ? 'Photos (dermatoscope, otoscope)' : 'Photos dermatoscope'}</h2>
      {photos.length === 0 ? <p className="empty">Aucune photo pour l’instant.</p> : (
        <ul className="thumbs">
          {photos.map((n) => (
            <li key={n.photo.id} data-photo-id={n.photo.id}>
              <button type="button" className="thumb" onClick={(e) => { opener.current = e.currentTarget; setOpen(n.photo.id); }} aria-label={`Agrandir la photo ${n.photo.modality === 'otoscope' ? photoLabel(n.photo) : n.photo.bodySite ?? ''} de ${timeText(n.photo.takenAt)}`}>
                <img src={n.url} alt="" loading="lazy" />
              </button>
              <span className="thumb__site">{photoLabel(n.photo)}</span>
              <time className="mono muted" dateTime={n.photo.takenAt}>{timeText(n.photo.takenAt)}</time>
            </li>
          ))}
        </ul>
      )}
      {current && <PhotoZoom photos={photos} index={photos.indexOf(current)} onIndex={(i) => setOpen(photos[i]?.photo.id ?? null)} onClose={closeZoom} />}
    </section>
  );
});
