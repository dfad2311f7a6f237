// Makes posters: a frame of a task's video drawn into a canvas and kept by the
// backend as a small JPEG. The video comes through Paddock's loopback media server
// (the saved copy, or the live link relayed), which allows this page's origin, so
// the canvas is not tainted. One at a time, in the background, only for cards
// the user can see.

import * as api from './api.js';

/** Poster width in pixels; the height follows the video. */
const POSTER_WIDTH = 384;
/** A video that has not given a frame by then gets a reason instead. */
const FRAME_TIMEOUT_MS = 20000;

/**
 * Draws one frame of `src` (a moment in, not the often black first frame) as JPEG.
 * @param {string} src
 * @returns {Promise<Uint8Array>}
 */
export function drawFrame(src) {
  return new Promise((resolve, reject) => {
    const video = document.createElement('video');
    video.crossOrigin = 'anonymous';
    video.muted = true;
    video.preload = 'auto';
    const timer = setTimeout(() => finish(new Error('timeout')), FRAME_TIMEOUT_MS);
    /** @param {Error | null} error @param {Uint8Array} [bytes] */
    function finish(error, bytes) {
      clearTimeout(timer);
      video.removeAttribute('src');
      video.load();
      if (error) reject(error);
      else resolve(/** @type {Uint8Array} */ (bytes));
    }
    video.addEventListener('loadedmetadata', () => {
      const d = Number.isFinite(video.duration) ? video.duration : 0;
      video.currentTime = Math.min(1, d / 4);
    });
    video.addEventListener('seeked', () => {
      const w = POSTER_WIDTH;
      const h = Math.max(1, Math.round((w * (video.videoHeight || 9)) / (video.videoWidth || 16)));
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext('2d');
      if (!ctx) return finish(new Error('canvas'));
      try {
        ctx.drawImage(video, 0, 0, w, h);
      } catch (e) {
        return finish(/** @type {Error} */ (e));
      }
      canvas.toBlob(async (blob) => {
        if (!blob) return finish(new Error('encode'));
        finish(null, new Uint8Array(await blob.arrayBuffer()));
      }, 'image/jpeg', 0.82);
    }, { once: true });
    video.addEventListener('error', () => {
      const code = video.error?.code;
      // 3 and 4: the file is there but cannot be decoded here.
      finish(new Error(code === 3 || code === 4 ? 'codec' : 'network'));
    });
    video.src = src;
  });
}

/** The string key of the card's words for why there is no poster. @param {any} error */
function reasonOf(error) {
  const code = error?.code ?? error?.message;
  if (code === 'link_expired') return 'gallery.linkDead';
  if (code === 'no_video' || code === 'saved_copy_gone') return 'gallery.noVideo';
  if (code === 'codec') return 'gallery.noCodec';
  if (code === 'timeout') return 'gallery.posterTimeout';
  return 'gallery.posterFailed';
}

/**
 * @param {{onMade: (id: string) => void, onFailed: (id: string, reasonKey: string) => void}} report
 */
export function createPosterMaker(report) {
  const queue = /** @type {string[]} */ ([]);
  const asked = new Set();
  let busy = false;

  async function pump() {
    if (busy) return;
    const id = queue.shift();
    if (!id) return;
    busy = true;
    try {
      const src = await api.posterSource(id);
      await api.savePoster(id, await drawFrame(src));
      report.onMade(id);
    } catch (error) {
      report.onFailed(id, reasonOf(error));
    } finally {
      busy = false;
      pump();
    }
  }

  return {
    /** Asks for a poster of a finished take, once per session. @param {string} id */
    want(id) {
      if (asked.has(id)) return;
      asked.add(id);
      queue.push(id);
      pump();
    },
  };
}
