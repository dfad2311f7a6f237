// What the New video panel asks for, as requests: pure (no DOM), so the rules the
// user meets before anything is sent are tested with `node --test`. The backend
// checks the same rules again.

import { t } from './i18n.js';

/** Characters the upstream allows: 2,500 when any is Chinese, else 5,000. */
export function promptLimit(prompt) {
  const count = [...prompt].length;
  const chinese = /[\u3400-\u4dbf\u4e00-\u9fff]/.test(prompt);
  return { count, limit: chinese ? 2500 : 5000 };
}

/** Images each model takes: [at least, at most]. */
export const IMAGES = { t2v: [0, 0], i2v: [1, 1], r2v: [1, 3], edit: [1, 1] };

/** Whether the model reads `ratio` (i2v follows its image, edit its video). */
export const takesRatio = (model) => model === 't2v' || model === 'r2v';

/**
 * The requests the form describes: each prompt line × `count` variations (seeds
 * counted up from the one given, else left to the gateway).
 * @param {{model: string, prompt: string, images: string[], video: string, resolution: string,
 *   ratio: string, duration: number, seed: string, watermark: boolean, count: number}} form
 * @returns {{requests: any[], error: string | null}}
 */
export function buildRequests(form) {
  const prompts = form.prompt.split('\n').map((p) => p.trim()).filter(Boolean);
  if (prompts.length === 0) return { requests: [], error: t('create.needPrompt') };
  for (const p of prompts) {
    const { count, limit } = promptLimit(p);
    if (count > limit) return { requests: [], error: t('create.promptTooLong', { count, limit }) };
  }
  const images = form.images.filter(Boolean);
  const [least, most] = IMAGES[form.model] ?? [0, 0];
  if (form.model === 'edit') {
    if (!form.video || images.length !== 1) return { requests: [], error: t('create.needVideo') };
  } else if (images.length < least || images.length > most) {
    return { requests: [], error: t('create.needImages', { n: least === most ? least : `${least}–${most}` }) };
  }
  const duration = Number(form.duration);
  if (form.model !== 'edit' && !(Number.isInteger(duration) && duration >= 3 && duration <= 15)) {
    return { requests: [], error: t('create.badDuration') };
  }
  const seedText = String(form.seed ?? '').trim();
  const seed = seedText === '' ? null : Number(seedText);
  if (seed !== null && !(Number.isInteger(seed) && seed >= 0 && seed <= 2147483647)) {
    return { requests: [], error: t('create.badSeed') };
  }
  const count = Math.max(1, Math.min(20, Math.floor(Number(form.count) || 1)));
  // As the command line: one click creates at most 100 tasks.
  if (prompts.length * count > 100) {
    return { requests: [], error: t('create.tooMany', { n: prompts.length * count, max: 100 }) };
  }
  const requests = [];
  for (const prompt of prompts) {
    for (let n = 0; n < count; n += 1) {
      requests.push({
        model: form.model,
        prompt,
        images: form.model === 'edit' ? [] : images,
        video: form.model === 'edit' ? form.video : null,
        reference: form.model === 'edit' ? images[0] : null,
        resolution: form.resolution,
        ratio: takesRatio(form.model) ? form.ratio : null,
        duration: form.model === 'edit' ? null : duration,
        seed: seed === null ? null : Math.min(2147483647, seed + n),
        // Left out when on: the gateway's own default.
        watermark: form.watermark ? null : false,
      });
    }
  }
  return { requests, error: null };
}

/**
 * "4 tasks: 20 s at 720P", what a click will bill, and "≈ $2.80" when the user set
 * a price per second for that tier.
 * @param {any[]} requests
 * @param {{price_720p?: string, price_1080p?: string, currency?: string} | null} [prices]
 */
export function costText(requests, prices = null) {
  if (requests.length === 0) return '';
  const tasks = requests.length === 1 ? t('create.task') : t('create.tasks', { n: requests.length });
  const tier = requests[0].resolution || '1080P';
  if (requests.some((r) => r.model === 'edit')) return t('create.costEdit', { tasks, tier });
  const seconds = requests.reduce((sum, r) => sum + (r.duration ?? 5), 0);
  const text = t('create.cost', { tasks, seconds, tier });
  const perSecond = Number.parseFloat((tier === '720P' ? prices?.price_720p : prices?.price_1080p) ?? '');
  if (!Number.isFinite(perSecond)) return text;
  return `${text} ≈ ${prices?.currency ?? '$'}${(perSecond * seconds).toFixed(2)}`;
}

/**
 * The form's request from a stored request body (a task created here), for "Run
 * again". `model` is the short name the history keeps.
 * @param {string} model @param {any} body
 */
export function requestFromBody(model, body) {
  const options = model === 'edit' ? body.parameters ?? {} : body;
  const media = body.input?.media ?? [];
  const url = (type) => media.find((m) => m.type === type)?.url ?? null;
  return {
    model,
    prompt: model === 'edit' ? body.input?.prompt ?? '' : body.prompt ?? '',
    images: model === 'edit' ? [] : body.images ?? (body.image ? [body.image] : []),
    video: model === 'edit' ? url('video') : null,
    reference: model === 'edit' ? url('reference_image') : null,
    resolution: options.resolution ?? null,
    ratio: options.ratio ?? null,
    duration: options.duration ?? null,
    seed: options.seed ?? null,
    watermark: options.watermark ?? null,
  };
}

/**
 * A starting point for a task pasted from elsewhere: what its answer tells.
 * The model is a guess from `action` (text to video unless it says otherwise).
 * @param {any} task the task snapshot of the detail pane
 */
export function requestFromTask(task) {
  const action = String(task?.action ?? '');
  const model = /first|image|i2v/i.test(action) ? 'i2v' : /reference|r2v/i.test(action) ? 'r2v' : /edit/i.test(action) ? 'edit' : 't2v';
  return {
    model,
    prompt: task?.prompt ?? '',
    images: [],
    video: null,
    reference: null,
    resolution: task?.resolution ?? null,
    ratio: task?.ratio ?? null,
    duration: task?.duration ? Math.round(task.duration) : null,
    seed: null,
    watermark: null,
  };
}
