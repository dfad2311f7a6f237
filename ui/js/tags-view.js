// A task's tags in the detail pane: each a chip that can be taken off, and a box
// that adds one (Enter), offering the tags already in use. The backend cleans and
// bounds them; this only draws.

import { t } from './i18n.js';
import { el } from './dom.js';

/**
 * @param {{id: string, tags?: string[]}} row
 * @param {string[]} known every tag in use, for the box's suggestions
 * @param {(id: string, add: string[], remove: string[]) => void} onTags
 */
export function tagsSection(row, known, onTags) {
  const box = el('div', 'tags-box');
  box.id = 'tags-box';
  for (const tag of row.tags ?? []) {
    const chip = el('span', 'tag-chip', tag);
    const off = el('button', 'tag-off', '×');
    off.type = 'button';
    off.title = t('tags.remove', { tag });
    off.setAttribute('aria-label', t('tags.remove', { tag }));
    off.addEventListener('click', () => onTags(row.id, [], [tag]));
    chip.append(off);
    box.append(chip);
  }
  const input = /** @type {HTMLInputElement} */ (el('input', 'tag-input'));
  input.id = 'tag-input';
  input.dataset.task = row.id;
  input.type = 'text';
  input.maxLength = 40;
  input.placeholder = t('tags.add');
  input.setAttribute('aria-label', t('tags.add'));
  const suggestions = el('datalist');
  suggestions.id = 'known-tags';
  for (const tag of known) {
    if (!(row.tags ?? []).includes(tag)) suggestions.append(Object.assign(el('option'), { value: tag }));
  }
  input.setAttribute('list', 'known-tags');
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && input.value.trim()) {
      e.preventDefault();
      onTags(row.id, [input.value], []);
      input.value = '';
    }
  });
  box.append(input, suggestions);
  return box;
}
