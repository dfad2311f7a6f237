import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setLanguage } from '../js/i18n.js';
import { ago, timeLeft, shortId, seconds, bytes } from '../js/format.js';

await setLanguage('en');
const NOW = Date.parse('2026-11-29T06:00:00Z');

test('relative times', () => {
  assert.equal(ago('2026-11-29T05:59:30Z', NOW), 'just now');
  assert.equal(ago('2026-11-29T05:50:00Z', NOW), '10 min ago');
  assert.equal(ago('2026-11-28T06:00:00Z', NOW), '1 d ago');
  assert.equal(timeLeft('2026-11-29T08:30:00Z', NOW), '2 h 30 min left');
  assert.equal(timeLeft('2026-11-29T05:00:00Z', NOW), 'expired');
});

test('short IDs, seconds and sizes', () => {
  assert.equal(shortId('asyntask_jwgfhsG0m2aDjLmiiELRf74eoWmss6ya'), 'asyntask_jwgf…s6ya');
  assert.equal(shortId('task_short'), 'task_short');
  assert.equal(seconds(5), '5 s');
  assert.equal(seconds(4.5), '4.50 s');
  assert.equal(bytes(1536), '1.5 KB');
  assert.equal(bytes(300 * 1024 * 1024), '300 MB');
});
