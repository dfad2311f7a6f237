// The gallery: every task as a card, finished takes with their poster. DOM only,
// and virtual like the list: only the rows of cards in view exist, so thousands of
// takes scroll without lag. Text from the API goes in with textContent.

import { t, language } from './i18n.js';
import { timeLeft, shortId, seconds } from './format.js';
import { expiringSoon, reasonText } from './status.js';
import { el, byId } from './dom.js';
import { chip, compared, starButton } from './list-view.js';

/** @typedef {import('./status.js').Row} Row */

const GAP = 10;
/** The text strip under a poster; `.card-info` in the CSS has this height. */
const INFO_HEIGHT = 44;
const OVERSCAN_ROWS = 2;

const scroller = /** @type {HTMLElement} */ (byId('gallery-scroller'));
const spacer = /** @type {HTMLElement} */ (byId('gallery-spacer'));
const grid = /** @type {HTMLElement} */ (byId('gallery-grid'));

let shown = /** @type {Row[]} */ ([]);
let selection = /** @type {Set<string>} */ (new Set());
/** The size the slider asks for; cards stretch from it to fill the row. */
let targetWidth = 240;
let cardWidth = 240;
/** What a card needs besides its row: poster URL or the reason there is none. */
let posterOf = /** @type {(row: Row) => {url: string | null, reason: string | null}} */ (() => ({ url: null, reason: null }));

/** The row each card was drawn from (rows are replaced, never changed, when a task changes). */
const drawnRow = /** @type {WeakMap<Element, Row>} */ (new WeakMap());

/** @param {(row: Row) => {url: string | null, reason: string | null}} lookup */
export function setPosterLookup(lookup) {
  posterOf = lookup;
}

/** @param {number} width */
export function setCardWidth(width) {
  targetWidth = width;
  paintWindow();
}

/** How many cards of the asked size fit across. */
export function columns() {
  return Math.max(1, Math.floor((scroller.clientWidth - GAP) / (targetWidth + GAP)));
}

const posterHeight = () => Math.round((cardWidth * 9) / 16);
const rowHeight = () => posterHeight() + INFO_HEIGHT + GAP;

/** @param {Row} row */
function badges(row) {
  const box = el('div', 'card-badges');
  for (const text of [row.duration != null ? seconds(row.duration) : '', row.resolution ?? '', row.ratio ?? '']) {
    if (text) box.append(el('span', 'badge', text));
  }
  return box;
}

/** @param {Row} row */
function posterBox(row) {
  const box = el('div', 'poster-box');
  box.style.height = `${posterHeight()}px`;
  const poster = posterOf(row);
  if (poster.url) {
    const img = /** @type {HTMLImageElement} */ (el('img', 'poster'));
    img.decoding = 'async';
    img.loading = 'lazy';
    img.alt = '';
    img.width = cardWidth;
    img.height = posterHeight();
    img.src = poster.url;
    box.append(img);
  } else {
    const text = row.status === 'succeeded' ? poster.reason ?? t('gallery.makingPoster') : row.fail_reason || reasonText(row) || '';
    box.append(el('p', 'poster-placeholder', text));
    if (row.progress != null && row.status && !['succeeded', 'failed'].includes(row.status)) {
      const bar = el('div', 'progress');
      const fill = el('div', 'progress-fill');
      fill.style.width = `${row.progress}%`;
      bar.append(fill);
      box.append(bar);
    }
  }
  const top = el('div', 'card-top');
  top.append(chip(row));
  top.append(starButton(row.starred === true));
  box.append(top, badges(row));
  if (expiringSoon(row)) box.append(el('span', 'badge expiry-badge', timeLeft(row.video_expires_at)));
  return box;
}

/** @param {Row} row */
function card(row) {
  const node = el('div', 'card');
  node.dataset.id = row.id;
  node.tabIndex = 0;
  node.draggable = Boolean(row.saved_path);
  node.setAttribute('role', 'option');
  const selected = selection.has(row.id);
  node.setAttribute('aria-selected', String(selected));
  if (selected) node.classList.add('selected');
  node.style.width = `${cardWidth}px`;
  if (compared.has(row.id)) node.classList.add('compared');
  const info = el('div', 'card-info');
  info.append(el('span', 'prompt', row.prompt || shortId(row.id)));
  if (row.unseen) info.prepend(el('span', 'unseen-dot'));
  node.append(posterBox(row), info);
  return node;
}

/**
 * Replaces the cards on show (already filtered and sorted).
 * @param {Row[]} rows @param {Set<string>} selected
 */
export function renderGallery(rows, selected) {
  shown = rows;
  selection = selected;
  paintWindow();
}

/** Draws the rows of cards inside the scrolled viewport, keeping a playing card. */
function paintWindow() {
  if (scroller.hidden) return;
  const perRow = columns();
  cardWidth = Math.max(80, Math.floor((scroller.clientWidth - GAP * (perRow + 1)) / perRow));
  const height = rowHeight();
  spacer.style.height = `${Math.ceil(shown.length / perRow) * height}px`;
  const firstRow = Math.max(0, Math.floor(scroller.scrollTop / height) - OVERSCAN_ROWS);
  const rowsInView = Math.ceil(scroller.clientHeight / height) + OVERSCAN_ROWS * 2;
  const slice = shown.slice(firstRow * perRow, (firstRow + rowsInView) * perRow);
  grid.style.transform = `translateY(${firstRow * height}px)`;
  grid.style.gridTemplateColumns = `repeat(${perRow}, ${cardWidth}px)`;
  const playing = grid.querySelector('.card video')?.closest('.card');
  const focused = document.activeElement?.closest?.('.card');
  const focusedId = focused instanceof HTMLElement ? focused.dataset.id : null;
  const leaving = [...grid.children];
  const drawn = new Map(leaving.map((c) => [/** @type {HTMLElement} */ (c).dataset.id, /** @type {HTMLElement} */ (c)]));
  grid.replaceChildren(...slice.map((row) => {
    const id = row.id;
    // A card still in view that shows the same is kept (scrolling a little makes
    // a row of cards, not a screenful); a changed one is drawn afresh, and a video
    // playing in it moves over (it goes on playing: it is back in the page within
    // the same task).
    const old = drawn.get(id);
    if (old && drawnRow.get(old) === row && old.dataset.row === rowKey(row)) {
      old.classList.toggle('selected', selection.has(id));
      old.setAttribute('aria-selected', String(selection.has(id)));
      return old;
    }
    const fresh = card(row);
    fresh.dataset.row = rowKey(row);
    drawnRow.set(fresh, row);
    const video = old === playing ? old?.querySelector('video') : null;
    if (video) fresh.querySelector('.poster-box')?.prepend(video);
    return fresh;
  }));
  // A card scrolled away lets go of its poster now, not when its element is
  // collected: WebKit keeps an image's decoded pixels while an element refers to
  // it, and scrolling 3,000 posters would keep hundreds of MiB.
  for (const node of leaving) {
    if (!node.isConnected) node.querySelectorAll('img').forEach((img) => img.removeAttribute('src'));
  }
  // Taking the cards out and in loses the keyboard focus: give it back.
  if (focusedId && document.activeElement === document.body) cardOf(focusedId)?.focus({ preventScroll: true });
}

/** What a card shows besides its row (a changed task is a new row: `drawnRow`). @param {Row} row */
function rowKey(row) {
  const poster = posterOf(row);
  return [language(), cardWidth, compared.has(row.id), poster.url, poster.reason, expiringSoon(row) ? timeLeft(row.video_expires_at) : '', reasonText(row)].join('|');
}

let scheduled = false;
const repaintSoon = () => {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    paintWindow();
  });
};
scroller.addEventListener('scroll', repaintSoon);
new ResizeObserver(repaintSoon).observe(scroller);

/** Scrolls so the card is in view. @param {string} id */
export function revealCard(id) {
  const index = shown.findIndex((r) => r.id === id);
  if (index < 0) return;
  const top = Math.floor(index / columns()) * rowHeight();
  if (top < scroller.scrollTop) scroller.scrollTop = top;
  else if (top + rowHeight() > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = top + rowHeight() - scroller.clientHeight;
  paintWindow();
}

/** Moves keyboard focus to a card if it is drawn. @param {string} id */
export function focusCard(id) {
  const node = grid.querySelector(`.card[data-id="${CSS.escape(id)}"]`);
  if (node) /** @type {HTMLElement} */ (node).focus();
}

/** The card element of a task, if drawn. @param {string} id */
export const cardOf = (id) => /** @type {HTMLElement | null} */ (grid.querySelector(`.card[data-id="${CSS.escape(id)}"]`));

/**
 * Clicks, hovers and keys on cards.
 * @param {{onSelect: (id: string, how: {toggle: boolean, range: boolean}) => void,
 *   onStar: (id: string | null) => void, onMove: (step: number) => void, onDelete: () => void,
 *   onHover: (id: string | null) => void, onPlayPause: (id: string) => void, onCompare: (id: string) => void,
 *   onDragOut: (id: string) => void}} h
 */
export function bindGallery(h) {
  grid.addEventListener('click', (e) => {
    const node = /** @type {HTMLElement} */ (e.target).closest('.card');
    if (!node) return;
    if (/** @type {HTMLElement} */ (e.target).closest('.star-toggle')) h.onStar(node.dataset.id);
    else h.onSelect(node.dataset.id, { toggle: e.ctrlKey || e.metaKey, range: e.shiftKey });
  });
  grid.addEventListener('mouseover', (e) => {
    const node = /** @type {HTMLElement} */ (e.target).closest('.card');
    h.onHover(node ? node.dataset.id : null);
  });
  grid.addEventListener('mouseleave', () => h.onHover(null));
  // The page's own drag is replaced by the system's: saved files, as the OS drags them.
  grid.addEventListener('dragstart', (e) => {
    const node = /** @type {HTMLElement} */ (e.target).closest('.card');
    if (!node) return;
    e.preventDefault();
    h.onDragOut(node.dataset.id);
  });
  grid.addEventListener('keydown', (e) => {
    const node = /** @type {HTMLElement} */ (e.target).closest('.card');
    if (!node || e.ctrlKey || e.metaKey || e.altKey) return;
    const steps = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -columns(), ArrowDown: columns() };
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const actions = {
      Enter: () => h.onSelect(node.dataset.id, { toggle: false, range: false }),
      ' ': () => h.onPlayPause(node.dataset.id),
      s: () => h.onStar(null),
      c: () => h.onCompare(node.dataset.id),
      Delete: h.onDelete,
      Backspace: h.onDelete,
    };
    const run = key in steps ? () => h.onMove(steps[key]) : actions[key];
    if (!run) return;
    e.preventDefault();
    run();
  });
}
