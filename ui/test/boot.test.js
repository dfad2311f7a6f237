// boot.js against a stand-in for Tauri's IPC (commands, and listen): the order it
// asks in, and that no backend event is lost or reordered before the controller
// takes them.

import { test } from 'node:test';
import assert from 'node:assert/strict';

/** What the page asked the backend, in order. */
const asked = [];
/** The listener of each subscribed Tauri event. */
const listeners = new Map();
/** Resolves each subscription when the test says so. */
const subscriptions = [];

/** Stands in for what Tauri puts in the page; tauri.js calls it. */
globalThis.__TAURI_INTERNALS__ = {
  transformCallback: (callback) => callback,
  invoke: async (command, args) => {
    if (command === 'plugin:event|listen') {
      asked.push(`listen ${args.event}`);
      listeners.set(args.event, args.handler);
      return new Promise((resolve) => subscriptions.push(resolve));
    }
    asked.push(command);
    if (command === 'list_newest_tasks') return { rows: [], total: 0, limit: args.limit };
    if (command === 'poster_ids') return ['asyntask_a'];
    if (command === 'list_tasks') return [{ id: 'asyntask_all' }];
    return { language: 'en' };
  },
};

const boot = await import('../js/boot.js');
/** A backend report as Tauri delivers it: `{name, payload}` under the one event. */
const send = (name, payload) => listeners.get('backend')({ event: 'backend', payload: { name, payload } });

test('the first rows are asked for at once, alongside the subscriptions', async () => {
  assert.deepEqual(asked.filter((a) => a.startsWith('listen')), ['listen backend'], 'one subscription for every report');
  assert.ok(asked.includes('list_newest_tasks'), 'the rows waited for the subscriptions');
  assert.ok(boot.early.newestAskedAt >= 0);
  // No subscription is in place yet, and the rows are here.
  const newest = await boot.early.newest;
  assert.equal(newest.limit, boot.FIRST_SCREEN_ROWS);
  assert.deepEqual(await boot.early.posterIds, ['asyntask_a']);
  assert.deepEqual(await boot.early.settings, { language: 'en' });
});

test('every row is read again only once the events are subscribed', async () => {
  const everyRow = boot.readEveryRow();
  let subscribed = false;
  boot.early.subscribed.then(() => (subscribed = true));
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(subscribed, false, 'settled before the subscription was in place');
  assert.ok(!asked.includes('list_tasks'), 'every row was asked for before the subscription was in place');
  subscriptions[0](() => {});
  assert.deepEqual(await everyRow, [{ id: 'asyntask_all' }]);
  assert.equal(subscribed, true);
  assert.ok(asked.indexOf('list_tasks') > asked.indexOf('listen backend'));
});

test('events before the controller takes them are held, then handed over in order', () => {
  send('tasks-changed', [{ id: 'asyntask_1' }]);
  send('poller-paused', { code: 'auth' });
  send('tasks-changed', [{ id: 'asyntask_2' }]);
  const got = [];
  boot.takeEvents((name, payload) => got.push([name, payload]));
  assert.deepEqual(got, [
    ['tasks-changed', [{ id: 'asyntask_1' }]],
    ['poller-paused', { code: 'auth' }],
    ['tasks-changed', [{ id: 'asyntask_2' }]],
  ]);
  send('tasks-removed', ['asyntask_1']);
  assert.deepEqual(got.at(-1), ['tasks-removed', ['asyntask_1']], 'a later event goes straight to the controller');
  assert.equal(got.length, 4, 'a held event was handed over twice');
});

test('a held event whose handler throws loses only itself', async () => {
  listeners.clear();
  const again = await import('../js/boot.js?fresh');
  subscriptions.forEach((resolve) => resolve(() => {}));
  await Promise.resolve();
  const names = ['tasks-changed', 'task-finished', 'tasks-removed'];
  names.forEach((name) => listeners.get('backend')({ payload: { name, payload: name } }));
  const got = [];
  const quiet = console.error;
  console.error = () => {};
  try {
    again.takeEvents((name) => {
      if (name === 'task-finished') throw new Error('a broken handler');
      got.push(name);
    });
  } finally {
    console.error = quiet;
  }
  assert.deepEqual(got, ['tasks-changed', 'tasks-removed']);
});

test('the data the window was built with is drawn from on the first load only, without asking', async () => {
  const stored = new Map();
  globalThis.sessionStorage = { getItem: (k) => stored.get(k) ?? null, setItem: (k, v) => stored.set(k, String(v)) };
  const handed = { settings: { language: 'zh' }, newest: { rows: [{ id: 'asyntask_h' }], total: 1 } };
  globalThis.__PADDOCK_FIRST_SCREEN__ = handed;
  try {
    const before = asked.length;
    const first = await import('../js/boot.js?first-load');
    assert.deepEqual(await first.early.settings, handed.settings);
    assert.deepEqual(await first.early.newest, handed.newest);
    const askedThen = asked.slice(before);
    assert.ok(!askedThen.includes('get_settings') && !askedThen.includes('list_newest_tasks'), `asked: ${askedThen}`);
    // A reload runs the same script with the same, now stale, data: it asks instead.
    const again = asked.length;
    const reloaded = await import('../js/boot.js?reloaded');
    assert.deepEqual(await reloaded.early.settings, { language: 'en' });
    assert.equal((await reloaded.early.newest).limit, reloaded.FIRST_SCREEN_ROWS);
    assert.ok(asked.slice(again).includes('get_settings'));
  } finally {
    delete globalThis.__PADDOCK_FIRST_SCREEN__;
    delete globalThis.sessionStorage;
  }
});

test('without storage to note it in, the page asks rather than risk stale data', async () => {
  globalThis.__PADDOCK_FIRST_SCREEN__ = { settings: { language: 'zh' }, newest: null };
  Object.defineProperty(globalThis, 'sessionStorage', {
    configurable: true,
    get() {
      throw new Error('SecurityError: storage is off');
    },
  });
  try {
    const before = asked.length;
    const page = await import('../js/boot.js?no-storage');
    assert.deepEqual(await page.early.settings, { language: 'en' });
    assert.ok(asked.slice(before).includes('list_newest_tasks'));
    assert.equal(globalThis.__PADDOCK_FIRST_SCREEN__, undefined, 'the data was kept after the page looked at it');
  } finally {
    delete globalThis.__PADDOCK_FIRST_SCREEN__;
    delete globalThis.sessionStorage;
  }
});

test('a reloaded page asks, even when its storage was lost', async () => {
  globalThis.sessionStorage = { getItem: () => null, setItem: () => {} };
  globalThis.__PADDOCK_FIRST_SCREEN__ = { settings: { language: 'zh' }, newest: null };
  const entries = performance.getEntriesByType;
  performance.getEntriesByType = (type) => (type === 'navigation' ? [{ type: 'reload' }] : entries.call(performance, type));
  try {
    const before = asked.length;
    const page = await import('../js/boot.js?reload-without-storage');
    assert.deepEqual(await page.early.settings, { language: 'en' });
    assert.ok(asked.slice(before).includes('get_settings'));
  } finally {
    performance.getEntriesByType = entries;
    delete globalThis.__PADDOCK_FIRST_SCREEN__;
    delete globalThis.sessionStorage;
  }
});
