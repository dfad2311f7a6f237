// index.html asks for every module of the first screen up front (<link
// rel="modulepreload">), so the webview fetches them in parallel instead of
// discovering them one import level at a time. This keeps that list equal to what
// main.js really imports, and the controller out of it: main.js loads that after
// the first paint.

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
    for (const [, spec] of source.matchAll(/(?:from|import) '(\.[^']+)'/g)) {
      queue.push(normalize(join(dirname(file), spec)));
    }
  }
  return found;
}

test('index.html loads exactly the modules main.js imports, each once', () => {
  const html = readFileSync(join(ui, 'index.html'), 'utf8');
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]);
  const scripts = [...html.matchAll(/<script type="module" src="([^"]+)"(?: async)?><\/script>/g)].map((m) => m[1]);
  const loaded = [...preloaded, ...scripts];
  assert.equal(new Set(loaded).size, loaded.length, 'a module is loaded twice');
  assert.deepEqual(new Set(loaded), reachable('js/main.js'));
});

test('boot.js comes first and imports only api.js (and Tauri under it), so its calls start early', () => {
  const html = readFileSync(join(ui, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script type="module" src="([^"]+)"(?: async)?><\/script>/g)].map((m) => m[1]);
  assert.deepEqual(scripts, ['js/boot.js', 'js/main.js']);
  // async: it runs once it is here, not after the whole document is parsed.
  assert.match(html, /<script type="module" src="js\/boot\.js" async><\/script>/);
  assert.deepEqual(reachable('js/boot.js'), new Set(['js/boot.js', 'js/api.js', 'js/tauri.js']));
});

test('the first screen loads without the controller; main.js loads it after', () => {
  const first = reachable('js/main.js');
  for (const later of ['js/controller.js', 'js/usage-controller.js', 'js/gallery-view.js', 'js/detail-view.js']) {
    assert.ok(!first.has(later), `${later} is imported before the first paint`);
  }
  const main = readFileSync(join(ui, 'js/main.js'), 'utf8');
  assert.match(main, /import\('\.\/controller\.js'\)/);
  assert.match(main, /import\('\.\/usage-controller\.js'\)/);
});
