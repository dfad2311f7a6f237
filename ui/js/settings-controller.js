// Settings, the key and the two header toggles: what each does to the backend and
// to the store. The dialog itself is `settings-view.js`.

import * as api from './api.js';
import { t, language, systemLanguage } from './i18n.js';
import { errorText } from './status.js';
import * as settingsView from './settings-view.js';
import { showToast, hideToast, showBanner, applyLook, effectiveTheme } from './shell-view.js';

/**
 * @param {import('./store.js').Store} store
 * @param {() => void} redraw draws the list and the pane again (a language changed)
 */
export function createSettingsController(store, redraw) {
  async function loadKeyStatus() {
    try {
      const status = await api.keyStatus();
      settingsView.showKeyStatus(status);
      return status;
    } catch (error) {
      settingsView.showError(error);
      return null;
    }
  }

  /** The banner reflects, in order: a paused poller, a missing keyring, nothing. */
  function updateBanner(keyStatus) {
    if (store.pauseReason) {
      const reason = store.pauseReason;
      showBanner(`${t('banner.paused')} ${errorText(reason)}`, { label: t('settings.open'), run: () => promptForKey(reason) });
    } else if (keyStatus && !keyStatus.keyring_available && keyStatus.source !== 'environment') {
      showBanner(t('key.noKeyring'));
    } else {
      showBanner('');
    }
  }

  function promptForKey(error) {
    settingsView.fill(store.settings);
    settingsView.open();
    settingsView.showError(error);
    settingsView.focusKey();
    loadKeyStatus();
  }

  async function saveKey() {
    const key = settingsView.takeKey();
    try {
      const status = await api.setApiKey(key);
      settingsView.showKeyStatus(status);
      settingsView.showError(null);
      showToast(t('key.saved'));
      settingsView.close();
      updateBanner(status);
    } catch (error) {
      settingsView.showError(error);
    }
  }

  async function removeKey() {
    try {
      settingsView.showKeyStatus(await api.removeApiKey());
      settingsView.showError(null);
      showToast(t('key.removed'));
    } catch (error) {
      settingsView.showError(error);
    }
  }

  async function persist(next) {
    // Without the saved settings (they failed to load) a partial write would reset
    // the rest to defaults: nothing is written.
    if (!store.settings) throw { code: 'unknown', message: t('error.unknown') };
    const languageBefore = language();
    store.settings = await api.saveSettings(next);
    await applyLook(store.settings);
    redraw();
    updateBanner(null);
    // A toast from before a language switch would stay up in the old language.
    if (language() !== languageBefore) hideToast();
  }

  async function saveFromDialog() {
    try {
      await persist(settingsView.read());
      settingsView.fill(store.settings);
      updateBanner(await loadKeyStatus());
      settingsView.close();
      showToast(t('settings.saved'));
    } catch (error) {
      settingsView.showError(error);
    }
  }

  async function toggleLanguage() {
    const next = language() === 'zh' ? 'en' : 'zh';
    try {
      await persist({ ...store.settings, language: next === systemLanguage() ? 'system' : next });
    } catch (error) {
      showToast(errorText(error));
    }
  }

  async function toggleTheme() {
    const next = effectiveTheme() === 'dark' ? 'light' : 'dark';
    try {
      await persist({ ...store.settings, theme: next });
    } catch (error) {
      showToast(errorText(error));
    }
  }

  async function openSettings() {
    settingsView.fill(store.settings);
    settingsView.open();
    await loadKeyStatus();
  }

  function bind() {
    settingsView.bind({
      onSaveKey: saveKey,
      onRemoveKey: removeKey,
      onSave: saveFromDialog,
      onChooseFolder: async () => {
        const folder = await api.chooseFolder().catch(() => null);
        if (folder) settingsView.setSaveFolder(folder);
      },
    });
  }

  return { bind, loadKeyStatus, updateBanner, promptForKey, toggleLanguage, toggleTheme, openSettings };
}
