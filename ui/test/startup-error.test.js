// The fragment the backend hands the "could not start" page: read whole, and
// nothing in it can break the page.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFragment } from '../js/startup-error.js';

test('the language, theme and reason come back as the backend encoded them', () => {
  // Encoded as src-tauri/desktop/startup_error.rs does (its unit test has this string).
  const hash = '#lang=zh&theme=dark&reason=locked%20%28a%26b%3Dc%20%231%29%20%E5%8E%86%E5%8F%B2';
  assert.deepEqual(readFragment(hash), { lang: 'zh', theme: 'dark', reason: 'locked (a&b=c #1) 历史' });
});

test('a missing or malformed value keeps its default, and unknown names are ignored', () => {
  assert.deepEqual(readFragment(''), { lang: 'system', theme: 'system', reason: '' });
  const read = readFragment('#reason=%E5%8E&lang=en&__proto__=x&toString=y&theme');
  assert.deepEqual(read, { lang: 'en', theme: 'system', reason: '' });
  assert.equal(Object.getPrototypeOf(read), Object.prototype);
});

test('an endless fragment is read only up to its limit', () => {
  const read = readFragment(`#reason=${'a'.repeat(100_000)}`);
  assert.ok(read.reason.length < 100_000 && read.reason.length > 2_000);
});
