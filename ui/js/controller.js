// Turns what happens (a paste, a click, a key, an event from the backend) into
// store changes and backend calls, then has the views draw the result.

import * as api from './api.js';
import { t } from './i18n.js';
import { errorText } from './status.js';
import { bindFilters, clearDetails } from './filters-view.js';
import * as store_ from './store.js';
import { renderList, bindList, reveal, focusRow, markCompared } from './list-view.js';
import { renderDetail, renderMulti } from './detail-view.js';
import { showToast, showBanner, bannerShown, showPage, markReady, clearFilter, copyToClipboard, bindShell } from './shell-view.js';
import { createSettingsController } from './settings-controller.js';
import { createCreateController } from './create-controller.js';
import { measureToPaint, afterPaint } from './perf.js';
import { createSaveController } from './save-controller.js';
import { confirmRemove, confirmClearFinished } from './remove-controller.js';
import { createGalleryController } from './gallery-controller.js';
import { createCompareController } from './compare-controller.js';
import { backendEventHandler } from './backend-events.js';
import { early, readEveryRow, takeEvents } from './boot.js';
import { chooseRows, reportFirstPaint } from './first-screen.js';
import { togglePreview } from './media-view.js';

/** @param {import('./store.js').Store} store */
export function createController(store) {
  const creator = createCreateController((id) => select(id, undefined, false), () => store.settings);
  // A language switch draws everything again, the create panel's own lines too.
  const settings = createSettingsController(store, () => {
    render();
    creator.redraw();
  });
  const saves = createSaveController(store, () => detailHandlers);
  const compare = createCompareController(store, { save: (id) => saves.save(id), changed: () => renderRows() });
  const gallery = createGalleryController(store, { select, toggleStar, remove: confirmRemove, rerender: renderRows, compare: compare.toggle });
  const list = { render: () => renderList(store.shown, store.selected), reveal, focus: focusRow };
  /** The view on screen: the list or the gallery (same rows, same selection). */
  const view = () => (gallery.active() ? gallery : list);
  let detailToken = 0;
  /** The key of what the pane shows now (see `store.detailKey`). */
  let shownDetail = '';

  const detailHandlers = {
    onRefresh: (id) => api.refreshTask(id).catch((e) => showToast(errorText(e))),
    onCopy: copyToClipboard,
    onRemove: confirmRemove,
    onSave: (id) => saves.save(id),
    onCancelSave: (id) => api.cancelDownload(id).catch(() => {}),
    onShowInFolder: (id) => api.showInFolder(id).catch((e) => showToast(errorText(e))),
    onOpenExternal: (id) => api.openVideoExternally(id).catch((e) => showToast(errorText(e))),
    onRunAgain: (item, mode) => creator.runAgain(item, mode),
    onTags: (id, add, remove) => api.changeTags(id, add, remove).catch((e) => showToast(errorText(e))),
    knownTags: () => [...new Set([...store.rows.values()].flatMap((r) => r.tags ?? []))].sort(),
  };

  function renderRows() {
    chooseRows(store);
    markCompared(store.compared);
    compare.showButton();
    view().render();
  }

  /** Fetches and draws the pane again only when what it shows has changed. */
  async function renderSelection(force = false) {
    const key = store_.detailKey(store);
    if (!force && key === shownDetail) return;
    shownDetail = key;
    const token = ++detailToken;
    if (store.selected.size > 1) {
      renderMulti([...store.selected], detailHandlers);
      return;
    }
    const id = store_.singleSelection(store);
    if (!id) {
      renderDetail(null, detailHandlers);
      return;
    }
    try {
      const item = await api.taskDetail(id);
      if (token === detailToken) renderDetail(item, detailHandlers, store.saves.get(id) ?? null);
    } catch (error) {
      shownDetail = '';
      showToast(errorText(error));
    }
  }

  function render() {
    renderRows();
    renderSelection(true);
  }

  /**
   * @param {string} id @param {{toggle: boolean, range: boolean}} [how]
   * @param {boolean} [focus] move keyboard focus to the row (not after a paste)
   * @returns {boolean} whether filters that hid the row were cleared
   */
  function select(id, how, focus = true) {
    store_.select(store, id, how);
    const row = store.rows.get(id);
    if (row && row.unseen && store.selected.size === 1) api.markSeen(id).catch(() => {});
    renderRows();
    // Asked for by name (a paste, a notification, a new task): no filter may hide it.
    store.awaited = store.rows.has(id) ? null : id;
    const hidden = store.rows.has(id) && !store.shown.some((r) => r.id === id);
    if (hidden) {
      clearFilter();
      clearDetails();
      renderRows();
      showToast(t('filters.clearedFor', { id }));
    }
    renderSelection();
    view().reveal(id);
    if (focus) view().focus(id);
    return hidden;
  }

  /**
   * Stars a row (its star clicked), or the selection (`S`): all on, unless all
   * already are. The change comes back as a changed row.
   * @param {string | null} id
   */
  function toggleStar(id) {
    const ids = id ? [id] : [...store.selected];
    if (ids.length === 0) return;
    const on = !ids.every((i) => store.rows.get(i)?.starred);
    api.setStarred(ids, on).catch((error) => showToast(errorText(error)));
  }

  /** Adds every task ID found in the text; the backend starts watching the new ones. */
  async function addFromText(text) {
    if (!text.trim()) return;
    const summary = await api.addTasks(text);
    if (summary.added + summary.already_tracked + summary.rejected === 0) {
      showToast(t('add.nothing'));
      return;
    }
    const cleared = summary.first ? select(summary.first, undefined, false) : false;
    const added = t('add.summary', { added: summary.added, tracked: summary.already_tracked, rejected: summary.rejected });
    showToast(cleared ? t('add.summaryCleared', { summary: added, id: summary.first }) : added);
  }

  function bind() {
    bindShell({
      onPaste: (text) => addFromText(text).catch((error) => showToast(errorText(error))),
      onSearch: (startedAt) => {
        renderRows();
        measureToPaint('filter', startedAt);
      },
      onFilter: renderRows,
      onRefreshAll: () => api.refreshAll().catch((e) => showToast(errorText(e))),
      onClearFinished: () => confirmClearFinished(store),
      onOpenSettings: settings.openSettings,
      onToggleLanguage: settings.toggleLanguage,
      onToggleTheme: settings.toggleTheme,
      onReturn: renderRows,
    });
    bindList(select, (dir) => {
      const next = store_.neighbour(store, dir);
      if (next) select(next);
    }, () => confirmRemove([...store.selected]), toggleStar, {
      onCompare: compare.toggle,
      // Space in the list plays or pauses the selected task's video in the pane.
      onPlayPause: togglePreview,
    });
    settings.bind();
    creator.bind();
    gallery.bind();
    compare.bind();
    bindFilters(renderRows);
  }

  /**
   * Takes over the page main.js's first screen left, then loads the rest.
   * @param {Promise<import('./first-screen.js').FirstScreen>} firstScreen
   */
  async function start(firstScreen) {
    // The poster list boot.js asked for comes first: bind() may draw a remembered
    // gallery, and a card drawn without the list would have its poster made again.
    await gallery.load(early.posterIds);
    bind();
    const onBackendEvent = backendEventHandler(store, {
      renderRows,
      render,
      renderSelection,
      select,
      arrived: (id) => store_.singleSelection(store) === id && select(id, undefined, false),
      saveProgressed: saves.progressed,
      pauseChanged: (reason) => {
        settings.updateBanner(null);
        if (reason) settings.promptForKey(reason);
      },
    });
    let backendReady = Promise.resolve();
    try {
      const first = await firstScreen;
      render();
      showPage();
      // "ready" waits for what the backend does once the first rows are painted.
      backendReady = first.reported ?? reportFirstPaint(first.requested, first.total);
      // Every row, even when the first screen had them all: see boot.js.
      const more = store.expected !== null;
      // 6 MiB of rows must not land before the first screen is up. A window started
      // hidden (at login) paints no frame to wait for, and its events would wait too.
      if (document.visibilityState === 'visible') await new Promise(afterPaint);
      store_.putEveryRow(store, await readEveryRow());
      performance.mark('all-tasks-received');
      renderRows();
      if (more) measureToPaint('list-all-render', first.requested);
    } catch (error) {
      showBanner(errorText(error));
    } finally {
      // Held by boot.js until now, whether the rows came or not: then they apply to
      // a loaded list, and a failed load does not leave the page deaf.
      takeEvents(onBackendEvent);
      if (store.loading) {
        // The rows did not all come: count what is here.
        store_.putLoaded(store, [], true);
        renderRows();
      }
      showPage();
    }
    try {
      const info = await api.appInfo();
      if (info.notices.length) showBanner(info.notices.join(' '));
    } catch (error) {
      showBanner(errorText(error));
    }
    store.pauseReason = await api.pollerStatus().catch(() => null);
    const status = await settings.loadKeyStatus();
    if (!bannerShown()) settings.updateBanner(status);
    await backendReady;
    markReady();
  }

  return { start };
}
