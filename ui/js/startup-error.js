// The page Paddock shows instead of the list when it cannot start (see
// src-tauri/desktop/startup_error.rs). The reason comes in the URL's fragment, in
// the backend's words; it is put in with textContent. The window may only close
// itself: no commands, no events.

import { setLanguage, applyStatic } from './i18n.js';
import { closeThisWindow } from './tauri.js';

/** The most of the fragment read: the backend cuts its reason to 2,000 characters. */
const MAX_FRAGMENT = 40_000;

/**
 * `#lang=…&theme=…&reason=…` as an object; a value that does not decode is left out.
 * @param {string} hash
 * @returns {{ lang: string, theme: string, reason: string }}
 */
export function readFragment(hash) {
  const found = { lang: 'system', theme: 'system', reason: '' };
  for (const pair of String(hash).slice(0, MAX_FRAGMENT).replace(/^#/, '').split('&')) {
    const at = pair.indexOf('=');
    const name = pair.slice(0, at);
    if (at < 0 || !Object.hasOwn(found, name)) continue;
    try {
      found[name] = decodeURIComponent(pair.slice(at + 1));
    } catch {
      // A malformed escape: that value keeps its default.
    }
  }
  return found;
}

if (globalThis.document) {
  const { lang, theme, reason } = readFragment(location.hash);
  await setLanguage(lang);
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
  applyStatic();
  document.getElementById('startup-error-reason').textContent = reason;
  const quit = document.getElementById('startup-error-quit');
  quit.addEventListener('click', () => {
    // Refused or unavailable: the window's own close button still ends Paddock.
    Promise.resolve()
      .then(closeThisWindow)
      .catch(() => {});
  });
  quit.focus();
  document.body.dataset.ready = 'true';
}
