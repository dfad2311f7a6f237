// Creating videos from the panel: every request built and checked first, a batch
// confirmed with its cost, then one submission at a time. Nothing is ever sent
// again by itself: a refusal keeps the form, an unknown outcome says so.

import * as api from './api.js';
import { t } from './i18n.js';
import { buildRequests, costText, requestFromBody, requestFromTask } from './create-form.js';
import * as view from './create-view.js';
import { confirm, showToast } from './shell-view.js';
import { errorText } from './status.js';

/** Stock gateways count 500,000 quota units per US dollar. */
const UNITS_PER_DOLLAR = 500000;
/** The balance is asked at most this often (and after each submission). */
const BALANCE_EVERY_MS = 60000;

/**
 * @param {(id: string) => void} onCreated selects the new task in the list
 * @param {() => any} settings the settings in force (prices per second)
 */
export function createCreateController(onCreated, settings) {
  let sending = false;
  let balanceAskedAt = 0;
  /** What the gateway last told, in its units; null when there is nothing to show. */
  let balanceUnits = /** @type {number | null} */ (null);

  function refresh() {
    const { requests } = buildRequests(view.read());
    view.update(costText(requests, settings()));
  }

  /** Draws the balance in the language in force (it may have changed since it came). */
  function drawBalance() {
    const money = balanceUnits === null ? null : `$${(balanceUnits / UNITS_PER_DOLLAR).toFixed(2)}`;
    view.showBalance(money === null ? '' : t('create.balance', { money }));
  }

  /** Shows the balance where the gateway tells it; says nothing where it does not. */
  async function showBalance(force = false) {
    drawBalance();
    if (!force && Date.now() - balanceAskedAt < BALANCE_EVERY_MS) return;
    balanceAskedAt = Date.now();
    try {
      const balance = await api.gatewayBalance();
      balanceUnits = balance && !balance.unlimited ? balance.available : null;
    } catch {
      balanceUnits = null;
    }
    drawBalance();
  }

  function open(prefill = null, guessed = '') {
    view.showGuessed(guessed);
    if (prefill) view.fill(prefill);
    view.open();
    refresh();
    showBalance();
    findPrompts();
  }

  /** The prompt history, searched as the user types in its box. */
  let lastPrompts = /** @type {string[]} */ ([]);
  async function findPrompts() {
    const query = view.recentQuery();
    if (lastPrompts.includes(query)) {
      // Picked from the list: into the form.
      view.usePrompt(query);
      refresh();
      return;
    }
    lastPrompts = await api.recentPrompts(query).catch(() => []);
    view.offerPrompts(lastPrompts);
  }

  async function send(requests) {
    if (sending) return;
    sending = true;
    view.setBusy(true);
    const created = [];
    try {
      for (const request of requests) {
        try {
          created.push(await api.createTask(request));
        } catch (error) {
          // Refused (the gateway's words) or outcome unknown: stop, keep the form.
          // Created but not written down: its ID is shown, to be pasted later.
          const unrecorded = error?.code === 'created_unrecorded';
          const said = unrecorded ? t('create.unrecorded', { id: error.detail ?? '' }) : errorText(error);
          const k = created.length + (unrecorded ? 1 : 0);
          const partial = requests.length > 1 ? ` ${t('create.partial', { k, n: requests.length })}` : '';
          view.showError(said + partial);
          return;
        }
      }
      view.close();
      showToast(created.length === 1 ? t('create.done', { id: created[0] }) : t('create.doneMany', { n: created.length }));
    } finally {
      sending = false;
      view.setBusy(false);
      if (created.length > 0) {
        onCreated(created[0]);
        showBalance(true);
      }
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
    else confirm(t('create.confirm', { summary: costText(requests, settings()) }), () => send(requests), t('create.submit'));
  }

  function bind() {
    document.getElementById('create-recent')?.addEventListener('input', findPrompts);
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
    if (!item.created) {
      // A task made elsewhere: what its answer tells, and the model is a guess.
      open(request, t('create.guessed'));
      return;
    }
    if (mode === 'edit' || local) {
      // A local file is not kept in the history: the panel asks for it again.
      open(request, local ? t('create.localAgain') : '');
      return;
    }
    if (mode === 'seed') request.seed = Math.floor(Math.random() * 2147483647);
    // Shown in the panel while it goes out, so a refusal or an unknown outcome is
    // said where the request can be changed.
    open(request);
    send([request]);
  }

  /** Draws the panel's own lines (cost, balance) in the language in force. */
  function redraw() {
    refresh();
    drawBalance();
  }

  return { bind, open, runAgain, redraw };
}
