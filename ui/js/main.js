// Composition root: a store, a controller over it, and the views it drives.

import { createStore } from './store.js';
import { createController } from './controller.js';
import { createUsageController } from './usage-controller.js';

// Start-up is timed in parts from here (`./dev bench`).
performance.mark('modules-evaluated');
createController(createStore()).start();
createUsageController().bind();
