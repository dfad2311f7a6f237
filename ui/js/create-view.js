// The New video panel: DOM only. It reads the form, shows what is chosen, and says
// what the gateway said; what Create does is the controller's.

import { t } from './i18n.js';
import { errorText } from './status.js';
import { byId, el } from './dom.js';
import { IMAGES, takesRatio, promptLimit } from './create-form.js';

const dialog = /** @type {HTMLDialogElement} */ (byId('create-dialog'));
const model = /** @type {HTMLSelectElement} */ (byId('create-model'));
const prompt = /** @type {HTMLTextAreaElement} */ (byId('create-prompt'));
const seed = /** @type {HTMLInputElement} */ (byId('create-seed'));
const errorLine = byId('create-error');
/** Local files chosen per image slot, as data: URLs (the page never names a path). */
const files = ['', '', ''];

export function open() {
  showError(null);
  layout();
  if (!dialog.open) dialog.showModal();
  prompt.focus();
}

export function close() {
  dialog.close();
}

export const isOpen = () => dialog.open;

/** Shows only the fields the model reads. */
function layout() {
  const m = model.value;
  const [, most] = IMAGES[m] ?? [0, 0];
  byId('create-images-box').hidden = most === 0;
  document.querySelectorAll('#create-images-box .create-more').forEach((row, i) => {
    /** @type {HTMLElement} */ (row).hidden = i + 1 >= most;
  });
  byId('create-video-box').hidden = m !== 'edit';
  byId('create-ratio-box').hidden = !takesRatio(m);
  byId('create-duration-box').hidden = m === 'edit';
}

function image(i) {
  return files[i] || /** @type {HTMLInputElement} */ (byId(`create-image-${i}`)).value.trim();
}

/** Everything the form says, for `buildRequests`. */
export function read() {
  const most = (IMAGES[model.value] ?? [0, 0])[1];
  return {
    model: model.value,
    prompt: prompt.value,
    images: [0, 1, 2].slice(0, most).map(image),
    video: /** @type {HTMLInputElement} */ (byId('create-video')).value.trim(),
    resolution: /** @type {HTMLSelectElement} */ (byId('create-resolution')).value,
    ratio: /** @type {HTMLSelectElement} */ (byId('create-ratio')).value,
    duration: Number(/** @type {HTMLInputElement} */ (byId('create-duration')).value),
    seed: seed.value,
    watermark: /** @type {HTMLInputElement} */ (byId('create-watermark')).checked,
    count: Number(/** @type {HTMLInputElement} */ (byId('create-count')).value),
  };
}

/** Fills the form from a stored request ("Run again", "Edit and run"). */
export function fill(request) {
  model.value = request.model;
  prompt.value = request.prompt ?? '';
  const images = request.model === 'edit' ? [request.reference] : request.images ?? [];
  [0, 1, 2].forEach((i) => {
    files[i] = '';
    /** @type {HTMLInputElement} */ (byId(`create-image-${i}`)).value = images[i] && !images[i].startsWith('data:') ? images[i] : '';
  });
  /** @type {HTMLInputElement} */ (byId('create-video')).value = request.video ?? '';
  if (request.resolution) /** @type {HTMLSelectElement} */ (byId('create-resolution')).value = request.resolution;
  if (request.ratio) /** @type {HTMLSelectElement} */ (byId('create-ratio')).value = request.ratio;
  if (request.duration) /** @type {HTMLInputElement} */ (byId('create-duration')).value = String(request.duration);
  seed.value = request.seed != null ? String(request.seed) : '';
  /** @type {HTMLInputElement} */ (byId('create-watermark')).checked = request.watermark !== false;
  /** @type {HTMLInputElement} */ (byId('create-count')).value = '1';
}

/** The live character count, the cost line, and the thumbnails. */
export function update(cost) {
  layout();
  const first = prompt.value.split('\n').map((p) => p.trim()).filter(Boolean).reduce((a, b) => (b.length > a.length ? b : a), '');
  const { count, limit } = promptLimit(first);
  const line = byId('create-prompt-count');
  line.textContent = t('create.promptCount', { count, limit });
  line.classList.toggle('warning', count > limit);
  byId('create-cost').textContent = cost;
  const thumbs = byId('create-thumbs');
  thumbs.replaceChildren(...read().images.filter(Boolean).map((src) => {
    const img = /** @type {HTMLImageElement} */ (el('img'));
    img.src = src;
    img.alt = '';
    return img;
  }));
}

/** @param {any} error an error from the backend, or a sentence, or null */
export function showError(error) {
  errorLine.hidden = !error;
  errorLine.textContent = !error ? '' : typeof error === 'string' ? error : errorText(error);
}

let busy = false;

/** While a request is out, the panel can be neither sent again nor closed. */
export function setBusy(on) {
  busy = on;
  /** @type {HTMLButtonElement} */ (byId('create-submit')).disabled = on;
  /** @type {HTMLButtonElement} */ (byId('create-cancel')).disabled = on;
}

/** Reads a chosen file, checks it as the upstream would, keeps it as a data: URL. */
async function takeFile(i, file) {
  files[i] = '';
  if (!file) return;
  const maxMb = model.value === 'edit' ? 10 : 20;
  if (!['image/png', 'image/jpeg', 'image/webp'].includes(file.type)) throw t('create.badImage');
  if (file.size > maxMb * 1024 * 1024) throw t('create.imageTooBig', { mb: maxMb });
  const url = await new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(t('create.badImage'));
    reader.readAsDataURL(file);
  });
  const { w, h } = await new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve({ w: img.naturalWidth, h: img.naturalHeight });
    img.onerror = () => reject(t('create.badImage'));
    img.src = url;
  });
  const min = model.value === 'r2v' ? 400 : 300;
  if (Math.min(w, h) < min) throw t('create.imageTooSmall', { w: String(w), h: String(h), min }); // sizes read ungrouped
  files[i] = url;
}

/** @param {{onChange: () => void, onSubmit: () => void, onDice: () => void}} handlers */
export function bind(handlers) {
  // Escape closes a dialog by itself: not while a request is out.
  dialog.addEventListener('cancel', (e) => {
    if (busy) e.preventDefault();
  });
  dialog.addEventListener('input', handlers.onChange);
  dialog.addEventListener('change', handlers.onChange);
  [0, 1, 2].forEach((i) => {
    byId(`create-file-${i}`).addEventListener('change', async (e) => {
      try {
        await takeFile(i, /** @type {HTMLInputElement} */ (e.target).files?.[0]);
        showError(null);
      } catch (why) {
        /** @type {HTMLInputElement} */ (e.target).value = '';
        showError(String(why));
      }
      handlers.onChange();
    });
  });
  byId('create-submit').addEventListener('click', handlers.onSubmit);
  byId('create-cancel').addEventListener('click', close);
  byId('create-dice').addEventListener('click', handlers.onDice);
}

/** Says which fields of the form were guessed, or nothing. @param {string} text */
export function showGuessed(text) {
  const line = byId('create-guessed');
  line.textContent = text;
  line.hidden = !text;
}

/** @param {string} text the balance line, or '' to show none */
export function showBalance(text) {
  const line = byId('create-balance');
  line.textContent = text;
  line.hidden = !text;
}

/** Offers these prompts in the history box. @param {string[]} prompts */
export function offerPrompts(prompts) {
  byId('create-recent-list').replaceChildren(...prompts.map((p) => {
    const option = /** @type {HTMLOptionElement} */ (el('option'));
    option.value = p;
    return option;
  }));
}

/** What is typed in the history box. */
export const recentQuery = () => /** @type {HTMLInputElement} */ (byId('create-recent')).value;

/** Puts a prompt from the history into the form. @param {string} text */
export function usePrompt(text) {
  prompt.value = text;
  /** @type {HTMLInputElement} */ (byId('create-recent')).value = '';
}

export function setSeed(value) {
  seed.value = String(value);
}
