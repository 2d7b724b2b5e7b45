/**
 * No navigation away from our own origin, no pop-up, no webview (DESIGN §1):
 * a patient who finds a link must never reach the web or a file browser.
 */
import type { WebContents } from 'electron';
import type { Logger } from 'pino';

/** True when `url` has exactly our origin (scheme, host and port). */
export function isOwnOrigin(url: string, ownOrigin: string): boolean {
  try {
    const u = new URL(url);
    return u.origin !== 'null' ? u.origin === ownOrigin : `${u.protocol}//${u.host}` === ownOrigin;
  } catch {
    return false;
  }
}

type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

export function guardNavigation(contents: GuardedContents, ownOrigin: string, log: Logger): void {
  const block = (kind: string) => (event: { preventDefault(): void }, url: string): void => {
    if (isOwnOrigin(url, ownOrigin)) return;
    event.preventDefault();
    // Only the origin: a URL may carry a query with personal data.
    log.warn({ kind, origin: safeOrigin(url) }, 'navigation away from the kiosk blocked');
  };
  contents.on('will-navigate', block('will-navigate'));
  contents.on('will-redirect', block('will-redirect'));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log.warn('webview blocked');
  });
  contents.setWindowOpenHandler(({ url }) => {
    log.warn({ origin: safeOrigin(url) }, 'window.open blocked');
    return { action: 'deny' };
  });
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid)';
  }
}
