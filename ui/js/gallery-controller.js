// The gallery's side of the controller: which view is on (remembered), the card
// size, posters (which exist, which are being made, why one cannot be), and the
// one card that plays while hovered.

import * as api from './api.js';
import { byId } from './dom.js';
import { t } from './i18n.js';
import { linkExpired, errorText } from './status.js';
import { showToast, rememberedView, rememberView } from './shell-view.js';
import * as store_ from './store.js';
import { renderGallery, bindGallery, revealCard, focusCard, setCardWidth, setPosterLookup, cardOf } from './gallery-view.js';
import { createPosterMaker } from './poster-maker.js';

const SIZE_KEY = 'paddock.cardWidth';

/**
 * @param {import('./store.js').Store} store
 * @param {{select: (id: string, how?: any, focus?: boolean) => void, toggleStar: (id: string | null) => void,
 *   remove: (ids: string[]) => void, rerender: () => void, compare: (id: string) => void}} host
 */
export function createGalleryController(store, host) {
  const posters = new Set();
  /** Why a finished take has no poster: task ID → the string key of the reason. */
  const reasons = new Map();
  /** Playable URLs of saved copies, asked for once per task. */
  const localUrls = new Map();
  let hovered = /** @type {string | null} */ (null);
  const maker = createPosterMaker({
    onMade: (id) => {
      posters.add(id);
      host.rerender();
    },
    onFailed: (id, reason) => {
      reasons.set(id, reason);
      host.rerender();
    },
  });

  setPosterLookup((row) => {
    if (posters.has(row.id)) return { url: api.posterUrl(row.id), reason: null };
    // A dead link with nothing saved has no frame to give: say so without asking.
    if (row.status === 'succeeded' && !row.saved_path && linkExpired(row)) return { url: null, reason: t('gallery.linkDead') };
    if (row.status === 'succeeded') maker.want(row.id);
    const reason = reasons.get(row.id);
    return { url: null, reason: reason ? t(reason) : null };
  });

  const active = () => store.view === 'gallery';

  /** @param {string} view 'list' | 'gallery' */
  function show(view) {
    store.view = view === 'gallery' ? 'gallery' : 'list';
    rememberView(store.view);
    const gallery = active();
    byId('list-scroller').hidden = gallery;
    byId('gallery-scroller').hidden = !gallery;
    byId('card-size').hidden = !gallery;
    document.querySelector('.layout')?.classList.toggle('gallery-mode', gallery);
    byId('view-list').setAttribute('aria-pressed', String(!gallery));
    byId('view-gallery').setAttribute('aria-pressed', String(gallery));
    if (!gallery) hover(null);
    host.rerender();
  }

  /** Where a task's video plays from: the saved copy, else the live link. @param {string} id */
  async function playableUrl(id) {
    const row = store.rows.get(id);
    if (!row || row.status !== 'succeeded') return null;
    if (row.saved_path) {
      if (!localUrls.has(id)) localUrls.set(id, (await api.taskDetail(id).catch(() => null))?.local_video_url ?? null);
      if (localUrls.get(id)) return localUrls.get(id);
    }
    return row.video_url && !linkExpired(row) ? row.video_url : null;
  }

  /** Plays the hovered card muted and looped; only one plays. @param {string | null} id */
  async function hover(id) {
    if (id === hovered) return;
    const previous = hovered ? cardOf(hovered) : null;
    previous?.querySelectorAll('video').forEach((v) => {
      v.pause();
      v.removeAttribute('src');
      v.load();
      v.remove();
    });
    hovered = id;
    if (!id) return;
    const url = await playableUrl(id);
    const node = cardOf(id);
    // Hovered again while the URL was asked for: one video is enough.
    if (!url || hovered !== id || !node || node.querySelector('video')) return;
    const video = /** @type {HTMLVideoElement} */ (document.createElement('video'));
    video.className = 'hover-video';
    video.muted = true;
    video.loop = true;
    video.playsInline = true;
    video.autoplay = true;
    video.src = url;
    node.querySelector('.poster-box')?.prepend(video);
  }

  /** Space on a card: plays or pauses it. @param {string} id */
  async function playPause(id) {
    const video = /** @type {HTMLVideoElement | null} */ (cardOf(id)?.querySelector('video') ?? null);
    if (!video) return hover(id);
    if (video.paused) video.play().catch(() => {});
    else video.pause();
  }

  function bind() {
    store.view = rememberedView();
    const size = /** @type {HTMLInputElement} */ (byId('card-size'));
    size.value = localStorage.getItem(SIZE_KEY) ?? size.value;
    setCardWidth(Number(size.value));
    size.addEventListener('input', () => {
      localStorage.setItem(SIZE_KEY, size.value);
      setCardWidth(Number(size.value));
    });
    byId('view-list').addEventListener('click', () => show('list'));
    byId('view-gallery').addEventListener('click', () => show('gallery'));
    document.addEventListener('keydown', (e) => {
      const target = /** @type {HTMLElement} */ (e.target);
      if (e.key.toLowerCase() !== 'g' || e.ctrlKey || e.metaKey || e.altKey) return;
      if (target.closest('input, textarea, select, dialog')) return;
      e.preventDefault();
      show(active() ? 'list' : 'gallery');
    });
    bindGallery({
      onSelect: host.select,
      onStar: host.toggleStar,
      onMove: (step) => {
        const next = store_.neighbour(store, step);
        if (next) host.select(next);
      },
      onDelete: () => host.remove([...store.selected]),
      onHover: hover,
      onPlayPause: playPause,
      onCompare: host.compare,
      // A card in the selection drags the whole selection.
      onDragOut: (id) => {
        const ids = store.selected.has(id) ? [...store.selected] : [id];
        api.dragOut(ids).catch((error) => showToast(errorText(error)));
      },
    });
    show(store.view);
  }

  return {
    active,
    bind,
    /** Takes which tasks have posters (once, at start). @param {Promise<string[]>} ids */
    async load(ids) {
      (await ids.catch(() => [])).forEach((id) => posters.add(id));
    },
    render: () => renderGallery(store.shown, store.selected),
    reveal: revealCard,
    focus: focusCard,
  };
}
