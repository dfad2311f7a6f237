// The one DOM helper the views share. Text goes in with textContent, never as HTML.

/** @param {string} tag @param {string} [className] @param {string | null} [text] */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

/** @param {string} id */
export const byId = (id) => /** @type {any} */ (document.getElementById(id));
