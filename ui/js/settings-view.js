// The settings dialog: DOM only; main.js decides what each button does.

import { t } from './i18n.js';
import { errorText } from './status.js';

const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('settings-dialog'));
const baseUrl = /** @type {HTMLInputElement} */ (document.getElementById('base-url'));
const baseUrlNote = /** @type {HTMLElement} */ (document.getElementById('base-url-note'));
const apiKey = /** @type {HTMLInputElement} */ (document.getElementById('api-key'));
const keyStatusLine = /** @type {HTMLElement} */ (document.getElementById('key-status'));
const language = /** @type {HTMLSelectElement} */ (document.getElementById('language'));
const theme = /** @type {HTMLSelectElement} */ (document.getElementById('theme'));
const errorLine = /** @type {HTMLElement} */ (document.getElementById('settings-error'));
const autoSave = /** @type {HTMLInputElement} */ (document.getElementById('auto-save'));
const saveFolder = /** @type {HTMLInputElement} */ (document.getElementById('save-folder'));
const notifications = /** @type {HTMLInputElement} */ (document.getElementById('notifications'));
const maxVideoMb = /** @type {HTMLInputElement} */ (document.getElementById('max-video-mb'));
const keepWatching = /** @type {HTMLInputElement} */ (document.getElementById('keep-watching'));
const startAtLogin = /** @type {HTMLInputElement} */ (document.getElementById('start-at-login'));
const price720 = /** @type {HTMLInputElement} */ (document.getElementById('price-720p'));
const price1080 = /** @type {HTMLInputElement} */ (document.getElementById('price-1080p'));
const currency = /** @type {HTMLInputElement} */ (document.getElementById('currency'));

export function open() {
  showError(null);
  if (!dialog.open) dialog.showModal();
}

export function close() {
  apiKey.value = '';
  dialog.close();
}

export function focusKey() {
  apiKey.focus();
}

/** @param {any} s the settings view from the backend */
export function fill(s) {
  if (!s) return;
  baseUrl.value = s.base_url;
  language.value = s.language;
  theme.value = s.theme;
  autoSave.checked = s.auto_save;
  saveFolder.value = s.save_folder;
  saveFolder.placeholder = s.default_save_folder;
  notifications.checked = s.notifications;
  maxVideoMb.value = String(s.max_video_mb);
  keepWatching.checked = s.keep_watching !== false;
  startAtLogin.checked = s.start_at_login === true;
  price720.value = s.price_720p ?? '';
  price1080.value = s.price_1080p ?? '';
  currency.value = s.currency ?? '$';
  baseUrlNote.hidden = !s.env_base_url;
  baseUrlNote.textContent = s.env_base_url ? t('settings.baseUrlEnv', { url: s.env_base_url }) : '';
}

export function read() {
  return {
    base_url: baseUrl.value.trim(),
    language: language.value,
    theme: theme.value,
    auto_save: autoSave.checked,
    save_folder: saveFolder.value.trim(),
    notifications: notifications.checked,
    max_video_mb: Number.parseInt(maxVideoMb.value, 10) || 0,
    keep_watching: keepWatching.checked,
    start_at_login: startAtLogin.checked,
    price_720p: price720.value.trim(),
    price_1080p: price1080.value.trim(),
    currency: currency.value.trim(),
  };
}

/** @param {string} path */
export function setSaveFolder(path) {
  saveFolder.value = path;
}

/** Takes the typed key out of the field so it does not linger in the DOM. */
export function takeKey() {
  const value = apiKey.value;
  apiKey.value = '';
  return value;
}

/** @param {{source: string, hint: string | null, keyring_available: boolean, keyring_error: any}} status */
export function showKeyStatus(status) {
  const lines = [];
  if (status.source === 'keyring') lines.push(t('key.keyring', { hint: status.hint }));
  else if (status.source === 'environment') lines.push(t('key.env', { hint: status.hint }));
  else lines.push(t('key.none'));
  if (!status.keyring_available && status.keyring_error) lines.push(errorText(status.keyring_error));
  keyStatusLine.textContent = lines.join(' ');
  keyStatusLine.dataset.source = status.source;
  keyStatusLine.classList.toggle('warning', !status.keyring_available);
}

/** @param {any} error */
export function showError(error) {
  errorLine.hidden = !error;
  errorLine.textContent = error ? errorText(error) : '';
}

/**
 * @param {{onSaveKey: () => void, onRemoveKey: () => void, onSave: () => void, onChooseFolder: () => void}} handlers
 */
export function bind(handlers) {
  document.getElementById('choose-folder').addEventListener('click', handlers.onChooseFolder);
  document.getElementById('save-key').addEventListener('click', handlers.onSaveKey);
  document.getElementById('remove-key').addEventListener('click', handlers.onRemoveKey);
  document.getElementById('settings-save').addEventListener('click', handlers.onSave);
  document.getElementById('settings-cancel').addEventListener('click', close);
  apiKey.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      handlers.onSaveKey();
    }
  });
}
