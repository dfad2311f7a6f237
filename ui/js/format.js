// Pure formatting helpers: no DOM, no backend, testable with `node --test`.

import { t } from './i18n.js';

/**
 * "2 min ago" for an RFC 3339 time.
 * @param {string | null} iso
 * @param {number} [now] milliseconds
 */
export function ago(iso, now = Date.now()) {
  if (!iso) return '';
  const secs = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (secs < 60) return t('time.justNow');
  if (secs < 3600) return t('time.minAgo', { n: Math.floor(secs / 60) });
  if (secs < 86400) return t('time.hourAgo', { n: Math.floor(secs / 3600) });
  return t('time.dayAgo', { n: Math.floor(secs / 86400) });
}

/**
 * "5 h 12 min left" or "expired".
 * @param {string | null} iso
 * @param {number} [now] milliseconds
 */
export function timeLeft(iso, now = Date.now()) {
  if (!iso) return '';
  const secs = Math.round((Date.parse(iso) - now) / 1000);
  if (secs <= 0) return t('time.expired');
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  return t('time.left', { t: h > 0 ? t('time.hm', { h, m }) : t('time.m', { m: Math.max(1, m) }) });
}

/**
 * A local date and time for an RFC 3339 string.
 * @param {string | null} iso
 * @param {string} lang
 */
export function localTime(iso, lang) {
  if (!iso) return '';
  return new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false });
}

/** @param {string} id */
export function shortId(id) {
  if (id.length <= 18) return id;
  const head = id.startsWith('asyntask_') ? 13 : 8;
  return `${id.slice(0, head)}…${id.slice(-4)}`;
}

/** @param {number | null} secs */
export function seconds(secs) {
  if (secs == null) return '';
  return t('unit.seconds', { n: Number.isInteger(secs) ? secs : secs.toFixed(2) });
}

/**
 * "12.3 MB" for a byte count.
 * @param {number} n
 */
export function bytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
