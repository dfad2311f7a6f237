// The Usage dialog: billed seconds per day as stacked bars (inline SVG) and the
// same figures as a table, for people who would rather read. DOM only.

import { t } from './i18n.js';
import { el, byId } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const dialog = /** @type {HTMLDialogElement} */ (byId('usage-dialog'));

/** @param {string} tag @param {Record<string, string | number>} attrs */
function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/**
 * @typedef {{tasks: number, seconds: number}} Tally
 * @typedef {{date?: string, '720P': Tally, '1080P': Tally, failed: number}} Period
 * @typedef {{total: Period, days: Period[], weeks: Period[]}} Usage
 */

/** Stacked bars of the last 30 days: 720P below, 1080P above. @param {Period[]} days */
function chart(days) {
  const shown = days.slice(-30);
  const width = 480;
  const height = 150;
  const base = height - 18;
  const most = Math.max(1, ...shown.map((d) => d['720P'].seconds + d['1080P'].seconds));
  const step = width / Math.max(shown.length, 1);
  const bar = Math.max(4, Math.min(28, step * 0.7));
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'usage-chart', role: 'img' });
  root.setAttribute('aria-label', t('usage.chart'));
  shown.forEach((d, i) => {
    const x = i * step + (step - bar) / 2;
    const low = (d['720P'].seconds / most) * (base - 6);
    const high = (d['1080P'].seconds / most) * (base - 6);
    root.append(svg('rect', { x, y: base - low, width: bar, height: low, class: 'bar-720' }));
    root.append(svg('rect', { x, y: base - low - high, width: bar, height: high, class: 'bar-1080' }));
    if (shown.length <= 10 || i === 0 || i === shown.length - 1) {
      const label = svg('text', { x: x + bar / 2, y: height - 4, 'text-anchor': 'middle', class: 'bar-label' });
      label.textContent = (d.date ?? '').slice(5);
      root.append(label);
    }
  });
  root.append(svg('line', { x1: 0, y1: base, x2: width, y2: base, class: 'bar-axis' }));
  return root;
}

/**
 * @param {Period[]} periods newest last @param {Period | null} total the total row, if any
 * @param {string} firstHeader
 * @param {(p: Period) => string} money '' when prices are not set
 */
function table(periods, total, firstHeader, money) {
  const tableEl = el('table', 'usage-table');
  const priced = money(periods[0] ?? total) !== '';
  const head = el('tr');
  const keys = [firstHeader, 'usage.tasks720', 'usage.seconds720', 'usage.tasks1080', 'usage.seconds1080', 'usage.failed'];
  for (const key of priced ? [...keys, 'usage.cost'] : keys) {
    head.append(el('th', '', t(key)));
  }
  tableEl.append(head);
  const line = (/** @type {string} */ label, /** @type {Period} */ p, cls = '') => {
    const tr = el('tr', cls);
    const cells = [label, p['720P'].tasks, p['720P'].seconds.toFixed(2), p['1080P'].tasks, p['1080P'].seconds.toFixed(2), p.failed];
    for (const text of priced ? [...cells, money(p)] : cells) {
      tr.append(el('td', '', String(text)));
    }
    tableEl.append(tr);
  };
  for (const period of [...periods].reverse()) line(period.date ?? '', period);
  if (total) line(t('usage.total'), total, 'total');
  return tableEl;
}

/** @param {Usage} usage @param {(p: Period) => string} money */
export function showUsage(usage, money) {
  const body = byId('usage-body');
  if (usage.days.length === 0) body.replaceChildren(el('p', 'note', t('usage.none')));
  else body.replaceChildren(chart(usage.days), table(usage.days, usage.total, 'usage.date', money), table(usage.weeks, null, 'usage.week', money));
  if (!dialog.open) dialog.showModal();
}

/** @param {string} text */
export function showUsageError(text) {
  byId('usage-body').replaceChildren(el('p', 'error', text));
  if (!dialog.open) dialog.showModal();
}

/** @param {() => void} onOpen */
export function bindUsage(onOpen) {
  byId('usage-button').addEventListener('click', onOpen);
  byId('usage-close').addEventListener('click', () => dialog.close());
}
