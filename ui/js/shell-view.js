// The window around the list and the pane: the header, the toast, the banner, the
// confirmation dialog, the theme. DOM only; what a button does is the controller's.

import { t, language, setLanguage, applyStatic } from './i18n.js';
import { byId } from './dom.js';
import { LAST_LANGUAGE_KEY } from './boot.js';

const pasteBox = /** @type {HTMLTextAreaElement} */ (byId('paste-box'));
const search = /** @type {HTMLInputElement} */ (byId('search'));
const statusFilter = /** @type {HTMLSelectElement} */ (byId('status-filter'));
let toastTimer = 0;

export function showToast(text) {
  const toast = byId('toast');
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (toast.hidden = true), 5000);
}

export function hideToast() {
  byId('toast').hidden = true;
}

/** @param {string} text @param {{label: string, run: () => void} | null} [action] */
export function showBanner(text, action = null) {
  byId('banner-text').textContent = text;
  byId('banner').hidden = !text;
  const button = byId('banner-action');
  button.hidden = !action;
  button.textContent = action ? action.label : '';
  button.onclick = action ? action.run : null;
}

export function bannerShown() {
  return Boolean(byId('banner-text').textContent);
}

/** @param {string} choice 'system' | 'light' | 'dark' */
function applyTheme(choice) {
  if (choice === 'light' || choice === 'dark') document.documentElement.dataset.theme = choice;
  else delete document.documentElement.dataset.theme;
}

export function effectiveTheme() {
  const forced = document.documentElement.dataset.theme;
  if (forced) return forced;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** The language button names the other language. */
function updateToggles() {
  byId('lang-button').textContent = language() === 'zh' ? 'EN' : '中文';
}

/**
 * Applies settings the backend holds: language, theme, and every drawn string.
 * Settles once the language's strings are loaded and in place.
 * @param {{language: string, theme: string} | null} settings
 */
export async function applyLook(settings) {
  applyTheme(settings?.theme ?? 'system');
  await setLanguage(settings?.language ?? 'system');
  applyStatic();
  updateToggles();
  try {
    localStorage.setItem(LAST_LANGUAGE_KEY, language());
  } catch {
    // Only a hint for the next start (boot.js): without it, that start waits a little.
  }
}

/**
 * Puts the dialogs, which wait in index.html's template, into the page, in the
 * language in force. Their 60-odd form controls, parsed as live ones, held up the
 * first paint (./dev bench, "start-up"); main.js calls this after that paint and
 * before the controllers that use them load.
 */
export function mountDialogs() {
  const waiting = document.getElementById('dialogs');
  if (!(waiting instanceof HTMLTemplateElement)) return;
  applyStatic(waiting.content);
  waiting.replaceWith(waiting.content);
}

const VIEW_KEY = 'paddock.view';

/** The view the user left the window in: 'list' or 'gallery'. */
export function rememberedView() {
  return localStorage.getItem(VIEW_KEY) === 'gallery' ? 'gallery' : 'list';
}

/** @param {string} view 'list' | 'gallery' */
export function rememberView(view) {
  localStorage.setItem(VIEW_KEY, view);
}

/** The page stays hidden (index.html's `loading` class) until it can show the
 * list: one complete first frame instead of an empty frame and then the list. */
export function showPage() {
  document.documentElement.classList.remove('loading');
}

export function markReady() {
  document.body.dataset.ready = 'true';
}

/** Shows every status and drops the search text. */
export function clearFilter() {
  statusFilter.value = 'all';
  search.value = '';
}

/** What the list is filtered by. */
export function readFilter() {
  return { status: statusFilter.value, query: search.value };
}

/**
 * Asks before something is removed (or sent); `onYes` runs only on a yes.
 * @param {string} text @param {() => void} onYes @param {string} [yes] the button's word
 */
export function confirm(text, onYes, yes = t('confirm.remove')) {
  const dialog = /** @type {HTMLDialogElement} */ (byId('confirm-dialog'));
  byId('confirm-text').textContent = text;
  byId('confirm-ok').textContent = yes;
  dialog.returnValue = '';
  dialog.onclose = () => {
    if (dialog.returnValue === 'ok') onYes();
  };
  dialog.showModal();
  byId('confirm-ok').focus();
}

export async function copyToClipboard(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  showToast(t('detail.copied'));
}

function isTextField(target) {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

/**
 * @param {{onPaste: (text: string) => void, onSearch: (startedAt: number) => void,
 *   onFilter: () => void, onRefreshAll: () => void, onClearFinished: () => void,
 *   onOpenSettings: () => void, onToggleLanguage: () => void, onToggleTheme: () => void,
 *   onReturn: () => void}} handlers
 */
export function bindShell(handlers) {
  byId('add-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = pasteBox.value;
    pasteBox.value = '';
    handlers.onPaste(text);
  });
  pasteBox.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      byId('add-button').click();
    }
  });
  document.addEventListener('paste', (e) => {
    if (isTextField(e.target)) return;
    e.preventDefault();
    handlers.onPaste(e.clipboardData?.getData('text') ?? '');
  });
  search.addEventListener('input', (e) => {
    // From the keystroke (the event's own time) to the filtered list on screen.
    handlers.onSearch(e.timeStamp > 0 && e.timeStamp <= performance.now() ? e.timeStamp : performance.now());
  });
  statusFilter.addEventListener('change', handlers.onFilter);
  byId('refresh-all').addEventListener('click', handlers.onRefreshAll);
  byId('clear-finished').addEventListener('click', handlers.onClearFinished);
  byId('settings-button').addEventListener('click', handlers.onOpenSettings);
  byId('lang-button').addEventListener('click', handlers.onToggleLanguage);
  byId('theme-button').addEventListener('click', handlers.onToggleTheme);
  // Relative times ("2 min ago") are refreshed when the user comes back, not by a timer.
  window.addEventListener('focus', handlers.onReturn);
  window.addEventListener('resize', handlers.onReturn);
}
