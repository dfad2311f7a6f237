// The compare dialog: 2 to 4 takes side by side (or 2×2), each with its facts and
// the differences marked, under one play/pause and one scrubber. DOM only; text
// from the API goes in with textContent.

import { t } from './i18n.js';
import { el, byId } from './dom.js';
import { FACTS, layoutFor, differing } from './compare.js';
import { starButton } from './list-view.js';

const dialog = /** @type {HTMLDialogElement} */ (byId('compare-dialog'));
const panes = /** @type {HTMLElement} */ (byId('compare-panes'));
const playButton = /** @type {HTMLButtonElement} */ (byId('compare-play'));
const scrubber = /** @type {HTMLInputElement} */ (byId('compare-scrubber'));
const clock = /** @type {HTMLElement} */ (byId('compare-time'));

/**
 * @typedef {{id: string, facts: Record<string, string>, url: string | null, reason: string,
 *   starred: boolean, saved: boolean}} Take
 */

/** A pane's star, in the Tab order (the dialog has no `S`). @param {boolean} on @param {() => void} onClick */
export function starFor(on, onClick) {
  const star = starButton(on);
  star.tabIndex = 0;
  star.addEventListener('click', onClick);
  return star;
}

/** @param {Take} take @param {{onStar: (id: string) => void, onSave: (id: string) => void}} h */
function actions(take, h) {
  const box = el('div', 'compare-actions');
  box.append(starFor(take.starred, () => h.onStar(take.id)));
  if (!take.saved && take.url) {
    const save = el('button', 'ghost', t('save.button'));
    save.type = 'button';
    save.addEventListener('click', () => h.onSave(take.id));
    box.append(save);
  }
  return box;
}

/**
 * Draws the panes; returns their videos (the first one has the sound).
 * @param {Take[]} takes @param {{onStar: (id: string) => void, onSave: (id: string) => void}} h
 * @returns {HTMLVideoElement[]}
 */
export function renderCompare(takes, h) {
  const diff = differing(takes.map((x) => x.facts));
  panes.className = `compare-panes ${layoutFor(takes.length)}`;
  const videos = /** @type {HTMLVideoElement[]} */ ([]);
  panes.replaceChildren(...takes.map((take) => {
    const pane = el('section', 'compare-pane');
    pane.dataset.id = take.id;
    const screen = el('div', 'compare-screen');
    if (take.url) {
      const video = /** @type {HTMLVideoElement} */ (document.createElement('video'));
      video.preload = 'auto';
      video.playsInline = true;
      video.muted = videos.length > 0;
      video.src = take.url;
      screen.append(video);
      videos.push(video);
    } else {
      screen.append(el('p', 'poster-placeholder', take.reason));
    }
    const facts = el('dl', 'compare-facts');
    for (const name of FACTS) {
      facts.append(el('dt', null, t(`compare.${name}`)));
      const value = el('dd', diff.has(name) ? 'differs' : '', take.facts[name] || '—');
      if (diff.has(name)) value.title = t('compare.differs');
      facts.append(value);
    }
    pane.append(screen, facts, actions(take, h));
    return pane;
  }));
  return videos;
}

/** @param {number} s */
const mmss = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}.${Math.floor((s % 1) * 10)}`;

/** @param {number} current @param {number} total seconds */
export function showTime(current, total) {
  scrubber.max = String(total || 0);
  if (document.activeElement !== scrubber) scrubber.value = String(current);
  clock.textContent = `${mmss(current)} / ${mmss(total || 0)}`;
}

/** @param {boolean} playing */
export function showPlaying(playing) {
  playButton.textContent = t(playing ? 'compare.pause' : 'compare.play');
}

export const openCompare = () => dialog.showModal();
export const compareOpen = () => dialog.open;

/** @param {{onPlayPause: () => void, onSeek: (s: number) => void, onClose: () => void}} h */
export function bindCompare(h) {
  playButton.addEventListener('click', h.onPlayPause);
  scrubber.addEventListener('input', () => h.onSeek(Number(scrubber.value)));
  byId('compare-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', h.onClose);
  dialog.addEventListener('keydown', (e) => {
    if (e.key === ' ' && !(/** @type {HTMLElement} */ (e.target).closest('button, input'))) {
      e.preventDefault();
      h.onPlayPause();
    }
  });
}
