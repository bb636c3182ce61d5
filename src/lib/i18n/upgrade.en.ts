/**
 * English words for another tab's upgrade of the stored data (db/versionChange.ts): the new tab's
 * wait at start-up, the old tab's banner, and the run it paused.
 */
export const upgradeEn = {
  'upgrade.waiting': 'Waiting for another Seedforge tab: it runs an older version and has been asked to close its connection to your data, so that this version can upgrade it. If this message stays, close that tab or reload it.',
  'upgrade.closed': 'Seedforge was updated in another tab, which upgrades your stored data: this tab has closed its connection to it and can no longer read or save. Reload this tab to continue.',
  'upgrade.closedRun': 'The run was paused and keeps every item it finished: Resume it after the reload.',
  'upgrade.pausing': 'Pausing the run…',
  'upgrade.reload': 'Reload',
  'upgrade.runPaused': 'Paused because another tab opened a newer version of Seedforge: reload this tab, then Resume.',
};
