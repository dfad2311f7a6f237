// The only module that talks to the Rust backend.

const { invoke } = window.__TAURI__.core;

/**
 * Errors from the backend arrive as {code, message, detail?}; anything else is wrapped.
 * @param {unknown} e
 * @returns {{code: string, message: string, detail?: string | null}}
 */
function normalizeError(e) {
  if (e && typeof e === 'object' && 'code' in e) return /** @type {any} */ (e);
  return { code: 'unknown', message: String(e) };
}

async function call(command, args) {
  try {
    return await invoke(command, args);
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
/** @param {string} id */
export const queryTask = (id) => call('query_task', { id });
/** @param {string} text pasted text; returns {ids, duplicates, rejected} */
export const extractTaskIds = (text) => call('extract_task_ids', { text });
