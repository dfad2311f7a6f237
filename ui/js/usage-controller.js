// The Usage view: asks the backend for the sums (by local day and tier) and prices
// them with the per-second prices from Settings, when both are set.

import * as api from './api.js';
import { errorText } from './status.js';
import { showUsage, showUsageError, bindUsage } from './usage-view.js';

export function createUsageController() {
  async function open() {
    try {
      const [usage, settings] = await Promise.all([api.usageSummary(null), api.getSettings()]);
      const p720 = Number.parseFloat(settings?.price_720p ?? '');
      const p1080 = Number.parseFloat(settings?.price_1080p ?? '');
      const currency = settings?.currency ?? '';
      const priced = Number.isFinite(p720) && Number.isFinite(p1080);
      showUsage(usage, (p) => (priced ? `${currency}${(p['720P'].seconds * p720 + p['1080P'].seconds * p1080).toFixed(2)}` : ''));
    } catch (error) {
      showUsageError(errorText(error));
    }
  }
  return { bind: () => bindUsage(open) };
}
