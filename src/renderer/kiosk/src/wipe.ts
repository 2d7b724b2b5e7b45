/**
 * The renderer's half of the privacy wipe (DESIGN §5): when a session ends,
 * nothing of the patient stays in this page — storage, caches, IndexedDB,
 * camera and microphone. React state goes with the remount of the session
 * tree (App keys it by session id).
 */

const streams = new Set<MediaStream>();

/** Remembers every camera/microphone stream the page opens, so the wipe can release them all. */
export function installStreamRegistry(): void {
  const md = navigator.mediaDevices;
  if (!md || (md as { __cabineWrapped?: boolean }).__cabineWrapped) return;
  const original = md.getUserMedia.bind(md);
  md.getUserMedia = async (constraints?: MediaStreamConstraints) => {
    const stream = await original(constraints);
    streams.add(stream);
    return stream;
  };
  (md as { __cabineWrapped?: boolean }).__cabineWrapped = true;
}

/** Stops every camera and microphone track this page opened. */
export function releaseMedia(): void {
  for (const s of streams) for (const track of s.getTracks()) track.stop();
  streams.clear();
  for (const el of Array.from(document.querySelectorAll('video, audio'))) {
    const media = el as HTMLMediaElement;
    if (media.srcObject instanceof MediaStream) for (const track of media.srcObject.getTracks()) track.stop();
    media.srcObject = null;
  }
}

/** Empties every client-side store. Safe to call more than once. */
export async function wipeClientData(): Promise<void> {
  releaseMedia();
  try { localStorage.clear(); } catch { /* storage disabled */ }
  try { sessionStorage.clear(); } catch { /* storage disabled */ }
  try {
    const dbs = await indexedDB.databases();
    await Promise.all(dbs.map((db) => (db.name ? new Promise<void>((resolve) => {
      const req = indexedDB.deleteDatabase(db.name!);
      req.onsuccess = req.onerror = req.onblocked = () => resolve();
    }) : Promise.resolve())));
  } catch { /* no IndexedDB */ }
  try {
    if ('caches' in window) for (const key of await caches.keys()) await caches.delete(key);
  } catch { /* no Cache API (insecure origin) */ }
}
