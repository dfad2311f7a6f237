// The task list: DOM only. The list is virtual: only the rows in view exist in the
// DOM, so ten thousand tasks scroll and filter without lag. Text from the API goes
// in with textContent.

import { t } from './i18n.js';
import { ago, timeLeft, shortId } from './format.js';
import { statusOf, reasonText, expiringSoon } from './status.js';
import { el, byId } from './dom.js';

/** @typedef {import('./status.js').Row} Row */

/** Fixed row height in pixels; the CSS `.task-row` height matches it. */
export const ROW_HEIGHT = 80;
const OVERSCAN = 6;

const scroller = /** @type {HTMLElement} */ (byId('list-scroller'));
const spacer = /** @type {HTMLElement} */ (byId('list-spacer'));
const list = /** @type {HTMLUListElement} */ (byId('task-list'));
const empty = /** @type {HTMLElement} */ (byId('empty-state'));
const count = /** @type {HTMLElement} */ (byId('list-count'));

/** The status chip of a row, also used by the detail pane. @param {Row} row */
export function chip(row) {
  const s = statusOf(row);
  const node = el('span', `chip chip-${s.cls}`, s.label);
  node.dataset.status = s.cls;
  return node;
}

/** The takes picked for Compare: their rows and cards carry a mark. */
export let compared = /** @type {Set<string>} */ (new Set());

/** @param {string[]} ids */
export function markCompared(ids) {
  compared = new Set(ids);
}

/** A star toggle, for rows, cards and Compare; out of the Tab order (`S` stars). @param {boolean} on */
export function starButton(on) {
  const star = el('button', on ? 'star-toggle on' : 'star-toggle', on ? '★' : '☆');
  star.type = 'button';
  star.tabIndex = -1;
  star.title = t(on ? 'list.unstar' : 'list.star');
  star.setAttribute('aria-pressed', String(on));
  return star;
}

/** @param {Row} row @param {boolean} selected */
function rowElement(row, selected) {
  const li = el('li', 'task-row');
  if (compared.has(row.id)) li.classList.add('compared');
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
  top.append(starButton(row.starred === true));
  if (row.model) top.append(el('span', 'tag', t('create.createdHere')));
  if (compared.has(row.id)) top.append(el('span', 'tag compared-tag', t('compare.title')));
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
  meta.append(el('span', 'prompt', row.prompt || reasonText(row)));
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
 */
export function renderList(rows, selected) {
  visibleRows = rows;
  selection = selected;
  spacer.style.height = `${rows.length * ROW_HEIGHT}px`;
  paintWindow();
}

/** "12 tasks" or "3 of 12 tasks" under either view, and the empty state. @param {number} shown @param {number} total */
export function showCount(shown, total) {
  empty.hidden = total > 0;
  count.textContent = total === 0 ? '' : shown === total ? t(total === 1 ? 'list.countOne' : 'list.count', { n: total }) : t('list.countFiltered', { n: shown, total });
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
 * @param {(id: string | null) => void} onStar a row's star, or `S` on the selection (null)
 * @param {{onCompare: (id: string) => void, onPlayPause: () => void}} more `C` and Space
 */
export function bindList(onSelect, onMove, onDelete, onStar, more) {
  list.addEventListener('click', (e) => {
    const li = /** @type {HTMLElement} */ (e.target).closest('.task-row');
    if (li && /** @type {HTMLElement} */ (e.target).closest('.star-toggle')) {
      onStar(li.dataset.id);
      return;
    }
    if (li) onSelect(li.dataset.id, { toggle: e.ctrlKey || e.metaKey, range: e.shiftKey });
  });
  list.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      onMove(e.key === 'ArrowDown' ? 1 : -1);
    } else if (e.key.toLowerCase() === 's' && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      onStar(null);
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      onDelete();
    } else if (e.key.toLowerCase() === 'c' && !e.ctrlKey && !e.metaKey && !e.altKey) {
      const li = /** @type {HTMLElement} */ (e.target).closest('.task-row');
      if (li) {
        e.preventDefault();
        more.onCompare(li.dataset.id);
      }
    } else if (e.key === ' ') {
      e.preventDefault();
      more.onPlayPause();
    } else if (e.key === 'Enter') {
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

