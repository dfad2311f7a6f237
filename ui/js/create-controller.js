// Creating videos from the panel: every request built and checked first, a batch
// confirmed with its cost, then one submission at a time. Nothing is ever sent
// again by itself: a refusal keeps the form, an unknown outcome says so.

import * as api from './api.js';
import { t } from './i18n.js';
import { buildRequests, costText, requestFromBody, requestFromTask } from './create-form.js';
import * as view from './create-view.js';
import { confirm, showToast } from './shell-view.js';

/** @param {(id: string) => void} onCreated selects the new task in the list */
export function createCreateController(onCreated) {
  let sending = false;

  function refresh() {
    const { requests } = buildRequests(view.read());
    view.update(costText(requests));
  }

  function open(prefill = null) {
    if (prefill) view.fill(prefill);
    view.open();
    refresh();
  }

  async function send(requests) {
    sending = true;
    view.setBusy(true);
    const created = [];
    try {
      for (const request of requests) {
        try {
          created.push(await api.createTask(request));
        } catch (error) {
          // Refused (the gateway's words) or outcome unknown: stop, keep the form.
          view.showError(error);
          return;
        }
      }
      view.close();
      showToast(created.length === 1 ? t('create.done', { id: created[0] }) : t('create.doneMany', { n: created.length }));
    } finally {
      sending = false;
      view.setBusy(false);
      if (created.length > 0) onCreated(created[0]);
    }
  }

  function submit() {
    if (sending) return;
    const { requests, error } = buildRequests(view.read());
    if (error) {
      view.showError(error);
      return;
    }
    view.showError(null);
    if (requests.length === 1) send(requests);
    else confirm(t('create.confirm', { summary: costText(requests) }), () => send(requests), t('create.submit'));
  }

  function bind() {
    view.bind({
      onChange: refresh,
      onSubmit: submit,
      onDice: () => {
        view.setSeed(Math.floor(Math.random() * 2147483647));
        refresh();
      },
    });
    document.getElementById('new-video-button')?.addEventListener('click', () => open());
    document.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'n') {
        e.preventDefault();
        open();
      }
    });
  }

  /**
   * "Run again" (the same request), "New seed" (the same with another seed), or
   * "Edit and run" (the panel, filled in).
   * @param {any} item the detail pane's task @param {string} mode 'same' | 'seed' | 'edit'
   */
  function runAgain(item, mode) {
    const request = item.created ? requestFromBody(item.created.model, item.created.request) : requestFromTask(item.task);
    const local = [...request.images, request.reference].some((u) => u && !/^https?:/.test(u));
    if (mode === 'edit' || local) {
      // A local file is not kept in the history: the panel asks for it again.
      open(request);
      return;
    }
    if (mode === 'seed') request.seed = Math.floor(Math.random() * 2147483647);
    // Shown in the panel while it goes out, so a refusal or an unknown outcome is
    // said where the request can be changed.
    open(request);
    if (!sending) send([request]);
  }

  return { bind, open, runAgain };
}
