import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setLanguage } from '../js/i18n.js';
import { statusOf, errorText, reasonText, expiringSoon, linkExpired, needsAttention, isFinished, untilText } from '../js/status.js';

await setLanguage('en');
const NOW = Date.parse('2026-11-29T06:00:00Z');
const row = (fields) => ({ id: 'asyntask_x', tracking: 'active', status_recognized: true, waiting: false, unseen: false, checking: false, ...fields });

test('the chip reads the state', () => {
  assert.deepEqual(statusOf(row({ status: 'running' })), { cls: 'running', label: 'Running' });
  assert.deepEqual(statusOf(row({})), { cls: 'checking', label: 'Checking…' });
  assert.deepEqual(statusOf(row({ tracking: 'not_found' })), { cls: 'failed', label: 'Not found' });
  assert.deepEqual(statusOf(row({ status: 'running', status_recognized: false, raw_status: 'WARMING_UP' })), { cls: 'unknown', label: 'WARMING_UP' });
});

test('a passing fault waits calmly; one that needs the user is an error', () => {
  const waiting = row({ error: { code: 'rate_limited', message: 'x' }, waiting: true, retry_at: '2026-11-29T06:00:40Z' });
  assert.equal(statusOf(waiting).cls, 'waiting');
  assert.equal(reasonText(waiting, NOW), 'Waiting, next try in 40 s');
  assert.equal(needsAttention(waiting), false);
  const broken = row({ error: { code: 'bad_response', message: 'x' } });
  assert.equal(statusOf(broken).cls, 'error');
  assert.equal(needsAttention(broken), true);
});

test('error text is translated, with the gateway words after it', () => {
  assert.match(errorText({ code: 'unauthorized', message: 'm', detail: '无效的令牌' }), /rejected the API key.*无效的令牌/);
  assert.equal(errorText({ code: 'never_heard_of', message: 'Its own words.' }), 'Its own words.');
});

test('link expiry and the six-hour warning', () => {
  const soon = row({ video_expires_at: '2026-11-29T10:00:00Z' });
  assert.equal(expiringSoon(soon, NOW), true);
  assert.equal(expiringSoon({ ...soon, saved_path: '/v/a.mp4' }, NOW), false);
  assert.equal(linkExpired(row({ video_expires_at: '2026-11-29T05:59:59Z' }), NOW), true);
  assert.equal(untilText('2026-11-29T06:05:00Z', NOW), '5 min');
  assert.equal(isFinished(row({ tracking: 'final' })), true);
});
