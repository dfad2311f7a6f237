// The second row of filters, under the toolbar: kind, resolution, ratio, a date
// range and the order. Shown with the Filters button; the menus offer the values
// the tasks have.

import { byId } from './dom.js';
import { choicesOf } from './filter.js';

const panel = /** @type {HTMLElement} */ (byId('more-filters'));
const toggle = /** @type {HTMLButtonElement} */ (byId('filters-button'));
const menus = /** @type {const} */ ({ action: 'filter-action', resolution: 'filter-resolution', ratio: 'filter-ratio' });
const from = /** @type {HTMLInputElement} */ (byId('filter-from'));
const to = /** @type {HTMLInputElement} */ (byId('filter-to'));
const order = /** @type {HTMLSelectElement} */ (byId('sort-order'));
/** The values each menu was last filled with, so unchanged menus are not rebuilt. */
const filled = new Map();
/** The rows the menus were last filled from: the same array means no change. */
let filledFrom = /** @type {unknown} */ (null);

/** @param {string} id */
const select = (id) => /** @type {HTMLSelectElement} */ (byId(id));

/** What the row asks for: empty strings mean "any". */
export function readDetails() {
  return {
    action: select(menus.action).value,
    resolution: select(menus.resolution).value,
    ratio: select(menus.ratio).value,
    from: from.value,
    to: to.value,
  };
}

export const readOrder = () => order.value;

/** Offers in each menu the values the tasks have (keeping the choice). @param {import('./status.js').Row[]} rows */
export function fillChoices(rows) {
  if (rows === filledFrom) return;
  filledFrom = rows;
  for (const [field, id] of Object.entries(menus)) {
    const values = choicesOf(rows, /** @type {any} */ (field));
    const key = values.join('\u0001');
    if (filled.get(field) === key) continue;
    filled.set(field, key);
    const menu = select(id);
    const chosen = menu.value;
    const any = menu.options[0];
    menu.replaceChildren(any, ...values.map((v) => new Option(v, v)));
    menu.value = values.includes(chosen) ? chosen : '';
  }
}

/** Marks the Filters button while any of these filters is on. */
function markActive() {
  const d = readDetails();
  toggle.classList.toggle('active', Boolean(d.action || d.resolution || d.ratio || d.from || d.to || order.value !== 'newest'));
}

/** Back to any kind, resolution, ratio and date (the order hides nothing: it stays). */
export function clearDetails() {
  for (const id of Object.values(menus)) select(id).value = '';
  from.value = '';
  to.value = '';
  markActive();
}

/** @param {() => void} onChange */
export function bindFilters(onChange) {
  toggle.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    toggle.setAttribute('aria-expanded', String(!panel.hidden));
  });
  const changed = () => {
    markActive();
    onChange();
  };
  for (const id of [...Object.values(menus), 'filter-from', 'filter-to', 'sort-order']) byId(id).addEventListener('change', changed);
  byId('filters-clear').addEventListener('click', () => {
    order.value = 'newest';
    clearDetails();
    onChange();
  });
}
