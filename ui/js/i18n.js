// Looking strings up: the language in force, and `{name}` filled in. The tables are
// in `strings/`; nothing here touches the page except `setLanguage` and
// `applyStatic`, so the lookup is tested with `node --test`.

import en from './strings/en.js';

/**
 * The tables loaded so far. English is the fallback and always here; Chinese loads
 * when it is first chosen (boot.js fetches it early for a window that was in Chinese
 * last time), so an English window does not fetch and parse it before its first
 * screen (./dev bench, "start-up").
 * @type {Record<string, Record<string, string>>}
 */
const TABLE = { en };

/** Counts `setLanguage` calls: the last one asked for wins, whichever table loads last. */
let asked = 0;

let current = 'en';

/** The language the system prefers, reduced to one Paddock has. */
export function systemLanguage() {
  const nav = globalThis.navigator;
  const langs = nav?.languages?.length ? nav.languages : [nav?.language || 'en'];
  return langs.some((l) => String(l).toLowerCase().startsWith('zh')) ? 'zh' : 'en';
}

/** @param {string} choice 'system' | 'en' | 'zh' */
export function languageOf(choice) {
  return choice === 'en' || choice === 'zh' ? choice : systemLanguage();
}

/**
 * Makes `choice` the language in force once its table is loaded. Until then the one
 * before stays, so no string is ever looked up in a missing table; a table that
 * does not load leaves it too.
 * @param {string} choice 'system' | 'en' | 'zh'
 */
export async function setLanguage(choice) {
  const wanted = languageOf(choice);
  const ask = ++asked;
  try {
    if (wanted === 'zh') TABLE.zh ??= (await import('./strings/zh.js')).default;
  } catch (error) {
    console.error(error);
    return;
  }
  if (ask !== asked) return;
  current = wanted;
  if (globalThis.document) document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
}

export function language() {
  return current;
}

/**
 * @param {string} key
 * @param {Record<string, string | number>} [params]
 */
export function t(key, params = {}) {
  const text = TABLE[current][key] ?? TABLE.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? filled(params[name]) : `{${name}}`));
}

/**
 * A whole number with its digits in groups of three ("10,000"), as English and
 * Simplified Chinese both write counts. Not `Intl.NumberFormat`: making one sets up
 * ICU's number formatting: 6 ms before the first screen's code has run, here.
 * @param {number} count
 */
export function groupDigits(count) {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** @param {string | number} value */
function filled(value) {
  return Number.isInteger(value) ? groupDigits(/** @type {number} */ (value)) : String(value);
}

/** Whether the table has a string for this key (error codes the UI may not know). */
export function has(key) {
  return key in TABLE.en;
}

/** Fills `data-i18n`, `data-i18n-placeholder` and `data-i18n-title` under root. */
export function applyStatic(root = document) {
  root.querySelectorAll('[data-i18n]').forEach((el) => {
    el.textContent = t(el.getAttribute('data-i18n'));
  });
  root.querySelectorAll('[data-i18n-placeholder]').forEach((el) => {
    el.setAttribute('placeholder', t(el.getAttribute('data-i18n-placeholder')));
  });
  root.querySelectorAll('[data-i18n-title]').forEach((el) => {
    el.setAttribute('title', t(el.getAttribute('data-i18n-title')));
  });
}
