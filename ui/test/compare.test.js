import { test } from 'node:test';
import assert from 'node:assert/strict';
import { factsOf, differing, toggleCompared, layoutFor, drifted, MAX_COMPARED } from '../js/compare.js';

const detail = (task, created) => ({ task, created });

test('facts come from the answer, and from the request when it was created here', () => {
  const f = factsOf(detail({ prompt: 'a cat', resolution: '720P', ratio: '16:9', duration: 5, action: 'generate' }, { model: 't2v', request: { seed: 42, prompt: 'a cat' } }));
  assert.deepEqual(f, { prompt: 'a cat', model: 't2v', resolution: '720P', ratio: '16:9', duration: '5', seed: '42' });
  const pasted = factsOf(detail({ prompt: 'a dog', action: 'generate' }, null));
  assert.equal(pasted.model, 'generate');
  assert.equal(pasted.seed, '', 'no seed is known for a pasted task');
  assert.deepEqual(factsOf(null), { prompt: '', model: '', resolution: '', ratio: '', duration: '', seed: '' });
});

test('only the facts that differ are marked', () => {
  const a = { prompt: 'a cat', model: 't2v', resolution: '720P', ratio: '16:9', duration: '5', seed: '1' };
  const b = { ...a, seed: '2', resolution: '1080P' };
  assert.deepEqual([...differing([a, b])].sort(), ['resolution', 'seed']);
  assert.deepEqual([...differing([a, { ...a }])], []);
  assert.deepEqual([...differing([a])], [], 'one take differs from nothing');
  assert.deepEqual([...differing([a, { ...a, seed: '' }])], ['seed'], 'unknown is a value');
});

test('C toggles a take, and a fifth pushes out the first', () => {
  let list = [];
  for (const id of ['a', 'b', 'c', 'd']) list = toggleCompared(list, id);
  assert.deepEqual(list, ['a', 'b', 'c', 'd']);
  assert.deepEqual(toggleCompared(list, 'b'), ['a', 'c', 'd']);
  assert.deepEqual(toggleCompared(list, 'e'), ['b', 'c', 'd', 'e']);
  assert.equal(toggleCompared(list, 'e').length, MAX_COMPARED);
});

test('two side by side, three or four in a grid; drift beyond the tolerance', () => {
  assert.equal(layoutFor(2), 'pair');
  assert.equal(layoutFor(3), 'grid');
  assert.equal(layoutFor(4), 'grid');
  assert.equal(drifted(2.0, 2.04), false);
  assert.equal(drifted(2.0, 2.2), true);
  assert.equal(drifted(2.0, 2.2, 0.5), false);
});
