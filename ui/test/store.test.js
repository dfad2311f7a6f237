import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStore, putRows, putLoaded, putEveryRow, touch, removeRows, sortedRows, select, neighbour, finishedIds, detailKey, singleSelection } from '../js/store.js';

const row = (id, added_at, fields = {}) => ({ id, added_at, tracking: 'active', waiting: false, ...fields });

function filled() {
  const store = createStore();
  putRows(store, [row('a', '2026-11-29T06:00:00Z'), row('b', '2026-11-29T05:00:00Z', { tracking: 'final' }), row('c', '2026-11-29T04:00:00Z')]);
  store.shown = sortedRows(store);
  return store;
}

test('rows are kept newest first and re-sorted only after a change', () => {
  const store = filled();
  const first = sortedRows(store);
  assert.deepEqual(first.map((r) => r.id), ['a', 'b', 'c']);
  assert.equal(sortedRows(store), first);
  putRows(store, [row('d', '2026-11-29T07:00:00Z')]);
  assert.deepEqual(sortedRows(store).map((r) => r.id), ['d', 'a', 'b', 'c']);
});

test('plain, toggle and range selection; arrows move from the anchor', () => {
  const store = filled();
  select(store, 'a');
  select(store, 'c', { toggle: false, range: true });
  assert.deepEqual([...store.selected], ['a', 'b', 'c']);
  select(store, 'b', { toggle: true, range: false });
  assert.deepEqual([...store.selected].sort(), ['a', 'c']);
  select(store, 'a');
  assert.equal(singleSelection(store), 'a');
  assert.equal(neighbour(store, 1), 'b');
  assert.equal(neighbour(store, -1), 'a', 'stops at the top');
});

test('removal drops the rows, the selection and their saves', () => {
  const store = filled();
  select(store, 'b');
  store.saves.set('b', { received: 1, total: 2, bytes_per_sec: 1 });
  removeRows(store, ['b']);
  assert.equal(store.rows.has('b'), false);
  assert.equal(store.selected.size, 0);
  assert.equal(store.saves.size, 0);
  assert.deepEqual(finishedIds(filled()), ['b']);
});

test('the pane is fetched again for a new state, not for a save\'s progress', () => {
  const store = filled();
  select(store, 'a');
  const before = detailKey(store);
  store.saves.set('a', { received: 10, total: 100, bytes_per_sec: 5 });
  assert.equal(detailKey(store), before);
  putRows(store, [row('a', '2026-11-29T06:00:00Z', { status: 'succeeded', tracking: 'final' })]);
  assert.notEqual(detailKey(store), before);
});

test('rows that arrive out of order are sorted newest first; rows in order are kept', () => {
  const store = createStore();
  putRows(store, [row('old', '2026-11-29T04:00:00Z'), row('new', '2026-11-29T06:00:00Z')]);
  putRows(store, [row('mid', '2026-11-29T05:00:00Z')]);
  assert.deepEqual(sortedRows(store).map((r) => r.id), ['new', 'mid', 'old']);
  const inOrder = createStore();
  putRows(inOrder, [row('b', '2026-11-29T06:00:00Z'), row('a', '2026-11-29T06:00:00Z'), row('c', '2026-11-29T01:00:00Z')]);
  // Same added time: the ID decides, as in Rust's order.
  assert.deepEqual(sortedRows(inOrder).map((r) => r.id), ['a', 'b', 'c']);
});

test('rows from the history do not overwrite rows that events changed or removed meanwhile', () => {
  const store = createStore();
  // An event before the first screen arrives: that screen's copy is older.
  touch(store, ['first']);
  putRows(store, [row('first', '2026-11-29T07:00:00Z', { status: 'succeeded' })]);
  store.expected = 4;
  putLoaded(store, [row('first', '2026-11-29T07:00:00Z', { status: 'running' }), row('a', '2026-11-29T06:00:00Z', { status: 'running' })], false);
  assert.equal(store.rows.get('first').status, 'succeeded');
  assert.equal(store.loading, true);
  touch(store, ['a']);
  putRows(store, [row('a', '2026-11-29T06:00:00Z', { status: 'succeeded' })]);
  touch(store, ['gone']);
  removeRows(store, ['gone']);
  putLoaded(store, [
    row('a', '2026-11-29T06:00:00Z', { status: 'running' }),
    row('b', '2026-11-29T05:00:00Z'),
    row('gone', '2026-11-29T04:00:00Z'),
  ], true);
  assert.equal(store.rows.get('a').status, 'succeeded');
  assert.deepEqual([...store.rows.keys()].sort(), ['a', 'b', 'first']);
  assert.equal(store.expected, null);
  assert.equal(store.loading, false);
  // After start-up, events no longer mark anything.
  touch(store, ['b']);
  assert.equal(store.touched.size, 0);
});

test('the read of every row drops the rows it lacks, except those an event put here since', () => {
  const store = createStore();
  // The first screen had every row.
  putLoaded(store, [row('kept', '2026-11-29T07:00:00Z'), row('removed', '2026-11-29T06:00:00Z')], true);
  select(store, 'removed');
  store.saves.set('removed', { received: 1, total: 2, bytes_per_sec: 1 });
  putEveryRow(store, [row('kept', '2026-11-29T07:00:00Z', { status: 'succeeded' })]);
  assert.deepEqual([...store.rows.keys()], ['kept']);
  assert.equal(store.rows.get('kept').status, 'succeeded');
  assert.equal(store.selected.size, 0);
  assert.equal(store.saves.size, 0);
  // The first screen had only the newest rows; an event added one before every row came.
  const partial = createStore();
  partial.expected = 3;
  putLoaded(partial, [row('newest', '2026-11-29T07:00:00Z')], false);
  touch(partial, ['added']);
  putRows(partial, [row('added', '2026-11-29T08:00:00Z')]);
  putEveryRow(partial, [row('newest', '2026-11-29T07:00:00Z'), row('older', '2026-11-29T05:00:00Z')]);
  assert.deepEqual([...partial.rows.keys()].sort(), ['added', 'newest', 'older']);
  assert.equal(partial.loading, false);
});
