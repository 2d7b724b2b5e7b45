/**
 * Keys that could leave the kiosk (close, quit, reload, devtools, full-screen
 * toggle, zoom) are swallowed before the page or Chromium sees them. A USB
 * keyboard left on the counter must not be a way out.
 */
import type { Input, WebContents } from 'electron';

type Keys = Pick<Input, 'type' | 'key' | 'control' | 'meta' | 'alt' | 'shift'>;

const ALWAYS = new Set(['F1', 'F3', 'F5', 'F6', 'F7', 'F10', 'F11', 'F12', 'BrowserBack', 'BrowserForward', 'BrowserRefresh', 'BrowserHome', 'BrowserSearch']);
const WITH_CTRL = new Set(['w', 'q', 'r', 'n', 't', 'o', 'p', 's', 'u', 'f', 'g', 'h', 'j', 'l', '+', '-', '=', '0', 'Tab', 'F4', 'PageUp', 'PageDown']);
const WITH_CTRL_SHIFT = new Set(['i', 'j', 'c', 'r', 'w', 'q', 'n', 't', 'delete', 'Delete']);
const WITH_ALT = new Set(['F4', 'ArrowLeft', 'ArrowRight', 'Home', 'Tab', ' ', 'Space']);

/** True for a key combination that must do nothing in the kiosk. */
export function isBlockedShortcut(input: Keys): boolean {
  if (input.type !== 'keyDown' && input.type !== 'rawKeyDown') return false;
  const key = input.key.length === 1 ? input.key.toLowerCase() : input.key;
  if (ALWAYS.has(key)) return true;
  const ctrl = input.control || input.meta;
  if (ctrl && input.shift && WITH_CTRL_SHIFT.has(key)) return true;
  if (ctrl && WITH_CTRL.has(key)) return true;
  if (input.alt && WITH_ALT.has(key)) return true;
  // Alt alone opens the (absent) menu bar on Windows and Linux.
  if (input.alt && key === 'Alt') return true;
  return false;
}

export function blockKioskShortcuts(contents: Pick<WebContents, 'on'>): void {
  contents.on('before-input-event', (event, input) => {
    if (isBlockedShortcut(input)) event.preventDefault();
  });
}
