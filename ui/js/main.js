// Composition root: wires the backend (api.js) to the views. The tasks' truth lives
// in Rust; this keeps the last rows it was sent and what the user is looking at.

import * as api from './api.js';
import { t, setLanguage, language, applyStatic, systemLanguage } from './i18n.js';
import { renderList, renderDetail, renderMulti, bindList, reveal, focusRow, errorText } from './task-view.js';
import { filterRows, newestFirst } from './filter.js';
import * as settingsView from './settings-view.js';
import { measureToPaint } from './perf.js';

/** @type {Map<string, import('./task-view.js').Row>} */
const rows = new Map();
/** `rows` newest first; rebuilt only after the rows change, not on every keystroke. */
let sorted = /** @type {import('./task-view.js').Row[] | null} */ (null);
/** @type {Set<string>} */
const selected = new Set();
/** The row the last plain click selected; Shift-click extends from here. */
let anchorId = /** @type {string | null} */ (null);
let shown = /** @type {import('./task-view.js').Row[]} */ ([]);
let settings = { base_url: '', language: 'system', theme: 'system', auto_save: true, save_folder: '', notifications: true, max_video_mb: 2048, env_base_url: null };
let toastTimer = 0;
let detailToken = 0;
let pauseReason = null;

const $ = (id) => /** @type {any} */ (document.getElementById(id));
const pasteBox = /** @type {HTMLTextAreaElement} */ ($('paste-box'));
const search = /** @type {HTMLInputElement} */ ($('search'));
const statusFilter = /** @type {HTMLSelectElement} */ ($('status-filter'));

function showToast(text) {
  const toast = $('toast');
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (toast.hidden = true), 5000);
}

/** @param {string} text @param {{label: string, run: () => void} | null} [action] */
function showBanner(text, action = null) {
  $('banner-text').textContent = text;
  $('banner').hidden = !text;
  const button = $('banner-action');
  button.hidden = !action;
  button.textContent = action ? action.label : '';
  button.onclick = action ? action.run : null;
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

/** @param {import('./task-view.js').Row[]} changed */
function putRows(changed) {
  for (const row of changed) rows.set(row.id, row);
  sorted = null;
}

function renderRows() {
  if (!sorted) sorted = [...rows.values()].sort(newestFirst);
  shown = filterRows(sorted, { status: statusFilter.value, query: search.value });
  renderList(shown, selected, sorted.length);
}

/** Running downloads: task ID → last progress. */
const downloads = new Map();

const detailHandlers = {
  onRefresh: (id) => api.refreshTask(id).catch((e) => showToast(errorText(e))),
  onCopy: copy,
  onRemove: confirmRemove,
  onSave: saveVideo,
  onCancelSave: (id) => api.cancelDownload(id).catch(() => {}),
  onShowInFolder: (id) => api.showInFolder(id).catch((e) => showToast(errorText(e))),
  onOpenExternal: (id) => api.openVideoExternally(id).catch((e) => showToast(errorText(e))),
};

/** Asks where to save, then downloads in Rust with progress on a channel. */
async function saveVideo(id) {
  if (downloads.has(id)) return;
  try {
    const destination = await api.chooseSavePath(id);
    if (!destination) return;
    downloads.set(id, { received: 0, total: null, bytes_per_sec: 0 });
    renderSelection();
    await api.saveVideo(id, destination.token, (progress) => {
      downloads.set(id, progress);
      if (selected.has(id)) renderSelection();
    });
    showToast(t('save.done'));
  } catch (error) {
    showToast(errorText(error));
  } finally {
    downloads.delete(id);
    if (selected.has(id)) renderSelection();
  }
}

async function renderSelection() {
  const token = ++detailToken;
  if (selected.size > 1) {
    renderMulti([...selected], detailHandlers);
    return;
  }
  const id = selected.values().next().value;
  if (!id) {
    renderDetail(null, detailHandlers);
    return;
  }
  try {
    const item = await api.taskDetail(id);
    if (token === detailToken) renderDetail(item, detailHandlers, downloads.get(id) ?? null);
  } catch (error) {
    showToast(errorText(error));
  }
}

function render() {
  renderRows();
  renderSelection();
}

/** @param {string} id @param {{toggle: boolean, range: boolean}} how */
function select(id, how = { toggle: false, range: false }) {
  if (how.range && anchorId) {
    const a = shown.findIndex((r) => r.id === anchorId);
    const b = shown.findIndex((r) => r.id === id);
    if (a >= 0 && b >= 0) {
      selected.clear();
      shown.slice(Math.min(a, b), Math.max(a, b) + 1).forEach((r) => selected.add(r.id));
    }
  } else if (how.toggle) {
    if (selected.has(id)) selected.delete(id);
    else selected.add(id);
    anchorId = id;
  } else {
    selected.clear();
    selected.add(id);
    anchorId = id;
  }
  const row = rows.get(id);
  if (row && row.unseen && selected.size === 1) api.markSeen(id).catch(() => {});
  render();
  reveal(id);
  focusRow(id);
}

function move(dir) {
  if (shown.length === 0) return;
  const index = anchorId ? shown.findIndex((r) => r.id === anchorId) : -1;
  const next = shown[Math.min(shown.length - 1, Math.max(0, index + dir))];
  if (next) select(next.id);
}

/** Asks before forgetting tasks; nothing is removed without a yes. @param {string[]} ids */
function confirmRemove(ids) {
  if (ids.length === 0) return;
  const dialog = /** @type {HTMLDialogElement} */ ($('confirm-dialog'));
  $('confirm-text').textContent = ids.length === 1 ? t('confirm.removeOne', { id: ids[0] }) : t('confirm.removeMany', { n: ids.length });
  dialog.returnValue = '';
  dialog.onclose = async () => {
    if (dialog.returnValue !== 'ok') return;
    try {
      const n = await api.removeTasks(ids);
      showToast(t('list.removed', { n }));
    } catch (error) {
      showToast(errorText(error));
    }
  };
  dialog.showModal();
  $('confirm-ok').focus();
}

async function confirmClearFinished() {
  const finished = [...rows.values()].filter((r) => r.tracking !== 'active').map((r) => r.id);
  if (finished.length === 0) {
    showToast(t('list.nothingFinished'));
    return;
  }
  confirmRemove(finished);
}

/** Adds every task ID found in the text; the backend starts watching the new ones. */
async function addFromText(text) {
  if (!text.trim()) return;
  const summary = await api.addTasks(text);
  if (summary.added + summary.already_tracked + summary.rejected === 0) {
    showToast(t('add.nothing'));
    return;
  }
  showToast(t('add.summary', { added: summary.added, tracked: summary.already_tracked, rejected: summary.rejected }));
  if (summary.ids.length > 0) {
    selected.clear();
    selected.add(summary.ids[0]);
    anchorId = summary.ids[0];
    render();
  }
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
    return status;
  } catch (error) {
    settingsView.showError(error);
    return null;
  }
}

/** The banner reflects, in order: a paused poller, a missing keyring, nothing. */
function updateBanner(keyStatus) {
  if (pauseReason) {
    showBanner(`${t('banner.paused')} ${errorText(pauseReason)}`, { label: t('settings.open'), run: () => promptForKey(pauseReason) });
  } else if (keyStatus && !keyStatus.keyring_available && keyStatus.source !== 'environment') {
    showBanner(t('key.noKeyring'));
  } else {
    showBanner('');
  }
}

function promptForKey(error) {
  settingsView.fill(settings);
  settingsView.open();
  settingsView.showError(error);
  settingsView.focusKey();
  loadKeyStatus();
}

async function saveKey() {
  const key = settingsView.takeKey();
  try {
    const status = await api.setApiKey(key);
    settingsView.showKeyStatus(status);
    settingsView.showError(null);
    showToast(t('key.saved'));
    settingsView.close();
    updateBanner(status);
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
  const languageBefore = language();
  settings = await api.saveSettings(next);
  setLanguage(settings.language);
  applyTheme(settings.theme);
  applyStatic();
  updateToggles();
  render();
  updateBanner(null);
  // A toast from before a language switch would stay up in the old language.
  if (language() !== languageBefore) $('toast').hidden = true;
}

async function saveSettingsFromDialog() {
  try {
    await persistSettings(settingsView.read());
    settingsView.fill(settings);
    updateBanner(await loadKeyStatus());
    settingsView.close();
    showToast(t('settings.saved'));
  } catch (error) {
    settingsView.showError(error);
  }
}

function updateToggles() {
  $('lang-button').textContent = language() === 'zh' ? 'EN' : '中文';
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
  $('add-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = pasteBox.value;
    pasteBox.value = '';
    addFromText(text).catch((error) => showToast(errorText(error)));
  });
  pasteBox.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      $('add-button').click();
    }
  });
  document.addEventListener('paste', (e) => {
    if (isTextField(e.target)) return;
    const text = e.clipboardData?.getData('text') ?? '';
    e.preventDefault();
    addFromText(text).catch((error) => showToast(errorText(error)));
  });
  search.addEventListener('input', (e) => {
    // From the keystroke (the event's own time) to the filtered list on screen.
    const start = e.timeStamp > 0 && e.timeStamp <= performance.now() ? e.timeStamp : performance.now();
    renderRows();
    measureToPaint('filter', start);
  });
  statusFilter.addEventListener('change', renderRows);
  $('refresh-all').addEventListener('click', () => api.refreshAll().catch((e) => showToast(errorText(e))));
  $('clear-finished').addEventListener('click', confirmClearFinished);
  bindList(select, move, () => confirmRemove([...selected]));
  $('settings-button').addEventListener('click', async () => {
    settingsView.fill(settings);
    settingsView.open();
    await loadKeyStatus();
  });
  $('lang-button').addEventListener('click', toggleLanguage);
  $('theme-button').addEventListener('click', toggleTheme);
  settingsView.bind({
    onSaveKey: saveKey,
    onRemoveKey: removeKey,
    onSave: saveSettingsFromDialog,
    onChooseFolder: async () => {
      const folder = await api.chooseFolder().catch(() => null);
      if (folder) settingsView.setSaveFolder(folder);
    },
  });
  // Relative times ("2 min ago") are refreshed when the user comes back, not by a timer.
  window.addEventListener('focus', renderRows);
  window.addEventListener('resize', renderRows);
}

/** Subscribes to the backend's events, all at once (each is a round trip). */
function listen() {
  return Promise.all([
    api.onEvent('tasks-changed', (changed) => {
      putRows(changed);
      for (const row of changed) {
        // A task that finishes while the user is looking at it is already seen.
        if (row.unseen && selected.size === 1 && selected.has(row.id)) api.markSeen(row.id).catch(() => {});
      }
      renderRows();
      if (changed.some((r) => selected.has(r.id))) renderSelection();
    }),
    api.onEvent('tasks-removed', (ids) => {
      for (const id of ids) {
        rows.delete(id);
        selected.delete(id);
      }
      sorted = null;
      render();
    }),
    api.onEvent('task-finished', (row) => {
      const what = row.prompt || row.id;
      showToast(t(row.status === 'succeeded' ? 'finished.succeeded' : 'finished.failed', { what }));
    }),
    // Every save reports here, auto-saves included: progress and Cancel for all.
    api.onEvent('video-saving', ({ id, progress }) => {
      if (progress) downloads.set(id, progress);
      else downloads.delete(id);
      if (selected.has(id)) renderSelection();
    }),
    api.onEvent('poller-paused', async (reason) => {
      pauseReason = reason;
      updateBanner(null);
      if (reason) promptForKey(reason);
    }),
  ]);
}

async function loadSettings() {
  try {
    settings = await api.getSettings();
  } catch (error) {
    showBanner(errorText(error));
  }
}

/** The page stays hidden (index.html's `loading` class) until it can show the
 * list: one complete first frame instead of an empty frame and then the list. */
function showPage() {
  document.documentElement.classList.remove('loading');
}

async function start() {
  bind();
  // Subscribed before the history is read, so no change in between is missed.
  const subscribed = listen();
  await loadSettings();
  setLanguage(settings.language);
  applyTheme(settings.theme);
  applyStatic();
  updateToggles();
  try {
    await subscribed;
    const requested = performance.now();
    putRows(await api.listTasks());
    performance.mark('tasks-received');
    render();
    showPage();
    // From asking for the history to the list on screen; the backend logs the paint,
    // which is how start-up is timed from outside.
    measureToPaint('list-first-render', requested, () => {
      api.frontendReady(performance.now(), rows.size).catch(() => {});
    });
  } catch (error) {
    showBanner(errorText(error));
  } finally {
    showPage();
  }
  try {
    const info = await api.appInfo();
    if (info.notices.length) showBanner(info.notices.join(' '));
  } catch (error) {
    showBanner(errorText(error));
  }
  pauseReason = await api.pollerStatus().catch(() => null);
  const status = await loadKeyStatus();
  if (!$('banner-text').textContent) updateBanner(status);
  document.body.dataset.ready = 'true';
}

start();
