/** English UI strings of the safety feature (spread into en.ts; every key must exist in safety.zh.ts). */
export const safetyEn = {
  // xss
  'xss.outputView': 'Show answers as',
  'xss.asText': 'Text',
  'xss.asMarkdown': 'Markdown',
  'xss.markdownHint': 'Formatted, sanitised: links open in a new tab, images are never loaded (their description is shown), HTML is shown as text.',
  // air gap
  'airgap.title': 'Air-gapped mode',
  'airgap.help': 'While on, Seedforge sends no request to any other origin: remote APIs, model downloads from Hugging Face or a mirror, and WebLLM downloads are disabled. Local GGUF files, models in a folder served by this app, and the bundled embedding model keep working. The service worker also refuses any request to another origin that something might still try.',
  'airgap.toggle': 'Air-gapped: no request leaves this origin',
  'airgap.badge': 'Air-gapped',
  'airgap.badgeTitle': 'Air-gapped mode is on: nothing is sent to another origin. Change it in Settings.',
  'airgap.on': 'Air-gapped mode is on.',
  'airgap.off': 'Air-gapped mode is off.',
  'airgap.swMissing': 'The offline service worker is not active in this tab (first visit, a private window, or a development server), so only the app itself enforces the air gap: reload once to let the service worker guard every request.',
  'airgap.disabledHere': 'Disabled in air-gapped mode: this would contact another origin.',
  'engineError.AirGappedError': 'Air-gapped mode is on and this would contact another origin: use a local GGUF file or a model folder served by this app, or turn air-gapped mode off in Settings.',
  // pwa
  'pwa.updateReady': 'A new version of Seedforge is ready.',
  'pwa.reload': 'Reload to update',
  'pwa.updateBusy': 'A new version is ready; it will be offered again when no run is in progress.',
  'pwa.offlineReady': 'Seedforge is now available offline.',
} as const;
