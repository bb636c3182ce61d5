import { existsSync, openAsBlob } from 'node:fs';
import { restoreBackupFile } from '../../lib/io/export/projectBackup';
import { EXIT, JSON_OPTION, STORE_OPTION, str, UsageError, type Verb } from '../args';
import { openStore } from '../store/store';
import { SqliteDatasetSource } from '../store/sources';

export const restoreVerb: Verb = {
  spec: {
    name: 'restore',
    summary: 'restore a backup file (from the app or `seedforge backup`) into a store',
    usage: '--store DIR --in FILE',
    options: {
      store: STORE_OPTION,
      in: { type: 'string', value: 'FILE', help: 'the backup file', required: true },
      json: { ...JSON_OPTION, help: 'print the result as one JSON object' },
    },
    details: 'Nothing is written unless the whole file is valid; a bad line is named with its number and field. A project already in the store is refused (restore into another --store).',
  },
  async run(v) {
    const file = str(v, 'in')!;
    if (!existsSync(file)) throw new UsageError(`--in ${file}: no such file`, 'restore');
    const store = openStore(str(v, 'store')!);
    try {
      const r = await restoreBackupFile(new SqliteDatasetSource(store), await openAsBlob(file));
      const name = store.project(r.projectId)?.name ?? r.projectId;
      if (v.json) process.stdout.write(JSON.stringify({ type: 'summary', in: file, ...r, name }) + '\n');
      else process.stdout.write(`restored ${name} from ${file} into ${store.path}\n`);
      // This store keeps no preference pairs: say so, rather than lose the reviewers' decisions quietly.
      if (!v.json && r.pairsNotKept) process.stdout.write(`  ${r.pairsNotKept} preference pairs of the backup were not kept (this store has no pairs): restore the file in the app to keep them\n`);
      return EXIT.done;
    } finally {
      store.close();
    }
  },
};
