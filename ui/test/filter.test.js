import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterRows, newestFirst } from '../js/filter.js';

const rows = [
  { id: 'asyntask_a', added_at: '2026-11-29T06:00:00Z', tracking: 'active', prompt: 'A cat running', waiting: false },
  { id: 'asyntask_b', added_at: '2026-11-29T05:00:00Z', tracking: 'final', status: 'succeeded', prompt: '一只猫', waiting: false, starred: true },
  { id: 'asyntask_c', added_at: '2026-11-29T04:00:00Z', tracking: 'active', error: { code: 'rate_limited' }, waiting: true },
  { id: 'asyntask_d', added_at: '2026-11-29T03:00:00Z', tracking: 'not_found', waiting: false },
];

test('no filter gives the same array', () => {
  assert.equal(filterRows(rows, { status: 'all', query: '' }), rows);
});

test('status filters', () => {
  const ids = (status) => filterRows(rows, { status, query: '' }).map((r) => r.id);
  assert.deepEqual(ids('active'), ['asyntask_a', 'asyntask_c']);
  assert.deepEqual(ids('succeeded'), ['asyntask_b']);
  assert.deepEqual(ids('problem'), ['asyntask_d'], 'a waiting row is not a problem');
  assert.deepEqual(ids('starred'), ['asyntask_b']);
});

test('search in the ID and the prompt, any case and script', () => {
  assert.deepEqual(filterRows(rows, { status: 'all', query: 'CAT' }).map((r) => r.id), ['asyntask_a']);
  assert.deepEqual(filterRows(rows, { status: 'all', query: '猫' }).map((r) => r.id), ['asyntask_b']);
  assert.deepEqual(filterRows(rows, { status: 'all', query: 'task_d' }).map((r) => r.id), ['asyntask_d']);
});

test('newest first, then by ID', () => {
  const sorted = [...rows].reverse().sort(newestFirst).map((r) => r.id);
  assert.deepEqual(sorted, ['asyntask_a', 'asyntask_b', 'asyntask_c', 'asyntask_d']);
});
