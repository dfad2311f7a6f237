// The task list and the detail pane: DOM only. Text from the API goes in with textContent.

import { t, has, language } from './i18n.js';
import { ago, timeLeft, localTime, shortId, seconds } from './format.js';

/**
 * @typedef {{code: string, message: string, detail?: string | null}} UiError
 * @typedef {{id: string, task: any | null, raw: any | null, error: UiError | null, pending: boolean, addedAt: number}} Entry
 */

const list = /** @type {HTMLUListElement} */ (document.getElementById('task-list'));
const empty = /** @type {HTMLElement} */ (document.getElementById('empty-state'));
const detail = /** @type {HTMLElement} */ (document.getElementById('detail'));

/** @param {string} tag @param {string} [className] @param {string} [text] */
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

/** @param {Entry} entry */
function statusOf(entry) {
  if (entry.pending && !entry.task) return { cls: 'checking', label: t('status.checking') };
  if (entry.error && !entry.task) return { cls: 'error', label: t('status.error') };
  const task = entry.task;
  if (!task.status_recognized && task.raw_status) return { cls: 'unknown', label: task.raw_status };
  return { cls: task.status, label: t(`status.${task.status}`) };
}

/** A status chip; exported for the detail pane. @param {Entry} entry */
function chip(entry) {
  const s = statusOf(entry);
  const node = el('span', `chip chip-${s.cls}`, s.label);
  node.dataset.status = s.cls;
  return node;
}

/**
 * @param {Entry[]} entries newest first
 * @param {string | null} selectedId
 * @param {(id: string) => void} onSelect
 */
export function renderList(entries, selectedId, onSelect) {
  empty.hidden = entries.length > 0;
  const rows = entries.map((entry) => {
    const li = el('li', 'task-row');
    li.dataset.id = entry.id;
    li.tabIndex = 0;
    li.setAttribute('role', 'button');
    if (entry.id === selectedId) li.classList.add('selected');
    const top = el('div', 'row-top');
    top.append(el('span', 'task-id', shortId(entry.id)), chip(entry));
    li.append(top);
    const task = entry.task;
    if (task && task.progress != null && !['succeeded', 'failed'].includes(task.status)) {
      const bar = el('div', 'progress');
      const fill = el('div', 'progress-fill');
      fill.style.width = `${task.progress}%`;
      bar.append(fill);
      bar.setAttribute('role', 'progressbar');
      bar.setAttribute('aria-valuenow', String(task.progress));
      li.append(bar);
    }
    const meta = el('div', 'row-meta');
    if (task && task.prompt) meta.append(el('span', 'prompt', task.prompt));
    const when = task && task.submitted_at ? ago(task.submitted_at) : '';
    if (when) meta.append(el('span', 'age', when));
    if (task && task.video_expires_at) {
      const left = el('span', 'expiry', timeLeft(task.video_expires_at));
      meta.append(left);
    }
    if (entry.error) meta.append(el('span', 'row-error', errorText(entry.error)));
    li.append(meta);
    li.addEventListener('click', () => onSelect(entry.id));
    li.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        onSelect(entry.id);
      }
    });
    return li;
  });
  list.replaceChildren(...rows);
}

/**
 * @param {Entry | null} entry
 * @param {{onRefresh: (id: string) => void, onCopy: (text: string) => void}} handlers
 */
export function renderDetail(entry, handlers) {
  if (!entry) {
    detail.replaceChildren(el('p', 'detail-placeholder', t('detail.placeholder')));
    return;
  }
  const task = entry.task;
  const head = el('div', 'detail-head');
  const title = el('h2', 'detail-id', entry.id);
  head.append(title, chip(entry));
  const actions = el('div', 'detail-actions');
  const refresh = el('button', 'ghost', t('detail.refresh'));
  refresh.id = 'refresh-task';
  refresh.disabled = entry.pending;
  refresh.addEventListener('click', () => handlers.onRefresh(entry.id));
  const copyId = el('button', 'ghost', t('detail.copyId'));
  copyId.addEventListener('click', () => handlers.onCopy(entry.id));
  actions.append(refresh, copyId);
  if (task && task.video_url) {
    const copyUrl = el('button', 'ghost', t('detail.copyUrl'));
    copyUrl.addEventListener('click', () => handlers.onCopy(task.video_url));
    actions.append(copyUrl);
  }
  const parts = [head, actions];
  if (entry.error) {
    const err = el('p', 'error', errorText(entry.error));
    err.id = 'detail-error';
    err.setAttribute('role', 'alert');
    parts.push(err);
  }
  if (task && task.no_data) parts.push(el('p', 'note', t('detail.noData')));
  if (task) parts.push(fields(task));
  if (entry.raw) {
    const toggle = el('button', 'ghost', t('detail.rawShow'));
    const pre = el('pre', 'raw', JSON.stringify(entry.raw, null, 2));
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
function fields(task) {
  const lang = language();
  const up = task.upstream || {};
  /** @type {[string, string | null | undefined, string?][]} */
  const rows = [
    ['field.status', task.raw_status],
    ['field.progress', task.progress != null ? `${task.progress}%` : null],
    ['field.action', task.action],
    ['field.prompt', task.prompt],
    ['field.actualPrompt', up.actual_prompt],
    ['field.submitted', localTime(task.submitted_at, lang)],
    ['field.started', localTime(task.started_at, lang)],
    ['field.finished', localTime(task.finished_at, lang)],
    ['field.resolution', task.resolution],
    ['field.duration', seconds(task.duration)],
    ['field.ratio', task.ratio],
    ['field.failReason', task.fail_reason, 'fail-reason'],
    ['field.video', task.video_url, 'video-url'],
    ['field.expires', task.video_expires_at ? `${localTime(task.video_expires_at, lang)} (${timeLeft(task.video_expires_at)})` : null],
    ['field.requestId', task.request_id],
    ['field.upstreamId', up.task_id],
    ['field.upstreamStatus', up.task_status],
    ['field.upstreamRequestId', up.request_id],
    ['field.upstreamCode', [up.code, up.message].filter(Boolean).join(': ')],
    ['field.scheduled', localTime(up.scheduled_at, lang)],
    ['field.ended', localTime(up.ended_at, lang)],
    ['field.billed', seconds(up.billed_duration)],
    ['field.inputDuration', up.input_video_duration ? seconds(up.input_video_duration) : null],
    ['field.videoCount', up.video_count != null ? String(up.video_count) : null],
  ];
  const dl = el('dl', 'fields');
  for (const [key, value, cls] of rows) {
    if (value == null || value === '') continue;
    const dd = el('dd', cls, value);
    dl.append(el('dt', '', t(key)), dd);
  }
  return dl;
}
