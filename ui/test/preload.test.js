// index.html asks for every module of the page up front (<link rel="modulepreload">),
// so the webview fetches them in parallel instead of discovering them one import
// level at a time. This keeps that list equal to what main.js really imports.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const ui = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every module reachable from `entry` by static imports, as paths under ui/. */
function reachable(entry) {
  const found = new Set();
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift();
    if (found.has(file)) continue;
    found.add(file);
    const source = readFileSync(join(ui, file), 'utf8');
    for (const [, spec] of source.matchAll(/from '(\.[^']+)'/g)) {
      queue.push(normalize(join(dirname(file), spec)));
    }
  }
  return found;
}

test('index.html preloads exactly the modules main.js imports', () => {
  const html = readFileSync(join(ui, 'index.html'), 'utf8');
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]);
  assert.equal(new Set(preloaded).size, preloaded.length, 'a module is preloaded twice');
  const imported = reachable('js/main.js');
  imported.delete('js/main.js');
  assert.deepEqual(new Set(preloaded), imported);
});
