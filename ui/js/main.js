// Composition root: wires the backend (api.js) to the views. Holds only view state;
// the tasks' truth comes from the backend.

import * as api from './api.js';
import { t, setLanguage, language, applyStatic, systemLanguage } from './i18n.js';
import { renderList, renderDetail, errorText } from './task-view.js';
import * as settingsView from './settings-view.js';

/** @type {Map<string, import('./task-view.js').Entry>} */
const entries = new Map();
/** @type {string | null} */
let selectedId = null;
let settings = { base_url: '', language: 'system', theme: 'system', env_base_url: null };
let toastTimer = 0;

const banner = /** @type {HTMLElement} */ (document.getElementById('banner'));
const toast = /** @type {HTMLElement} */ (document.getElementById('toast'));
const pasteBox = /** @type {HTMLTextAreaElement} */ (document.getElementById('paste-box'));

function showToast(text) {
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (toast.hidden = true), 5000);
}

function showBanner(text) {
  banner.textContent = text;
  banner.hidden = !text;
}

function applyTheme(choice) {
  if (choice === 'light' || choice === 'dark') document.documentElement.dataset.theme = choice;
  else delete document.documentElement.dataset.theme;
}

function effectiveTheme() {
  const forced = document.documentElement.dataset.theme;
  if (forced) return forced;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function render() {
  const sorted = [...entries.values()].sort((a, b) => b.addedAt - a.addedAt);
  renderList(sorted, selectedId, select);
  renderDetail(selectedId ? entries.get(selectedId) ?? null : null, { onRefresh: refresh, onCopy: copy });
}

function select(id) {
  selectedId = id;
  render();
}

async function refresh(id) {
  const entry = entries.get(id);
  if (!entry) return;
  entry.pending = true;
  render();
  try {
    const result = await api.queryTask(id);
    Object.assign(entry, { task: result.task, raw: result.raw, error: null });
  } catch (error) {
    entry.error = error;
    if (error.code === 'unauthorized' || error.code === 'missing_key') promptForKey(error);
  } finally {
    entry.pending = false;
    render();
  }
}

/** Adds every task ID found in the text and queries the new ones. */
async function addFromText(text) {
  if (!text.trim()) return;
  const found = await api.extractTaskIds(text);
  let added = 0;
  let tracked = found.duplicates;
  const now = Date.now();
  found.ids.forEach((id, i) => {
    if (entries.has(id)) {
      tracked += 1;
      return;
    }
    added += 1;
    entries.set(id, { id, task: null, raw: null, error: null, pending: true, addedAt: now - i });
  });
  if (added + tracked + found.rejected === 0) {
    showToast(t('add.nothing'));
    return;
  }
  showToast(t('add.summary', { added, tracked, rejected: found.rejected }));
  if (added > 0) selectedId = found.ids.find((id) => entries.get(id)?.pending) ?? selectedId;
  render();
  await Promise.all(found.ids.filter((id) => entries.get(id)?.pending).map(refresh));
}

async function copy(text) {
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

async function loadKeyStatus() {
  try {
    const status = await api.keyStatus();
    settingsView.showKeyStatus(status);
    showBanner(!status.keyring_available && status.source !== 'environment' ? t('key.noKeyring') : '');
    return status;
  } catch (error) {
    settingsView.showError(error);
    return null;
  }
}

function promptForKey(error) {
  settingsView.open();
  settingsView.showError(error);
  settingsView.focusKey();
}

async function saveKey() {
  const key = settingsView.takeKey();
  try {
    settingsView.showKeyStatus(await api.setApiKey(key));
    settingsView.showError(null);
    showToast(t('key.saved'));
    const failed = [...entries.values()].filter((e) => e.error && ['unauthorized', 'missing_key'].includes(e.error.code));
    settingsView.close();
    await Promise.all(failed.map((e) => refresh(e.id)));
  } catch (error) {
    settingsView.showError(error);
  }
}

async function removeKey() {
  try {
    settingsView.showKeyStatus(await api.removeApiKey());
    settingsView.showError(null);
    showToast(t('key.removed'));
  } catch (error) {
    settingsView.showError(error);
  }
}

async function persistSettings(next) {
  settings = await api.saveSettings(next);
  setLanguage(settings.language);
  applyTheme(settings.theme);
  applyStatic();
  updateToggles();
  render();
}

async function saveSettingsFromDialog() {
  try {
    await persistSettings(settingsView.read());
    settingsView.fill(settings);
    await loadKeyStatus();
    settingsView.close();
    showToast(t('settings.saved'));
  } catch (error) {
    settingsView.showError(error);
  }
}

function updateToggles() {
  document.getElementById('lang-button').textContent = language() === 'zh' ? 'EN' : '中文';
}

async function toggleLanguage() {
  const next = language() === 'zh' ? 'en' : 'zh';
  try {
    await persistSettings({ ...settings, language: next === systemLanguage() ? 'system' : next });
  } catch (error) {
    showToast(errorText(error));
  }
}

async function toggleTheme() {
  const next = effectiveTheme() === 'dark' ? 'light' : 'dark';
  try {
    await persistSettings({ ...settings, theme: next });
  } catch (error) {
    showToast(errorText(error));
  }
}

function isTextField(target) {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

function bind() {
  document.getElementById('add-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = pasteBox.value;
    pasteBox.value = '';
    addFromText(text).catch((error) => showToast(errorText(error)));
  });
  pasteBox.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      document.getElementById('add-button').click();
    }
  });
  document.addEventListener('paste', (e) => {
    if (isTextField(e.target)) return;
    const text = e.clipboardData?.getData('text') ?? '';
    e.preventDefault();
    addFromText(text).catch((error) => showToast(errorText(error)));
  });
  document.getElementById('settings-button').addEventListener('click', async () => {
    settingsView.fill(settings);
    settingsView.open();
    await loadKeyStatus();
  });
  document.getElementById('lang-button').addEventListener('click', toggleLanguage);
  document.getElementById('theme-button').addEventListener('click', toggleTheme);
  settingsView.bind({ onSaveKey: saveKey, onRemoveKey: removeKey, onSave: saveSettingsFromDialog });
}

async function start() {
  try {
    settings = await api.getSettings();
  } catch (error) {
    showBanner(errorText(error));
  }
  setLanguage(settings.language);
  applyTheme(settings.theme);
  applyStatic();
  updateToggles();
  bind();
  render();
  try {
    const info = await api.appInfo();
    if (info.notices.length) showBanner(info.notices.join(' '));
  } catch (error) {
    showBanner(errorText(error));
  }
  await loadKeyStatus();
  document.body.dataset.ready = 'true';
}

start();
