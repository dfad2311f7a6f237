// The detail pane: DOM only. One task's every field, its preview, its save
// controls; or what to do with several selected tasks.

import { t, language } from './i18n.js';
import { timeLeft, localTime, seconds, bytes } from './format.js';
import { errorText, waitingText, expiringSoon, linkExpired } from './status.js';
import { mountPreview } from './media-view.js';
import { chip } from './list-view.js';
import { tagsSection } from './tags-view.js';
import { el, byId } from './dom.js';

/** @typedef {import('./status.js').Row} Row */

const detail = /** @type {HTMLElement} */ (byId('detail'));

/**
 * @typedef {{received: number, total: number | null, bytes_per_sec: number}} DownloadProgress
 * @typedef {{onRefresh: (id: string) => void, onCopy: (text: string) => void, onRemove: (ids: string[]) => void,
 *   onSave: (id: string) => void, onCancelSave: (id: string) => void, onShowInFolder: (id: string) => void,
 *   onOpenExternal: (id: string) => void, onRunAgain: (item: any, mode: string) => void,
 *   onTags: (id: string, add: string[], remove: string[]) => void, knownTags: () => string[]}} DetailHandlers
 */

/**
 * The save controls: a button, a progress bar while saving, or where it was saved.
 * @param {Row} row
 * @param {DownloadProgress | null} progress
 * @param {DetailHandlers} handlers
 */
function saveSection(row, progress, handlers) {
  const box = el('div', 'save-box');
  box.id = 'save-box';
  if (progress) {
    const bar = el('div', 'progress big');
    const fill = el('div', 'progress-fill');
    const pct = progress.total ? Math.min(100, (progress.received / progress.total) * 100) : 0;
    fill.style.width = `${pct}%`;
    bar.append(fill);
    bar.setAttribute('role', 'progressbar');
    bar.setAttribute('aria-valuenow', String(Math.round(pct)));
    const text = el('span', 'save-progress', progressText(progress));
    const cancel = el('button', 'ghost', t('save.cancel'));
    cancel.id = 'cancel-save';
    cancel.addEventListener('click', () => handlers.onCancelSave(row.id));
    const line = el('div', 'save-line');
    line.append(text, cancel);
    box.append(bar, line);
    return box;
  }
  if (row.saved_path) {
    const line = el('div', 'save-line');
    const where = el('span', 'saved-to', t('save.savedTo', { path: row.saved_path }));
    where.id = 'saved-to';
    const show = el('button', 'ghost', t('save.showInFolder'));
    show.addEventListener('click', () => handlers.onShowInFolder(row.id));
    line.append(where, show);
    box.append(line);
  }
  if (!linkExpired(row)) {
    const save = el('button', row.saved_path ? 'ghost' : 'primary', t(row.saved_path ? 'save.again' : 'save.button'));
    save.id = 'save-video';
    save.addEventListener('click', () => handlers.onSave(row.id));
    box.append(save);
  }
  return box;
}

/**
 * Redraws only the save controls (a download's progress moves ten times a second;
 * the rest of the pane stays as it is).
 * @param {Row} row @param {DownloadProgress | null} progress @param {DetailHandlers} handlers
 */
export function renderSaveProgress(row, progress, handlers) {
  const box = byId('save-box');
  if (!box) return;
  const text = box.querySelector('.save-progress');
  if (progress && text) {
    // Moved on: the same bar and Cancel button, updated in place (a button that
    // is replaced ten times a second cannot be clicked reliably).
    const pct = progress.total ? Math.min(100, (progress.received / progress.total) * 100) : 0;
    box.querySelector('.progress-fill').style.width = `${pct}%`;
    box.querySelector('.progress').setAttribute('aria-valuenow', String(Math.round(pct)));
    text.textContent = progressText(progress);
    return;
  }
  box.replaceWith(saveSection(row, progress, handlers));
}

/** "8.0 KB of 142 KB · 4.2 MB/s". @param {DownloadProgress} progress */
function progressText(progress) {
  const params = { received: bytes(progress.received), total: progress.total ? bytes(progress.total) : '', speed: bytes(progress.bytes_per_sec) };
  return t(progress.total ? 'save.progress' : 'save.progressUnknown', params);
}

/** @param {string[]} ids @param {DetailHandlers} handlers */
export function renderMulti(ids, handlers) {
  const title = el('h2', 'detail-multi', t('detail.selected', { n: ids.length }));
  const remove = el('button', 'danger', t('detail.removeMany', { n: ids.length }));
  remove.id = 'remove-selected';
  remove.addEventListener('click', () => handlers.onRemove(ids));
  detail.replaceChildren(title, remove);
}

/**
 * @param {{row: Row, task: any | null, raw: any | null, local_video_url: string | null} | null} item
 * @param {DetailHandlers} handlers
 * @param {DownloadProgress | null} [progress] the running download of this task
 */
export function renderDetail(item, handlers, progress = null) {
  if (!item) {
    detail.replaceChildren(el('p', 'detail-placeholder', t('detail.placeholder')));
    return;
  }
  const { row, task, raw } = item;
  const head = el('div', 'detail-head');
  head.append(el('h2', 'detail-id', row.id), chip(row));
  const actions = el('div', 'detail-actions');
  const refresh = el('button', 'ghost', t('detail.refresh'));
  refresh.id = 'refresh-task';
  refresh.disabled = row.checking;
  refresh.addEventListener('click', () => handlers.onRefresh(row.id));
  const copyId = el('button', 'ghost', t('detail.copyId'));
  copyId.addEventListener('click', () => handlers.onCopy(row.id));
  actions.append(refresh, copyId);
  if (row.video_url) {
    const copyUrl = el('button', 'ghost', t('detail.copyUrl'));
    copyUrl.addEventListener('click', () => handlers.onCopy(row.video_url));
    actions.append(copyUrl);
  }
  // Run again: the stored request of a task created here, or (for a pasted task) a
  // panel filled in from what its answer tells.
  for (const [mode, key] of item.created ? [['same', 'detail.runAgain'], ['seed', 'detail.newSeed'], ['edit', 'detail.editRun']] : [['edit', 'detail.editRun']]) {
    const again = el('button', 'ghost', t(key));
    again.id = `run-${mode}`;
    again.addEventListener('click', () => handlers.onRunAgain(item, mode));
    actions.append(again);
  }
  const remove = el('button', 'ghost danger', t('detail.remove'));
  remove.id = 'remove-task';
  remove.addEventListener('click', () => handlers.onRemove([row.id]));
  actions.append(remove);
  const parts = [head, actions, tagsSection(row, handlers.knownTags(), handlers.onTags)];
  if (row.error && row.waiting) {
    // Waiting out a passing fault: say when the next try is, with the gateway's words.
    const wait = el('p', 'note waiting', `${waitingText(row)} · ${errorText(row.error)}`);
    wait.id = 'detail-waiting';
    parts.push(wait);
  } else if (row.error) {
    const err = el('p', 'error', errorText(row.error));
    err.id = 'detail-error';
    err.setAttribute('role', 'alert');
    parts.push(err);
  }
  if (task && task.no_data) parts.push(el('p', 'note', t('detail.noData')));
  if (expiringSoon(row)) parts.push(el('p', 'warning-box', t('detail.expiringSoon')));
  const slot = el('div', 'media-slot');
  mountPreview(slot, row, item.local_video_url ?? null, handlers);
  parts.push(slot);
  if (row.status === 'succeeded' && row.video_url) parts.push(saveSection(row, progress, handlers));
  parts.push(fields(row, task));
  if (raw) {
    const toggle = el('button', 'ghost', t('detail.rawShow'));
    toggle.id = 'toggle-raw';
    // Formatted only when asked for: the pane is drawn far more often than read.
    const pre = el('pre', 'raw');
    pre.hidden = true;
    toggle.addEventListener('click', () => {
      if (!pre.textContent) pre.textContent = JSON.stringify(raw, null, 2);
      pre.hidden = !pre.hidden;
      toggle.textContent = t(pre.hidden ? 'detail.rawShow' : 'detail.rawHide');
    });
    parts.push(toggle, pre);
  }
  // A poll redraws the pane: a tag being typed keeps its text and the focus.
  const typing = /** @type {HTMLInputElement | null} */ (document.getElementById('tag-input'));
  const kept = typing && typing.dataset.task === row.id ? { text: typing.value, focused: document.activeElement === typing } : null;
  detail.replaceChildren(...parts);
  const input = /** @type {HTMLInputElement | null} */ (document.getElementById('tag-input'));
  if (input && kept) {
    input.value = kept.text;
    if (kept.focused) input.focus();
  }
}

/** Every field of the task as a definition list; empty values are left out. */
function fields(row, task) {
  const lang = language();
  const tk = task || {};
  const up = tk.upstream || {};
  /** @type {[string, string | null | undefined, string?][]} */
  const rows = [
    ['field.status', tk.raw_status],
    ['field.progress', tk.progress != null ? `${tk.progress}%` : null],
    ['field.action', tk.action],
    ['field.prompt', tk.prompt],
    ['field.actualPrompt', up.actual_prompt],
    ['field.submitted', localTime(tk.submitted_at, lang)],
    ['field.started', localTime(tk.started_at, lang)],
    ['field.finished', localTime(tk.finished_at, lang)],
    ['field.resolution', tk.resolution],
    ['field.duration', seconds(tk.duration)],
    ['field.ratio', tk.ratio],
    ['field.failReason', tk.fail_reason, 'fail-reason'],
    ['field.video', tk.video_url, 'video-url'],
    ['field.expires', tk.video_expires_at ? `${localTime(tk.video_expires_at, lang)} (${timeLeft(tk.video_expires_at)})` : null],
    ['field.savedTo', row.saved_path],
    ['field.requestId', tk.request_id],
    ['field.upstreamId', up.task_id],
    ['field.upstreamStatus', up.task_status],
    ['field.upstreamRequestId', up.request_id],
    ['field.upstreamCode', [up.code, up.message].filter(Boolean).join(': ')],
    ['field.upstreamSubmitted', localTime(up.submitted_at, lang)],
    ['field.scheduled', localTime(up.scheduled_at, lang)],
    ['field.ended', localTime(up.ended_at, lang)],
    ['field.billed', seconds(up.billed_duration)],
    ['field.inputDuration', up.input_video_duration ? seconds(up.input_video_duration) : null],
    ['field.videoCount', up.video_count != null ? String(up.video_count) : null],
    ['field.gateway', row.base_url],
    ['field.added', localTime(row.added_at, lang)],
  ];
  const dl = el('dl', 'fields');
  for (const [key, value, cls] of rows) {
    if (value == null || value === '') continue;
    dl.append(el('dt', '', t(key)), el('dd', cls, value));
  }
  return dl;
}
