// Compare: which facts of 2 to 4 takes are shown side by side and which differ,
// the comparison's membership, and when a pane has drifted from the leader. Pure,
// so `node --test` checks it.

/** At most this many takes side by side (a 2×2 grid). */
export const MAX_COMPARED = 4;

/** The facts each pane shows, in order. */
export const FACTS = /** @type {const} */ (['prompt', 'model', 'resolution', 'ratio', 'duration', 'seed']);

/**
 * A take's facts from its detail: what the gateway said, and how it was asked
 * for when it was created here (the seed is only known then).
 * @param {any} detail
 * @returns {Record<string, string>}
 */
export function factsOf(detail) {
  const task = detail?.task ?? {};
  const request = detail?.created?.request ?? {};
  const text = (v) => (v == null || v === '' ? '' : String(v));
  return {
    prompt: text(task.prompt ?? request.prompt),
    model: text(detail?.created?.model ?? task.action),
    resolution: text(task.resolution ?? request.resolution),
    ratio: text(task.ratio ?? request.ratio),
    duration: text(task.duration ?? request.duration),
    seed: text(request.seed),
  };
}

/**
 * The facts whose values are not all the same (an unknown value counts as a
 * value of its own).
 * @param {Record<string, string>[]} facts
 */
export function differing(facts) {
  const out = new Set();
  if (facts.length < 2) return out;
  for (const name of FACTS) {
    if (new Set(facts.map((f) => f[name] ?? '')).size > 1) out.add(name);
  }
  return out;
}

/**
 * Adds a take to the comparison, or takes it out when it is in. Adding a fifth
 * drops the oldest, so `C` always does what it shows.
 * @param {string[]} list @param {string} id
 */
export function toggleCompared(list, id) {
  if (list.includes(id)) return list.filter((x) => x !== id);
  return [...list, id].slice(-MAX_COMPARED);
}

/** 'pair' for two side by side, 'grid' for three or four. @param {number} n */
export const layoutFor = (n) => (n <= 2 ? 'pair' : 'grid');

/**
 * Whether a pane has drifted from the leader far enough to be moved back.
 * @param {number} leader seconds @param {number} time seconds @param {number} [tolerance]
 */
export const drifted = (leader, time, tolerance = 0.05) => Math.abs(leader - time) > tolerance;
