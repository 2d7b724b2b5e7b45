/**
 * The counter's sound and notification. Browsers play sound and show
 * notifications only after a user gesture (and notifications only with
 * permission, over HTTPS or on localhost): "Activer les alertes" is that
 * gesture. It plays the chime once silently, which unlocks later plays, and
 * asks for the notification permission.
 */
declare global {
  interface Window {
    /** Test hook: each ring this page gave, and whether the chime played and a notification was shown. */
    __cabineCounterRings?: { alertId: string; ring: number; played: boolean; notified: boolean }[];
  }
}

export type Armed = 'no' | 'sound' | 'sound+notification';

export async function armAlerts(audio: HTMLAudioElement): Promise<Armed> {
  // Unlocks the element for later plays; silent so the tap itself does not ring.
  audio.muted = true;
  await audio.play().then(() => audio.pause(), () => undefined);
  audio.muted = false;
  audio.currentTime = 0;
  if (typeof Notification === 'undefined') return 'sound';
  const permission = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
  return permission === 'granted' ? 'sound+notification' : 'sound';
}

export async function ring(audio: HTMLAudioElement, armed: Armed, what: { alertId: string; ring: number; title: string; body: string; urgent: boolean }): Promise<void> {
  let played = false;
  let notified = false;
  if (armed !== 'no') {
    audio.currentTime = 0;
    played = await audio.play().then(() => true, () => false);
  }
  if (armed === 'sound+notification') {
    try {
      // One notification per alert (its tag): a ring again replaces it and alerts once more.
      new Notification(what.title, { body: what.body, tag: what.alertId, renotify: true, requireInteraction: what.urgent } as NotificationOptions);
      notified = true;
    } catch {
      notified = false;
    }
  }
  (window.__cabineCounterRings ??= []).push({ alertId: what.alertId, ring: what.ring, played, notified });
}
