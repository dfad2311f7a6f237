import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterRows, newestFirst, sortRows, choicesOf, localDay } from '../js/filter.js';

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

const takes = [
  { id: 'asyntask_e', added_at: '2026-11-29T06:00:00Z', submitted_at: '2026-11-29T06:00:00Z', tracking: 'final', status: 'succeeded', action: 'generate', resolution: '720P', ratio: '16:9', duration: 5 },
  { id: 'asyntask_f', added_at: '2026-11-28T06:00:00Z', submitted_at: '2026-11-27T06:00:00Z', tracking: 'final', status: 'succeeded', action: 'videoEdit', resolution: '1080P', ratio: '9:16', duration: 10 },
  { id: 'asyntask_g', added_at: '2026-11-26T06:00:00Z', tracking: 'active', action: 'generate', resolution: '1080P' },
];

test('kind, resolution and ratio filters, alone and together', () => {
  const ids = (f) => filterRows(takes, { status: 'all', query: '', ...f }).map((r) => r.id);
  assert.deepEqual(ids({ action: 'generate' }), ['asyntask_e', 'asyntask_g']);
  assert.deepEqual(ids({ resolution: '1080P' }), ['asyntask_f', 'asyntask_g']);
  assert.deepEqual(ids({ ratio: '9:16' }), ['asyntask_f']);
  assert.deepEqual(ids({ action: 'generate', resolution: '1080P' }), ['asyntask_g']);
  assert.deepEqual(ids({ status: 'succeeded', resolution: '1080P' }), ['asyntask_f']);
  assert.deepEqual(ids({ action: '', resolution: '', ratio: '' }), ['asyntask_e', 'asyntask_f', 'asyntask_g']);
});

test('a date range is inclusive, by the local day the task was submitted (else added)', () => {
  const ids = (from, to) => filterRows(takes, { status: 'all', query: '', from, to }).map((r) => r.id);
  const day = (iso) => localDay(iso);
  assert.deepEqual(ids(day('2026-11-29T06:00:00Z'), ''), ['asyntask_e']);
  assert.deepEqual(ids('', day('2026-11-27T06:00:00Z')), ['asyntask_f', 'asyntask_g']);
  assert.deepEqual(ids(day('2026-11-26T06:00:00Z'), day('2026-11-27T06:00:00Z')), ['asyntask_f', 'asyntask_g']);
  assert.equal(localDay('not a date'), '');
  assert.equal(localDay(undefined), '');
});

test('sort newest, oldest and longest first', () => {
  const ids = (order) => sortRows(takes, order).map((r) => r.id);
  assert.deepEqual(ids('newest'), ['asyntask_e', 'asyntask_f', 'asyntask_g']);
  assert.deepEqual(ids('oldest'), ['asyntask_g', 'asyntask_f', 'asyntask_e']);
  assert.deepEqual(ids('duration'), ['asyntask_f', 'asyntask_e', 'asyntask_g']);
  assert.equal(sortRows(takes, 'newest'), takes, 'newest is the order given, not a copy');
});

test('the menus offer the values the rows have', () => {
  assert.deepEqual(choicesOf(takes, 'resolution'), ['1080P', '720P']);
  assert.deepEqual(choicesOf(takes, 'ratio'), ['16:9', '9:16']);
  assert.deepEqual(choicesOf([{ id: 'x', action: 42 }], 'action'), [], 'only text');
});
