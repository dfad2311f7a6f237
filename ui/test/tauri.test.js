// tauri.js against a stand-in for the `__TAURI_INTERNALS__` object Tauri puts in
// the page: what each call sends, and a Channel's delivery when Tauri's messages
// come out of order.

import { test } from 'node:test';
import assert from 'node:assert/strict';

/** What the page asked, and the callbacks Tauri holds, by ID. */
const sent = [];
const callbacks = new Map();
const dropped = [];
globalThis.__TAURI_INTERNALS__ = {
  transformCallback: (callback) => {
    const id = callbacks.size + 1;
    callbacks.set(id, callback);
    return id;
  },
  unregisterCallback: (id) => dropped.push(id),
  invoke: async (command, args, options) => {
    sent.push([command, JSON.parse(JSON.stringify(args)), options]);
    return 'answer';
  },
  convertFileSrc: (path, protocol) => `http://${protocol}.localhost/${encodeURIComponent(path)}`,
  metadata: { currentWindow: { label: 'startup-error' } },
};

const tauri = await import('../js/tauri.js');

test('a command goes to Tauri as it is given, its answer back', async () => {
  const headers = { headers: { 'x-task-id': 'asyntask_1' } };
  assert.equal(await tauri.invoke('save_poster', [1, 2], headers), 'answer');
  assert.deepEqual(sent.at(-1), ['save_poster', [1, 2], headers]);
  await tauri.invoke('poster_ids');
  assert.deepEqual(sent.at(-1), ['poster_ids', {}, undefined]);
});

test('a Channel is sent as its ID and delivers in order, whatever order Tauri sends in', () => {
  const channel = new tauri.Channel();
  const got = [];
  channel.onmessage = (message) => got.push(message);
  assert.equal(JSON.stringify({ onProgress: channel }), `{"onProgress":"__CHANNEL__:${channel.id}"}`);
  const deliver = callbacks.get(channel.id);
  deliver({ index: 2, message: 'c' });
  deliver({ end: true, index: 3 });
  deliver({ index: 1, message: 'b' });
  assert.deepEqual(got, [], 'a message was delivered before the one ahead of it');
  assert.deepEqual(dropped, [], 'the callback went before every message had come');
  deliver({ index: 0, message: 'a' });
  assert.deepEqual(got, ['a', 'b', 'c']);
  assert.deepEqual(dropped, [channel.id], 'the callback stayed after the last message');
});

test('a Channel that gets no message lets its callback go at the end, and only then', () => {
  const empty = new tauri.Channel();
  callbacks.get(empty.id)({ end: true, index: 0 });
  assert.ok(dropped.includes(empty.id), 'a Channel without messages kept its callback');
  const late = new tauri.Channel();
  const got = [];
  late.onmessage = (message) => got.push(message);
  callbacks.get(late.id)({ index: 0, message: 'a' });
  assert.ok(!dropped.includes(late.id), 'the callback went before the end came');
  callbacks.get(late.id)({ end: true, index: 1 });
  assert.deepEqual(got, ['a']);
  assert.ok(dropped.includes(late.id));
});

test('a handler that throws loses only its own message, and the error is reported', () => {
  const channel = new tauri.Channel();
  const got = [];
  channel.onmessage = (message) => {
    if (message === 'bad') throw new Error('a broken handler');
    got.push(message);
  };
  const reported = [];
  const queue = globalThis.queueMicrotask;
  globalThis.queueMicrotask = (task) => reported.push(task);
  try {
    const deliver = callbacks.get(channel.id);
    deliver({ index: 1, message: 'after' });
    deliver({ index: 0, message: 'bad' });
  } finally {
    globalThis.queueMicrotask = queue;
  }
  assert.deepEqual(got, ['after']);
  assert.equal(reported.length, 1, 'the error was swallowed, not reported');
  assert.throws(reported[0], /a broken handler/);
});

test('listen asks for every target, with a callback Tauri can call', async () => {
  const events = [];
  await tauri.listen('backend', (event) => events.push(event.payload));
  const [command, args] = sent.at(-1);
  assert.equal(command, 'plugin:event|listen');
  assert.deepEqual(args, { event: 'backend', target: { kind: 'Any' }, handler: args.handler });
  callbacks.get(args.handler)({ event: 'backend', payload: 'changed' });
  assert.deepEqual(events, ['changed']);
});

test('the page closes its own window, by its label', async () => {
  await tauri.closeThisWindow();
  assert.deepEqual(sent.at(-1), ['plugin:window|close', { label: 'startup-error' }, undefined]);
  assert.equal(tauri.convertFileSrc('asyntask_1', 'poster'), 'http://poster.localhost/asyntask_1');
});
