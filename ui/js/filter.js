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
 * Rows that match the status filter and the search text (in the ID or the prompt,
 * case-insensitive), newest first as given. With no filter, the same array.
 * @param {import('./status.js').Row[]} rows
 * @param {{status: string, query: string}} filter
 */
export function filterRows(rows, filter) {
  const q = filter.query.trim().toLowerCase();
  if (!q && filter.status === 'all') return rows;
  return rows.filter((row) => matchesStatus(row, filter.status) && (!q || haystack(row).includes(q)));
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
