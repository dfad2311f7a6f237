import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setLanguage } from '../js/i18n.js';
import { buildRequests, costText, promptLimit } from '../js/create-form.js';

await setLanguage('en');
const form = (fields) => ({ model: 't2v', prompt: 'a cat', images: [], video: '', resolution: '720P', ratio: '16:9', duration: 5, seed: '', watermark: true, count: 1, ...fields });

test('one prompt, one request, as the backend expects it', () => {
  const { requests, error } = buildRequests(form({ seed: '42', watermark: false }));
  assert.equal(error, null);
  assert.deepEqual(requests, [{ model: 't2v', prompt: 'a cat', images: [], video: null, reference: null, resolution: '720P', ratio: '16:9', duration: 5, seed: 42, watermark: false }]);
});

test('a batch: prompts × variations, seeds counted up, and its cost', () => {
  const { requests } = buildRequests(form({ prompt: 'a cat\n\n a dog ', count: 2, seed: '10', duration: 8 }));
  assert.deepEqual(requests.map((r) => [r.prompt, r.seed]), [['a cat', 10], ['a cat', 11], ['a dog', 10], ['a dog', 11]]);
  assert.equal(costText(requests), '4 tasks: 32 s at 720P');
});

test('each model gets what it takes; ratio only where it counts', () => {
  const i2v = buildRequests(form({ model: 'i2v', images: ['https://e.com/a.png'] })).requests[0];
  assert.equal(i2v.ratio, null);
  const edit = buildRequests(form({ model: 'edit', images: ['https://e.com/r.png'], video: 'https://e.com/v.mp4' })).requests[0];
  assert.deepEqual([edit.video, edit.reference, edit.duration, edit.images], ['https://e.com/v.mp4', 'https://e.com/r.png', null, []]);
  assert.match(costText([edit]), /length of the source video/);
});

test('what is refused before anything is sent', () => {
  assert.match(buildRequests(form({ prompt: '  ' })).error, /prompt/);
  assert.match(buildRequests(form({ model: 'i2v' })).error, /needs 1 image/);
  assert.match(buildRequests(form({ model: 'r2v', images: ['a', 'b', 'c', 'd'] })).error, /1–3/);
  assert.match(buildRequests(form({ duration: 20 })).error, /3 to 15/);
  assert.match(buildRequests(form({ seed: '-1' })).error, /seed/);
  assert.match(buildRequests(form({ prompt: '猫'.repeat(2501) })).error, /2,501 characters long; the limit is 2,500/);
  assert.deepEqual(promptLimit('a'.repeat(10)), { count: 10, limit: 5000 });
});

test('run again from a stored body, every model', async () => {
  const { requestFromBody, requestFromTask } = await import('../js/create-form.js');
  assert.deepEqual(
    requestFromBody('t2v', { model: 'happyhorse-1.0-t2v', prompt: 'a cat', resolution: '720P', ratio: '16:9', duration: 5, watermark: false, seed: 42 }),
    { model: 't2v', prompt: 'a cat', images: [], video: null, reference: null, resolution: '720P', ratio: '16:9', duration: 5, seed: 42, watermark: false },
  );
  assert.deepEqual(requestFromBody('i2v', { prompt: 'p', image: 'https://e.com/a.png' }).images, ['https://e.com/a.png']);
  const edit = requestFromBody('edit', { input: { prompt: 'p', media: [{ type: 'video', url: 'https://e.com/v.mp4' }, { type: 'reference_image', url: 'https://e.com/r.png' }] }, parameters: { resolution: '720P' } });
  assert.deepEqual([edit.prompt, edit.video, edit.reference, edit.resolution], ['p', 'https://e.com/v.mp4', 'https://e.com/r.png', '720P']);
  const pasted = requestFromTask({ action: 'generate', prompt: '一只猫', resolution: '720P', ratio: '16:9', duration: 5.04 });
  assert.deepEqual([pasted.model, pasted.prompt, pasted.duration], ['t2v', '一只猫', 5]);
});

test('money appears only where the user set a price for the tier', () => {
  const { requests } = buildRequests(form({ count: 2 }));
  assert.equal(costText(requests, { price_720p: '0.14', price_1080p: '', currency: '$' }), '2 tasks: 10 s at 720P ≈ $1.40');
  assert.equal(costText(requests, { price_720p: '', price_1080p: '0.24', currency: '$' }), '2 tasks: 10 s at 720P');
  assert.equal(costText(requests, null), '2 tasks: 10 s at 720P');
});
