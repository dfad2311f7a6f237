// Timing marks for `./dev bench`, read over WebDriver with the Performance API.
// Each measure is replaced, not accumulated, so a long session does not grow a buffer.

/** Runs `then` once the frame with the current DOM changes has been painted. */
export function afterPaint(then) {
  requestAnimationFrame(() => setTimeout(then, 0));
}

/**
 * Records `name` as the time from `start` (a performance.now() value) to the paint
 * that shows what was just rendered.
 * @param {string} name @param {number} start @param {() => void} [then]
 */
export function measureToPaint(name, start, then) {
  afterPaint(() => {
    performance.clearMeasures(name);
    performance.measure(name, { start, end: performance.now() });
    if (then) then();
  });
}
