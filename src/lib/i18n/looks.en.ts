/**
 * English strings for counted phrases of the seeds, import and dedup screens, the neutral
 * no-WebGPU note, the keys panel, empty charts, the phone menu and the project deletion
 * confirmation (spread into en.ts; every key must exist in looks.zh.ts).
 */
export const looksEn = {
  'seeds.turns.one': '{n} turn',
  'seeds.turns.other': '{n} turns',
  'seeds.instances.one': '{n} instance',
  'seeds.instances.other': '{n} instances',

  'import.records.one': '{n} record',
  'import.records.other': '{n} records',
  'import.seedsFound.one': '{n} seed ready',
  'import.seedsFound.other': '{n} seeds ready',
  'import.issues.one': '{n} line or row cannot be imported (listed below); the others can.',
  'import.issues.other': '{n} lines or rows cannot be imported (listed below); the others can.',
  'import.confirm.one': 'Import {n} seed',
  'import.confirm.other': 'Import {n} seeds',
  'import.stored.one': '{n} seed imported into “{project}”.',
  'import.stored.other': '{n} seeds imported into “{project}”.',

  'dedup.summary': '{items} · {clusters} · {removed}',
  'dedup.count.samples.one': '{n} sample',
  'dedup.count.samples.other': '{n} samples',
  'dedup.count.clusters.one': '{n} cluster with near-duplicates',
  'dedup.count.clusters.other': '{n} clusters with near-duplicates',
  'dedup.count.removed.one': '{n} would be removed',
  'dedup.count.removed.other': '{n} would be removed',
  'dedup.apply.one': 'Mark {n} as a duplicate',
  'dedup.apply.other': 'Mark {n} as duplicates',
  'dedup.applied.one': '{n} sample marked as a near-duplicate.',
  'dedup.applied.other': '{n} samples marked as near-duplicates.',

  'webgpu.none': 'WebLLM models need WebGPU, which {why}. Nothing is wrong with Seedforge: GGUF models run on the CPU in any browser, and a local server (llama.cpp, Ollama, LM Studio) or a remote API works too.',
  'webgpu.why.noApi': 'this browser does not offer',
  'webgpu.why.noAdapter': 'this browser offers, but without a usable graphics adapter',
  'webgpu.why.failed': 'this browser offers, but its graphics adapter could not be opened',
  'webgpu.detail': 'The browser said: {detail}',

  'airgap.refusedOrigin': 'Refused: {origin}',

  'keys.none': 'No API keys are stored yet. Add a remote API with its key on the Models screen; then you can encrypt it here with a passphrase.',
  'keys.sealed.one': '{n} key encrypted.',
  'keys.sealed.other': '{n} keys encrypted.',

  'charts.noData': 'Nothing to draw yet.',
  'charts.noScores': 'No scores yet: the judge has not scored any of these samples.',

  'nav.menu': 'Menu',

  'projects.deleteTitle': 'Delete the project “{name}”?',
  'projects.deleteCounting': 'Counting what the project holds…',
  'projects.deleteWhat': 'This deletes, for good:\n• {seeds}\n• {runs}\n• {samples}\n• {documents}\nExport what you want to keep first. This cannot be undone.',
  'projects.deleteSeeds.one': '{n} seed',
  'projects.deleteSeeds.other': '{n} seeds',
  'projects.deleteRuns.one': '{n} run',
  'projects.deleteRuns.other': '{n} runs',
  'projects.deleteSamples.one': '{n} generated sample',
  'projects.deleteSamples.other': '{n} generated samples',
  'projects.deleteConfirm': 'Delete the project',
  'projects.deleted': 'Project “{name}” deleted.',
} as const;
