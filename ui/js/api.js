// The only module that talks to the Rust backend.

import { Channel, convertFileSrc, invoke, listen } from './tauri.js';

/**
 * Errors from the backend arrive as {code, message, detail?}; anything else is wrapped.
 * @param {unknown} e
 * @returns {{code: string, message: string, detail?: string | null}}
 */
function normalizeError(e) {
  if (e && typeof e === 'object' && 'code' in e) return /** @type {any} */ (e);
  return { code: 'unknown', message: String(e) };
}

async function call(command, args, options) {
  try {
    return await invoke(command, args, options);
  } catch (e) {
    throw normalizeError(e);
  }
}

export const appInfo = () => call('app_info');
export const getSettings = () => call('get_settings');
/** @param {{base_url: string, language: string, theme: string}} settings */
export const saveSettings = (settings) => call('save_settings', { settings });
export const keyStatus = () => call('key_status');
/** @param {string} key */
export const setApiKey = (key) => call('set_api_key', { key });
export const removeApiKey = () => call('remove_api_key');
export const listTasks = () => call('list_tasks');
/** @param {number} limit @returns {Promise<{rows: any[], total: number}>} */
export const listNewestTasks = (limit) => call('list_newest_tasks', { limit });
/** @param {string} id */
export const taskDetail = (id) => call('task_detail', { id });
/** @param {string} text pasted text; returns {added, already_tracked, rejected, ids, first} */
export const addTasks = (text) => call('add_tasks', { text });
/** @param {string[]} ids */
export const removeTasks = (ids) => call('remove_tasks', { ids });
export const clearFinished = () => call('clear_finished');
/** @param {string} id */
export const refreshTask = (id) => call('refresh_task', { id });
export const refreshAll = () => call('refresh_all');
/** @param {string} id */
export const markSeen = (id) => call('mark_seen', { id });
/** @param {string[]} ids @param {boolean} starred */
export const setStarred = (ids, starred) => call('set_starred', { ids, starred });
/** @param {string} id @param {string[]} add @param {string[]} remove @returns {Promise<string[]>} */
export const changeTags = (id, add, remove) => call('change_tags', { id, add, remove });
/** Billed seconds per local day and tier. @param {string | null} since YYYY-MM-DD */
export const usageSummary = (since) => call('usage_summary', { since });
export const pollerStatus = () => call('poller_status');
/** @param {number} firstPaintMs @param {number} tasks */
export const frontendReady = (firstPaintMs, tasks) => call('frontend_ready', { firstPaintMs, tasks });
/**
 * Asks where to save; returns {token, path} (the path only to show), or null when
 * the user cancels. The page never names a path itself.
 * @param {string} id
 */
export const chooseSavePath = (id) => call('choose_save_path', { id });
/**
 * Downloads in the backend to the destination behind `ticket`; `onProgress` gets
 * {received, total, bytes_per_sec}.
 * @param {string} id @param {string} ticket @param {(p: any) => void} onProgress
 */
export function saveVideo(id, ticket, onProgress) {
  const channel = new Channel();
  channel.onmessage = onProgress;
  return call('save_video', { id, ticket, onProgress: channel });
}
/** Creates one task (one POST, never repeated); returns its ID. @param {any} request */
export const createTask = (request) => call('create_task', { request });
/** Prompts used before that contain `query`, newest first. @param {string} query */
export const recentPrompts = (query) => call('recent_prompts', { query });
/** The key's balance where the gateway tells it, else null. */
export const gatewayBalance = () => call('gateway_balance');
/** Asks for a folder; returns its path, or null. */
export const chooseFolder = () => call('choose_folder');
/** @param {string} id */
export const cancelDownload = (id) => call('cancel_download', { id });
/** @param {string} id */
export const showInFolder = (id) => call('show_in_folder', { id });
/** @param {string} id */
export const openVideoExternally = (id) => call('open_video_externally', { id });

/**
 * Every backend report, through one subscription (`desktop/events.rs`, BACKEND):
 * 'tasks-changed' (rows), 'tasks-removed' (ids), 'poller-paused' (error or null),
 * 'task-finished' (row), 'video-saving' ({id, progress | null}), 'select-task' (id).
 * @param {(name: string, payload: any) => void} handler
 */
export const onBackendEvents = (handler) => listen('backend', ({ payload }) => handler(payload?.name, payload?.payload));
/** The IDs of the tasks that have a poster. */
export const posterIds = () => call('poster_ids');
/** A loopback URL to draw a frame from, or an error that says why not. @param {string} id */
export const posterSource = (id) => call('poster_source', { id });
/** Keeps a poster: the JPEG goes as the raw body. @param {string} id @param {Uint8Array} jpeg */
export const savePoster = (id, jpeg) => call('save_poster', jpeg, { headers: { 'x-task-id': id } });
/** Where the page shows a task's poster from (`poster:` scheme, served by Rust). @param {string} id */
export const posterUrl = (id) => convertFileSrc(id, 'poster');
/** Starts the system's drag of these tasks' saved files. @param {string[]} ids */
export const dragOut = (ids) => call('drag_out', { ids });
