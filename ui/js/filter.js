// Which rows the list shows: pure, testable with `node --test`.

import { isFinished, needsAttention } from './status.js';

/**
 * @param {import('./status.js').Row} row
 * @param {string} status 'all' | 'active' | 'succeeded' | 'failed' | 'problem' | 'starred'
 */
function matchesStatus(row, status) {
  switch (status) {
    case 'active':
      return !isFinished(row);
    case 'succeeded':
    case 'failed':
      return row.status === status && row.tracking === 'final';
    case 'problem':
      return needsAttention(row);
    case 'starred':
      return row.starred === true;
    default:
      return true;
  }
}

/** Lower-cased ID and prompt per row object; a changed task arrives as a new object. */
const haystacks = new WeakMap();

/** @param {import('./status.js').Row} row */
function haystack(row) {
  let text = haystacks.get(row);
  if (text === undefined) {
    text = `${row.id}\n${row.prompt ?? ''}\n${(row.tags ?? []).join('\n')}`.toLowerCase();
    haystacks.set(row, text);
  }
  return text;
}

/**
 * @typedef {{status: string, query: string, action?: string, resolution?: string, ratio?: string,
 *   from?: string, to?: string}} Filter  empty strings mean "any"; dates are local YYYY-MM-DD
 */

/** The local calendar day (YYYY-MM-DD) of an RFC 3339 time. @param {string | undefined} iso */
export function localDay(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** @param {import('./status.js').Row} row @param {Filter} f */
function matchesDetails(row, f) {
  if (f.action && row.action !== f.action) return false;
  if (f.resolution && row.resolution !== f.resolution) return false;
  if (f.ratio && row.ratio !== f.ratio) return false;
  if (f.from || f.to) {
    const day = localDay(row.submitted_at || row.added_at);
    if (f.from && day < f.from) return false;
    if (f.to && day > f.to) return false;
  }
  return true;
}

/**
 * Rows that match every filter: status, search text (in the ID, the prompt or a
 * tag, any case), kind, resolution, ratio and date range; in the order given.
 * With no filter, the same array.
 * @param {import('./status.js').Row[]} rows
 * @param {Filter} filter
 */
export function filterRows(rows, filter) {
  const q = filter.query.trim().toLowerCase();
  const details = Boolean(filter.action || filter.resolution || filter.ratio || filter.from || filter.to);
  if (!q && filter.status === 'all' && !details) return rows;
  return rows.filter((row) => matchesStatus(row, filter.status) && (!q || haystack(row).includes(q)) && (!details || matchesDetails(row, filter)));
}

/**
 * The rows in the order asked for: 'newest' (as given: newest first), 'oldest', or
 * 'duration' (longest first; unknown durations last). Newest-first input assumed.
 * @param {import('./status.js').Row[]} rows @param {string} order
 */
export function sortRows(rows, order) {
  if (order === 'oldest') return [...rows].reverse();
  if (order === 'duration') return [...rows].sort((a, b) => (b.duration ?? -1) - (a.duration ?? -1));
  return rows;
}

/** The distinct values of a field among the rows, sorted, for the filter menus. @param {import('./status.js').Row[]} rows @param {'action' | 'resolution' | 'ratio'} field */
export function choicesOf(rows, field) {
  return [...new Set(rows.map((r) => r[field]).filter((v) => typeof v === 'string' && v !== ''))].sort();
}

/**
 * Newest first: by time added, then by ID for a stable order.
 * @param {import('./status.js').Row} a
 * @param {import('./status.js').Row} b
 */
export function newestFirst(a, b) {
  if (a.added_at !== b.added_at) return a.added_at < b.added_at ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
