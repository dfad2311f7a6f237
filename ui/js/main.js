// Composition root: the first screen from the few modules it needs, then the
// controller and the views it drives, loaded once that screen is painted.

import { createStore } from './store.js';
import { showFirstScreen } from './first-screen.js';
import { afterPaint } from './perf.js';
import { mountDialogs, showBanner } from './shell-view.js';
import { errorText } from './status.js';

// Start-up is timed in parts from here (`./dev bench`).
performance.mark('modules-evaluated');
const store = createStore();
const firstScreen = showFirstScreen(store);
// Loading the rest sooner would hold up that paint; its failure is the controller's to
// show. A window started hidden (at login) paints no frames, so it does not wait for one.
await firstScreen.catch(() => {});
if (document.visibilityState === 'visible') await new Promise(afterPaint);
mountDialogs();
try {
  const [{ createController }, { createUsageController }] = await Promise.all([import('./controller.js'), import('./usage-controller.js')]);
  createController(store).start(firstScreen);
  createUsageController().bind();
} catch (error) {
  showBanner(errorText(/** @type {any} */ (error)));
}
