// Compare's controller: which takes are in the comparison (`C`), opening it, and
// keeping the panes in step: one play/pause, one scrubber, and a pane that drifts
// from the first is moved back to it.

import * as api from './api.js';
import { t } from './i18n.js';
import { byId } from './dom.js';
import { errorText, linkExpired } from './status.js';
import { factsOf, toggleCompared, drifted } from './compare.js';
import { renderCompare, openCompare, compareOpen, showTime, showPlaying, bindCompare, starFor } from './compare-view.js';
import { showToast } from './shell-view.js';

/**
 * @param {import('./store.js').Store} store
 * @param {{save: (id: string) => void, changed: () => void}} host
 */
export function createCompareController(store, host) {
  let videos = /** @type {HTMLVideoElement[]} */ ([]);
  let frame = 0;
  let corrected = 0;
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
      // A pane that drifted (a seek that landed elsewhere, a stall while playing) is
      // moved back, at most twice a second, and never while it is still seeking or
      // buffering (a seek on every frame would freeze it).
      const now = performance.now();
      if (!leader.seeking && now - corrected > 500) {
        for (const v of others) {
          if (v.seeking || v.readyState < 3 || !drifted(leader.currentTime, v.currentTime) || leader.currentTime >= v.duration) continue;
          v.currentTime = leader.currentTime;
          corrected = now;
        }
      }
      showPlaying(!leader.paused);
    }
    frame = requestAnimationFrame(follow);
  }

  async function open() {
    if (store.compared.length < 2) return;
    performance.mark('compare-asked'); // read by the e2e test when Compare does not open
    const takes = await Promise.all(store.compared.map(take));
    performance.mark('compare-takes');
    /** Stars or unstars one take; only its star is drawn again, the videos play on. @param {string} id */
    async function star(id) {
      const item = takes.find((x) => x.id === id);
      if (!item) return;
      try {
        await api.setStarred([id], !item.starred);
        item.starred = !item.starred;
        const old = document.querySelector(`#compare-panes .compare-pane[data-id="${CSS.escape(id)}"] .star-toggle`);
        old?.replaceWith(starFor(item.starred, () => star(id)));
      } catch (error) {
        showToast(errorText(error));
      }
    }
    videos = renderCompare(takes, { onStar: star, onSave: host.save });
    // The scrubber's range and the clock follow the videos' own events too: frames
    // are not promised while the machine is busy.
    const clock = () => videos[0] && showTime(videos[0].currentTime, longest());
    for (const v of videos) v.addEventListener('durationchange', clock);
    videos[0]?.addEventListener('timeupdate', clock);
    for (const name of ['play', 'pause']) videos[0]?.addEventListener(name, () => showPlaying(!videos[0]?.paused));
    openCompare();
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(follow);
  }

  /** One pause for all, decided by the first pane (a shorter take that ended stays ended). */
  function playPause() {
    if (videos[0]?.paused) {
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
