// What a task's state reads as, derived in one place: the chip, the waiting line,
// the sentence for an error, whether its link dies soon. Pure (no DOM), so the list,
// the detail pane and the filter agree, and `node --test` checks it.

import { t, has } from './i18n.js';

/**
 * @typedef {{code: string, message: string, detail?: string | null}} UiError
 * @typedef {{id: string, base_url: string, added_at: string, tracking: string, status?: string,
 *   raw_status?: string, status_recognized: boolean, progress?: number, prompt?: string,
 *   submitted_at?: string, finished_at?: string, video_url?: string,
 *   video_expires_at?: string, saved_path?: string, fail_reason?: string,
 *   error?: UiError, retry_at?: string, waiting: boolean, unseen: boolean, checking: boolean}} Row
 */

/** A link that dies within this many hours, unsaved, is flagged. */
export const EXPIRY_WARNING_HOURS = 6;

/** Whether Paddock has stopped asking about the task (final, not found, given up). */
export function isFinished(/** @type {Row} */ row) {
  return row.tracking !== 'active';
}

/** Whether the row's error needs the user (a passing fault is only waited out). */
export function needsAttention(/** @type {Row} */ row) {
  return row.tracking === 'not_found' || row.tracking === 'gave_up' || (row.error != null && !row.waiting);
}

/**
 * The chip's class and label.
 * @param {Row} row
 * @returns {{cls: string, label: string}}
 */
export function statusOf(row) {
  if (row.tracking === 'not_found') return { cls: 'failed', label: t('status.not_found') };
  if (row.tracking === 'gave_up') return { cls: 'unknown', label: t('status.gave_up') };
  if (!row.status) {
    // A 429, a 5xx or a dropped connection is waited out: calm, not red.
    if (row.waiting) return { cls: 'waiting', label: t('status.waiting') };
    if (row.error) return { cls: 'error', label: t('status.error') };
    return { cls: 'checking', label: t('status.checking') };
  }
  if (!row.status_recognized && row.raw_status) return { cls: 'unknown', label: row.raw_status };
  return { cls: row.status, label: t(`status.${row.status}`) };
}

/** The user-facing sentence for an error, with the gateway's own words after it. */
export function errorText(/** @type {UiError} */ error) {
  const key = `error.${error.code}`;
  const main = has(key) ? t(key) : error.message || t('error.unknown');
  return error.detail ? `${main} ${t('error.gatewaySays', { detail: error.detail })}` : main;
}

/** "40 s" or "3 min" until an RFC 3339 time. @param {string} iso @param {number} [now] */
export function untilText(iso, now = Date.now()) {
  const secs = Math.max(0, Math.round((Date.parse(iso) - now) / 1000));
  return secs < 60 ? t('unit.seconds', { n: secs }) : t('time.m', { m: Math.ceil(secs / 60) });
}

/** "Waiting, next try in 40 s", or "Waiting" when the time is not known. */
export function waitingText(/** @type {Row} */ row, now = Date.now()) {
  return row.retry_at ? t('status.waitingFor', { t: untilText(row.retry_at, now) }) : t('status.waiting');
}

/** What the row's second line says when there is no prompt to show. */
export function reasonText(/** @type {Row} */ row, now = Date.now()) {
  if (!row.error) return '';
  return row.waiting ? waitingText(row, now) : errorText(row.error);
}

/** Whether the row's link dies soon and nothing is saved. @param {Row} row */
export function expiringSoon(row, now = Date.now()) {
  if (!row.video_expires_at || row.saved_path) return false;
  const left = Date.parse(row.video_expires_at) - now;
  return left < EXPIRY_WARNING_HOURS * 3600 * 1000;
}

/** Whether the link has already died. @param {Row} row */
export function linkExpired(row, now = Date.now()) {
  return row.video_expires_at != null && Date.parse(row.video_expires_at) <= now;
}
