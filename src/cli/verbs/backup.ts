import { writeBackup } from '../../lib/io/export/projectBackup';
import { EXIT, JSON_OPTION, STORE_OPTION, str, UsageError, type Verb } from '../args';
import { FileSink } from '../fileSink';
import { SqliteDatasetSource } from '../store/sources';
import { openExisting, pickProject } from './data';

export const backupVerb: Verb = {
  spec: {
    name: 'backup',
    summary: "write a project's backup file: the app's Export screen restores it for review",
    usage: '--store DIR --out FILE [--project NAME]',
    options: {
      store: STORE_OPTION,
      out: { type: 'string', value: 'FILE', help: 'the backup file (…seedforge-backup.jsonl)', required: true },
      project: { type: 'string', value: 'NAME', help: "the store's project (default: its only one)" },
      json: { ...JSON_OPTION, help: 'print the counts as one JSON object' },
    },
    details: 'The file is the app\'s own backup format: runs, seeds, samples with their lineage. Safe while a run goes on (it reads one snapshot). Keys are never in it.',
  },
  async run(v) {
    const store = openExisting(str(v, 'store')!, 'backup');
    try {
      const project = pickProject(store, str(v, 'project'), 'backup');
      if (!project) throw new UsageError(`${store.path} holds no project to back up`, 'backup');
      const out = str(v, 'out')!;
      const sink = new FileSink(out);
      let counts;
      try {
        counts = await writeBackup(new SqliteDatasetSource(store), project.id, sink);
      } catch (e) {
        await sink.abort();
        throw e;
      }
      if (v.json) process.stdout.write(JSON.stringify({ type: 'summary', out, project: project.name, counts }) + '\n');
      else process.stdout.write(`backed up ${project.name} to ${out}: ${Object.entries(counts).map(([t, n]) => `${n} ${t}`).join(', ')}\n`);
      return EXIT.done;
    } finally {
      store.close();
    }
  },
};
