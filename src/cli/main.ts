import { EXIT, mainHelp, parseVerb, UsageError, verbHelp, type Verb } from './args';
import { backupVerb } from './verbs/backup';
import { decontamVerb } from './verbs/decontam';
import { dedupVerb } from './verbs/dedup';
import { exportVerb } from './verbs/export';
import { piiVerb } from './verbs/pii';
import { restoreVerb } from './verbs/restore';
import { resumeVerb } from './verbs/resume';
import { runVerb } from './verbs/run';
import { statusVerb } from './verbs/status';

/**
 * `seedforge <verb> [options]`: the headless runner (issue 15). Each verb is one module in
 * ./verbs; this file only dispatches, prints help, and turns errors into messages and exit codes
 * at the top — a verb throws typed errors and never exits the process itself (Ctrl+C twice
 * excepted, see verbs/execute.ts).
 */

export const VERBS: Verb[] = [runVerb, resumeVerb, statusVerb, dedupVerb, exportVerb, backupVerb, restoreVerb, piiVerb, decontamVerb];

const VERSION = '0.1.0';

/** Runs the command line `argv` (without `node` and the script); resolves with the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [word, ...rest] = argv;
  if (!word || word === '--help' || word === '-h' || word === 'help') {
    const verb = word === 'help' ? VERBS.find((v) => v.spec.name === rest[0]) : undefined;
    process.stdout.write(verb ? verbHelp(verb.spec) : mainHelp(VERBS.map((v) => v.spec)));
    return word ? EXIT.done : EXIT.usage;
  }
  if (word === '--version') {
    process.stdout.write(`seedforge ${VERSION}\n`);
    return EXIT.done;
  }
  const verb = VERBS.find((v) => v.spec.name === word);
  try {
    if (!verb) throw new UsageError(`unknown verb ${JSON.stringify(word)}; the verbs are ${VERBS.map((v) => v.spec.name).join(', ')}`);
    const values = parseVerb(verb.spec, rest);
    if (values.help) {
      process.stdout.write(verbHelp(verb.spec));
      return EXIT.done;
    }
    return await verb.run(values, env);
  } catch (e) {
    const err = e as Error;
    if (err?.name === 'UsageError') {
      const where = (err as UsageError).verb ?? verb?.spec.name;
      process.stderr.write(`seedforge: ${err.message}\nRun \`seedforge ${where ? `${where} ` : ''}--help\` for the options.\n`);
      return EXIT.usage;
    }
    process.stderr.write(`seedforge: ${err?.name ?? 'Error'}: ${err?.message ?? String(e)}\n`);
    if (env.SEEDFORGE_DEBUG && err?.stack) process.stderr.write(err.stack + '\n');
    return EXIT.failed;
  }
}
