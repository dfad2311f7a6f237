// Compare's controller: which takes are in the comparison (`C`), opening it, and
// keeping the panes in step: one play/pause, one scrubber, and a pane that drifts
// from the first is moved back to it.

import * as api from './api.js';
import { t } from './i18n.js';
import { byId } from './dom.js';
import { errorText, linkExpired } from './status.js';
import { factsOf, toggleCompared, drifted } from './compare.js';
import { renderCompare, openCompare, compareOpen, showTime, showPlaying, bindCompare } from './compare-view.js';
import { showToast } from './shell-view.js';

/**
 * @param {import('./store.js').Store} store
 * @param {{save: (id: string) => void, changed: () => void}} host
 */
export function createCompareController(store, host) {
  let videos = /** @type {HTMLVideoElement[]} */ ([]);
  let frame = 0;
  const button = /** @type {HTMLButtonElement} */ (byId('compare-button'));

  function showButton() {
    const n = store.compared.length;
    button.hidden = n === 0;
    button.disabled = n < 2;
    button.textContent = t('compare.button', { n });
    button.title = t('compare.hint');
  }

  /** `C` on a card or row: in or out of the comparison. @param {string} id */
  function toggle(id) {
    store.compared = toggleCompared(store.compared, id);
    showButton();
    host.changed();
  }

  /** The take as a pane shows it. @param {string} id */
  async function take(id) {
    const row = store.rows.get(id);
    const detail = await api.taskDetail(id).catch(() => null);
    const url = detail?.local_video_url ?? (row?.video_url && !linkExpired(row) ? row.video_url : null);
    return {
      id,
      facts: factsOf(detail),
      url,
      reason: url ? '' : t('gallery.linkDead'),
      starred: row?.starred === true,
      saved: Boolean(row?.saved_path),
    };
  }

  const longest = () => Math.max(0, ...videos.map((v) => (Number.isFinite(v.duration) ? v.duration : 0)));

  /** Every frame while open: the clock, and panes pulled back to the first. */
  function follow() {
    const [leader, ...others] = videos;
    if (leader) {
      showTime(leader.currentTime, longest());
      if (!leader.paused) {
        for (const v of others) if (drifted(leader.currentTime, v.currentTime) && leader.currentTime < v.duration) v.currentTime = leader.currentTime;
      }
      showPlaying(!leader.paused);
    }
    frame = requestAnimationFrame(follow);
  }

  async function open() {
    if (store.compared.length < 2) return;
    const takes = await Promise.all(store.compared.map(take));
    const draw = () => {
      videos = renderCompare(takes, {
        onStar: async (id) => {
          const item = takes.find((x) => x.id === id);
          if (!item) return;
          try {
            await api.setStarred([id], !item.starred);
            item.starred = !item.starred;
            const at = videos.map((v) => v.currentTime);
            draw();
            videos.forEach((v, i) => { v.currentTime = at[i] ?? 0; });
          } catch (error) {
            showToast(errorText(error));
          }
        },
        onSave: host.save,
      });
    };
    draw();
    openCompare();
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(follow);
  }

  function playPause() {
    const anyPaused = videos.some((v) => v.paused);
    if (anyPaused) {
      const at = videos[0]?.currentTime ?? 0;
      for (const v of videos) {
        if (at < v.duration) v.currentTime = at;
        v.play().catch(() => {});
      }
    } else {
      for (const v of videos) v.pause();
    }
  }

  /** @param {number} seconds */
  function seek(seconds) {
    for (const v of videos) v.currentTime = Math.min(seconds, Number.isFinite(v.duration) ? v.duration : seconds);
  }

  function close() {
    cancelAnimationFrame(frame);
    for (const v of videos) {
      v.pause();
      v.removeAttribute('src');
      v.load();
    }
    videos = [];
  }

  function bind() {
    button.addEventListener('click', open);
    bindCompare({ onPlayPause: playPause, onSeek: seek, onClose: close });
    showButton();
  }

  return { bind, toggle, open, isOpen: compareOpen, showButton };
}
