// The video preview in the detail pane. The <video> element is kept across
// re-renders of the pane (the task's row changes while it plays), and rebuilt only
// when another video is selected.

import { t } from './i18n.js';
import { linkExpired } from './status.js';

/** H.264 + AAC, what the gateway delivers. */
const MP4_H264_AAC = 'video/mp4; codecs="avc1.42E01E, mp4a.40.2"';

let current = /** @type {{key: string, node: HTMLElement} | null} */ (null);

/** Whether this webview can decode the gateway's videos at all. */
export function canPlayH264() {
  const probe = document.createElement('video');
  return probe.canPlayType(MP4_H264_AAC) !== '';
}

/** @param {string} cls @param {string} text @param {{label: string, run: () => void} | null} action */
function notice(cls, text, action) {
  const box = document.createElement('div');
  box.className = `media-notice ${cls}`;
  const p = document.createElement('p');
  p.textContent = text;
  box.append(p);
  if (action) {
    const button = document.createElement('button');
    button.className = 'ghost';
    button.id = 'open-external';
    button.textContent = action.label;
    button.addEventListener('click', action.run);
    box.append(button);
  }
  return box;
}

/**
 * Puts the preview for this row into `slot`, reusing the playing element when the
 * row still shows the same video.
 * @param {HTMLElement} slot
 * @param {import('./status.js').Row} row
 * @param {string | null} localUrl the saved copy, served on loopback; preferred
 *   because it plays offline and after the link has died
 * @param {{onOpenExternal: (id: string) => void}} handlers
 */
export function mountPreview(slot, row, localUrl, handlers) {
  if (row.status !== 'succeeded' || (!row.video_url && !localUrl)) {
    current = null;
    return;
  }
  const gone = !localUrl && linkExpired(row);
  const source = localUrl || row.video_url;
  const key = `${row.id}|${source}|${gone}`;
  if (current && current.key === key) {
    slot.append(current.node);
    return;
  }
  // Without a saved copy the backend opens the link, in the browser.
  const openExternal = { label: t(localUrl ? 'media.openExternal' : 'media.openLink'), run: () => handlers.onOpenExternal(row.id) };
  let node;
  if (gone) {
    node = notice('expired', t('media.expired'), null);
  } else if (!canPlayH264()) {
    node = notice('no-codec', t('media.noCodec'), openExternal);
  } else {
    const video = document.createElement('video');
    video.id = 'preview';
    video.controls = true;
    video.preload = 'metadata';
    video.playsInline = true;
    video.src = source;
    video.dataset.source = localUrl ? 'local' : 'remote';
    const wrap = document.createElement('div');
    wrap.className = 'media';
    wrap.append(video);
    video.addEventListener('error', () => {
      const code = video.error ? video.error.code : 0;
      const text = !localUrl && linkExpired(row) ? t('media.expired') : t('media.error', { code });
      wrap.replaceChildren(notice('error', text, openExternal));
    });
    node = wrap;
  }
  current = { key, node };
  slot.append(node);
}

/** Plays or pauses the preview in the pane, if one is there. */
export function togglePreview() {
  const video = /** @type {HTMLVideoElement | null} */ (document.querySelector('#detail video'));
  if (video) video.paused ? video.play().catch(() => {}) : video.pause();
}
