/**
 * A renderer that crashes or hangs must not leave a patient before a frozen
 * or white screen: reload the kiosk at its start page and record an incident.
 */
import type { RenderProcessGoneDetails, WebContents } from 'electron';
import type { Logger } from 'pino';

export interface WatchdogIncident {
  code: 'RENDERER_GONE' | 'RENDERER_UNRESPONSIVE';
  message: { fr: string; en: string };
  detail: string;
}

export interface WatchdogOptions {
  /** Reloads the kiosk at its start page (the attract screen). */
  reload(): void;
  reportIncident(incident: WatchdogIncident): void;
  log: Logger;
  /** How long a hang may last before the page is reloaded. */
  unresponsiveGraceMs?: number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

type WatchedContents = Pick<WebContents, 'on' | 'forcefullyCrashRenderer'>;

export function watchRenderer(contents: WatchedContents, o: WatchdogOptions): void {
  const set = o.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
  const clear = o.clearTimeout ?? ((h) => clearTimeout(h as NodeJS.Timeout));
  let hang: unknown = null;

  contents.on('render-process-gone', (_event, details: RenderProcessGoneDetails) => {
    if (hang !== null) { clear(hang); hang = null; }
    if (details.reason === 'clean-exit') return;
    o.log.error({ reason: details.reason, exitCode: details.exitCode }, 'kiosk renderer gone, reloading');
    o.reportIncident({
      code: 'RENDERER_GONE',
      message: { fr: "L'écran de la cabine a redémarré après une erreur.", en: 'The booth screen restarted after an error.' },
      detail: details.reason,
    });
    o.reload();
  });
  contents.on('unresponsive', () => {
    if (hang !== null) return;
    hang = set(() => {
      hang = null;
      o.log.error('kiosk renderer unresponsive, reloading');
      o.reportIncident({
        code: 'RENDERER_UNRESPONSIVE',
        message: { fr: "L'écran de la cabine ne répondait plus : il a été relancé.", en: 'The booth screen stopped responding: it was restarted.' },
        detail: 'unresponsive',
      });
      // NOTE: a hung renderer ignores loadURL; crash it first, then load afresh.
      contents.forcefullyCrashRenderer();
      o.reload();
    }, o.unresponsiveGraceMs ?? 10_000);
  });
  contents.on('responsive', () => {
    if (hang !== null) { clear(hang); hang = null; }
  });
}
