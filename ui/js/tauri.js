// The parts of Tauri's JavaScript API the pages use, over the `__TAURI_INTERNALS__`
// object Tauri puts in every page, as @tauri-apps/api 2.x does (its core.ts and
// event.ts). Not `withGlobalTauri`: that injects the whole API (41 KB) and each
// plugin's into every page before its first script runs, which held Paddock's
// first paint up by about 8 ms (./dev bench, "start-up"). The e2e tests drive the
// commands, the events and closing a window through the real window; a Channel's
// delivery order is tested in ui/test/tauri.test.js (a save reports its progress
// as a backend event too, so the e2e tests would not see a Channel that lost it).

/** Tauri's own, read when called: a page without it (node --test) can still import this. */
const internals = () => /** @type {any} */ (globalThis).__TAURI_INTERNALS__;

/** The key Tauri's IPC serializer calls on an argument to send it (a Channel's ID). */
const TO_IPC = '__TAURI_TO_IPC_KEY__';

/**
 * Calls a Rust command. @param {string} command @param {any} [args]
 * @param {{headers?: Record<string, string>}} [options]
 */
export const invoke = (command, args = {}, options) => internals().invoke(command, args, options);

/**
 * A stream of messages from a command (a save's progress). Tauri numbers each
 * message and may deliver them out of order; they reach `onmessage` in order, and
 * the callback is dropped once the last one has arrived.
 */
export class Channel {
  /** @type {(message: any) => void} */
  onmessage = () => {};
  #next = 0;
  /** @type {Map<number, any>} */
  #early = new Map();
  /** @type {number | undefined} */
  #end;

  constructor() {
    this.id = internals().transformCallback((/** @type {any} */ raw) => this.#receive(raw));
  }

  /** @param {{index: number, message?: any, end?: true}} raw */
  #receive(raw) {
    if ('end' in raw) this.#end = raw.index;
    else this.#early.set(raw.index, raw.message);
    while (this.#early.has(this.#next)) {
      const message = this.#early.get(this.#next);
      this.#early.delete(this.#next);
      this.#next += 1;
      try {
        this.onmessage(message);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    if (this.#next === this.#end) internals().unregisterCallback(this.id);
  }

  [TO_IPC]() {
    return `__CHANNEL__:${this.id}`;
  }

  toJSON() {
    return this[TO_IPC]();
  }
}

/**
 * Calls `handler` with each `event` the backend emits to this page, from when the
 * returned promise settles. @param {string} event @param {(event: {payload: any}) => void} handler
 */
export const listen = (event, handler) =>
  invoke('plugin:event|listen', { event, target: { kind: 'Any' }, handler: internals().transformCallback(handler) });

/** A URL that the custom scheme `protocol` serves `path` at. @param {string} path @param {string} protocol */
export const convertFileSrc = (path, protocol) => internals().convertFileSrc(path, protocol);

/** Closes the page's own window (its capability must allow it). */
export const closeThisWindow = () => invoke('plugin:window|close', { label: internals().metadata.currentWindow.label });
