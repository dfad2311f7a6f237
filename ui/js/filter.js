// Which rows the list shows: pure, testable with `node --test`.

/**
 * @param {import('./task-view.js').Row} row
 * @param {string} status 'all' | 'active' | 'succeeded' | 'failed' | 'problem'
 */
function matchesStatus(row, status) {
  switch (status) {
    case 'active':
      return row.tracking === 'active';
    case 'succeeded':
    case 'failed':
      return row.status === status && row.tracking === 'final';
    case 'problem':
      return row.tracking === 'not_found' || row.tracking === 'gave_up' || row.error != null;
    default:
      return true;
  }
}

/**
 * Rows that match the status filter and the search text (in the ID or the prompt,
 * case-insensitive), newest first as given.
 * @param {import('./task-view.js').Row[]} rows
 * @param {{status: string, query: string}} filter
 */
export function filterRows(rows, filter) {
  const q = filter.query.trim().toLowerCase();
  return rows.filter(
    (row) =>
      matchesStatus(row, filter.status) &&
      (!q || row.id.toLowerCase().includes(q) || (row.prompt != null && row.prompt.toLowerCase().includes(q))),
  );
}

/**
 * Newest first: by time added, then by ID for a stable order.
 * @param {import('./task-view.js').Row} a
 * @param {import('./task-view.js').Row} b
 */
export function newestFirst(a, b) {
  if (a.added_at !== b.added_at) return a.added_at < b.added_at ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
