import { test } from 'node:test';
import assert from 'node:assert/strict';
import en from '../js/strings/en.js';
import zh from '../js/strings/zh.js';
import { t, setLanguage, language, has, groupDigits } from '../js/i18n.js';

// First in this file: i18n.js has no Chinese table yet, so it is still loading when
// English is asked for.
test('the language asked for last is the one in force, whichever table loads last', async () => {
  await Promise.all([setLanguage('zh'), setLanguage('en')]);
  assert.equal(language(), 'en');
  assert.equal(t('status.running'), 'Running');
});

test('English and Chinese have the same keys', () => {
  assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
});

test('every string keeps its placeholders in both languages', () => {
  const names = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of Object.keys(en)) assert.deepEqual(names(zh[key]), names(en[key]), key);
});

test('lookup fills placeholders and falls back to the key', async () => {
  await setLanguage('en');
  assert.equal(t('list.count', { n: 3 }), '3 tasks');
  assert.equal(t('no.such.key'), 'no.such.key');
  assert.equal(has('error.unknown'), true);
  await setLanguage('zh');
  assert.equal(t('status.running'), '生成中');
  await setLanguage('en');
});

test('counts are grouped as each language writes them; other values are left alone', async () => {
  await setLanguage('en');
  assert.equal(t('list.count', { n: 10000 }), '10,000 tasks');
  assert.equal(t('list.countFiltered', { n: 1234, total: 10000 }), '1,234 of 10,000 tasks');
  assert.match(t('unit.seconds', { n: '1234.50' }), /1234\.50/);
  await setLanguage('zh');
  assert.match(t('list.count', { n: 10000 }), /10,000/);
  await setLanguage('en');
});

test('digits are grouped as Intl groups them in English and Simplified Chinese', () => {
  const en = new Intl.NumberFormat('en');
  const zh = new Intl.NumberFormat('zh-CN');
  const counts = [0, 7, 999, 1000, -1000, 10000, 123456, 1234567, -9876543, 2 ** 31, Number.MAX_SAFE_INTEGER];
  for (let n = 1; n < 1e15; n = n * 7 + 3) counts.push(n, -n);
  for (const n of counts) {
    assert.equal(groupDigits(n), en.format(n), `en ${n}`);
    assert.equal(groupDigits(n), zh.format(n), `zh ${n}`);
  }
});
