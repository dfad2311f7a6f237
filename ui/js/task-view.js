// The task list and the detail pane: DOM only. Text from the API goes in with
// textContent. The list is virtual: only the rows in view exist in the DOM, so ten
// thousand tasks scroll and filter without lag.

import { t, has, language } from './i18n.js';
import { ago, timeLeft, localTime, shortId, seconds, bytes } from './format.js';
import { mountPreview } from './media-view.js';

/**
 * @typedef {{code: string, message: string, detail?: string | null}} UiError
 * @typedef {{id: string, base_url: string, added_at: string, tracking: string, status: string | null,
 *   raw_status: string | null, status_recognized: boolean, progress: number | null, prompt: string | null,
 *   submitted_at: string | null, finished_at: string | null, video_url: string | null,
 *   video_expires_at: string | null, saved_path: string | null, fail_reason: string | null,
 *   error: UiError | null, retry_at?: string, waiting: boolean, unseen: boolean, checking: boolean}} Row
 */

/** Fixed row height in pixels; the CSS `.task-row` height matches it. */
export const ROW_HEIGHT = 80;
const OVERSCAN = 6;
/** A link that dies within this many hours, unsaved, is flagged. */
const EXPIRY_WARNING_HOURS = 6;

const scroller = /** @type {HTMLElement} */ (document.getElementById('list-scroller'));
const spacer = /** @type {HTMLElement} */ (document.getElementById('list-spacer'));
const list = /** @type {HTMLUListElement} */ (document.getElementById('task-list'));
const empty = /** @type {HTMLElement} */ (document.getElementById('empty-state'));
const count = /** @type {HTMLElement} */ (document.getElementById('list-count'));
const detail = /** @type {HTMLElement} */ (document.getElementById('detail'));

/** @param {string} tag @param {string} [className] @param {string | null} [text] */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

/** The user-facing sentence for an error code, with the gateway's own words after it. */
export function errorText(/** @type {UiError} */ error) {
  const key = `error.${error.code}`;
  const main = has(key) ? t(key) : error.message || t('error.unknown');
  return error.detail ? `${main} ${t('error.gatewaySays', { detail: error.detail })}` : main;
}

/** "40 s" or "3 min" until an RFC 3339 time. @param {string} iso */
function untilText(iso, now = Date.now()) {
  const secs = Math.max(0, Math.round((Date.parse(iso) - now) / 1000));
  return secs < 60 ? t('unit.seconds', { n: secs }) : t('time.m', { m: Math.ceil(secs / 60) });
}

/** "Waiting, next try in 40 s", or just "Waiting" when the time is not known. @param {Row} row */
function waitingText(row) {
  return row.retry_at ? t('status.waitingFor', { t: untilText(row.retry_at) }) : t('status.waiting');
}

/** The chip's class and label for a row. @param {Row} row */
export function statusOf(row) {
  if (row.tracking === 'not_found') return { cls: 'failed', label: t('status.not_found') };
  if (row.tracking === 'gave_up') return { cls: 'unknown', label: t('status.gave_up') };
  if (!row.status) {
    // A 429, a 5xx or a dropped connection is waited out: calm, not red.
    if (row.waiting) return { cls: 'waiting', label: t('status.waiting') };
    if (row.error) return { cls: 'error', label: t('status.error') };
    return { cls: 'checking', label: t('status.checking') };
  }
  if (!row.status_recognized && row.raw_status) return { cls: 'unknown', label: row.raw_status };
  return { cls: row.status, label: t(`status.${row.status}`) };
}

function chip(row) {
  const s = statusOf(row);
  const node = el('span', `chip chip-${s.cls}`, s.label);
  node.dataset.status = s.cls;
  return node;
}

/** Whether the row's link dies soon and nothing is saved. @param {Row} row */
export function expiringSoon(row, now = Date.now()) {
  if (!row.video_expires_at || row.saved_path) return false;
  const left = Date.parse(row.video_expires_at) - now;
  return left < EXPIRY_WARNING_HOURS * 3600 * 1000;
}

/** @param {Row} row @param {boolean} selected */
function rowElement(row, selected) {
  const li = el('li', 'task-row');
  li.dataset.id = row.id;
  li.tabIndex = 0;
  li.setAttribute('role', 'option');
  li.setAttribute('aria-selected', String(selected));
  if (selected) li.classList.add('selected');
  const top = el('div', 'row-top');
  const idBox = el('span', 'task-id', shortId(row.id));
  if (row.unseen) {
    const dot = el('span', 'unseen-dot');
    dot.title = t('list.new');
    top.append(dot);
  }
  top.append(idBox);
  if (row.checking) top.append(el('span', 'spinner'));
  top.append(chip(row));
  li.append(top);
  if (row.progress != null && row.status && !['succeeded', 'failed'].includes(row.status)) {
    const bar = el('div', 'progress');
    const fill = el('div', 'progress-fill');
    fill.style.width = `${row.progress}%`;
    bar.append(fill);
    bar.setAttribute('role', 'progressbar');
    bar.setAttribute('aria-valuenow', String(row.progress));
    li.append(bar);
  }
  const meta = el('div', 'row-meta');
  const why = row.error ? (row.waiting ? waitingText(row) : errorText(row.error)) : '';
  meta.append(el('span', 'prompt', row.prompt || why));
  const metaRight = el('span', 'meta-right');
  metaRight.append(el('span', 'age', ago(row.submitted_at || row.added_at)));
  if (row.video_expires_at) {
    const left = el('span', expiringSoon(row) ? 'expiry warning' : 'expiry', timeLeft(row.video_expires_at));
    metaRight.append(left);
  }
  if (row.saved_path) metaRight.append(el('span', 'saved', t('list.saved')));
  meta.append(metaRight);
  li.append(meta);
  return li;
}

let visibleRows = /** @type {Row[]} */ ([]);
let selection = /** @type {Set<string>} */ (new Set());

/**
 * Replaces the rows on show (already filtered and sorted).
 * @param {Row[]} rows
 * @param {Set<string>} selected
 * @param {number} total how many tasks exist before filtering
 */
export function renderList(rows, selected, total) {
  visibleRows = rows;
  selection = selected;
  empty.hidden = total > 0;
  spacer.style.height = `${rows.length * ROW_HEIGHT}px`;
  count.textContent = total === 0 ? '' : rows.length === total ? t(total === 1 ? 'list.countOne' : 'list.count', { n: total }) : t('list.countFiltered', { n: rows.length, total });
  paintWindow();
}

/** Renders just the rows inside the scrolled viewport. */
function paintWindow() {
  const first = Math.max(0, Math.floor(scroller.scrollTop / ROW_HEIGHT) - OVERSCAN);
  const inView = Math.ceil(scroller.clientHeight / ROW_HEIGHT) + OVERSCAN * 2;
  const slice = visibleRows.slice(first, first + inView);
  list.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
  list.replaceChildren(...slice.map((row) => rowElement(row, selection.has(row.id))));
}

let scheduled = false;
scroller.addEventListener('scroll', () => {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    paintWindow();
  });
});

/** Scrolls so the row is in view. @param {string} id */
export function reveal(id) {
  const index = visibleRows.findIndex((r) => r.id === id);
  if (index < 0) return;
  const top = index * ROW_HEIGHT;
  if (top < scroller.scrollTop) scroller.scrollTop = top;
  else if (top + ROW_HEIGHT > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = top + ROW_HEIGHT - scroller.clientHeight;
}

/**
 * Clicks and keys on rows: `onSelect(id, {toggle, range})`.
 * @param {(id: string, how: {toggle: boolean, range: boolean}) => void} onSelect
 * @param {(dir: number) => void} onMove
 * @param {() => void} onDelete
 */
export function bindList(onSelect, onMove, onDelete) {
  list.addEventListener('click', (e) => {
    const li = /** @type {HTMLElement} */ (e.target).closest('.task-row');
    if (li) onSelect(li.dataset.id, { toggle: e.ctrlKey || e.metaKey, range: e.shiftKey });
  });
  list.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      onMove(e.key === 'ArrowDown' ? 1 : -1);
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      onDelete();
    } else if (e.key === 'Enter' || e.key === ' ') {
      const li = /** @type {HTMLElement} */ (e.target).closest('.task-row');
      if (li) {
        e.preventDefault();
        onSelect(li.dataset.id, { toggle: false, range: false });
      }
    }
  });
}

/** Moves keyboard focus to a row if it is painted. @param {string} id */
export function focusRow(id) {
  const li = list.querySelector(`.task-row[data-id="${CSS.escape(id)}"]`);
  if (li) /** @type {HTMLElement} */ (li).focus();
}

/**
 * @typedef {{received: number, total: number | null, bytes_per_sec: number}} DownloadProgress
 * @typedef {{onRefresh: (id: string) => void, onCopy: (text: string) => void, onRemove: (ids: string[]) => void,
 *   onSave: (id: string) => void, onCancelSave: (id: string) => void, onShowInFolder: (id: string) => void,
 *   onOpenExternal: (id: string) => void}} DetailHandlers
 */

/**
 * The save controls: a button, a progress bar while saving, or where it was saved.
 * @param {import('./task-view.js').Row} row
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
    const params = { received: bytes(progress.received), total: progress.total ? bytes(progress.total) : '', speed: bytes(progress.bytes_per_sec) };
    const text = el('span', 'save-progress', t(progress.total ? 'save.progress' : 'save.progressUnknown', params));
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
  const expiredLink = row.video_expires_at != null && Date.parse(row.video_expires_at) <= Date.now();
  if (!expiredLink) {
    const save = el('button', row.saved_path ? 'ghost' : 'primary', t(row.saved_path ? 'save.again' : 'save.button'));
    save.id = 'save-video';
    save.addEventListener('click', () => handlers.onSave(row.id));
    box.append(save);
  }
  return box;
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
  const remove = el('button', 'ghost danger', t('detail.remove'));
  remove.id = 'remove-task';
  remove.addEventListener('click', () => handlers.onRemove([row.id]));
  actions.append(remove);
  const parts = [head, actions];
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
    const pre = el('pre', 'raw', JSON.stringify(raw, null, 2));
    pre.hidden = true;
    toggle.addEventListener('click', () => {
      pre.hidden = !pre.hidden;
      toggle.textContent = t(pre.hidden ? 'detail.rawShow' : 'detail.rawHide');
    });
    parts.push(toggle, pre);
  }
  detail.replaceChildren(...parts);
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
