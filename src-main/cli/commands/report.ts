import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadViewInput, UnknownExperimentError } from '../../report/load-view.js';
import { writeReport } from '../../report/write-report.js';
import { openStore } from '../../store/index.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { storeLocation } from '../options.js';
import { parseFlags } from '../parse-flags.js';

export const REPORT_HELP = `rigl-lab report EXPERIMENT [--out DIR] [--accuracy final|best] [--db FILE]
  Writes an experiment's dashboard view to a folder, for papers and lab notes: DIR/index.html (the
  figures inline as SVG, and the tables), one CSV per table and one SVG per figure. EXPERIMENT is
  an experiment id (rigl-lab experiments lists them). DIR defaults to
  ./rigl-lab-report-EXPERIMENT. Uses the completed runs; run it again as more finish.`;

const OPTIONS = {
  db: { type: 'string' },
  out: { type: 'string' },
  accuracy: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseExperimentId(positionals: string[]): number {
  if (positionals.length !== 1) {
    throw new UsageError(`EXPERIMENT: ${positionals.length === 0 ? 'missing' : `takes one experiment id, got ${positionals.length}`} (see rigl-lab report --help)`);
  }
  const raw = positionals[0] as string;
  const id = Number(raw);
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`EXPERIMENT: "${raw}" is not an experiment id (a whole number, at least 1)`);
  return id;
}

export async function reportCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags('report', () => parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true }));
  const id = parseExperimentId(positionals);
  const accuracy = values.accuracy ?? 'final';
  if (accuracy !== 'final' && accuracy !== 'best') throw new UsageError(`--accuracy: must be final or best, got "${accuracy}"`);
  const { dbPath } = storeLocation(values);
  if (!existsSync(dbPath)) throw new UsageError(`--db: no database at ${dbPath}`);
  const dir = resolve(values.out ?? `rigl-lab-report-${id}`);
  // The report is a folder of files: a file of that name, or of a folder above it, would stop it half written.
  let existing = dir;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) {
    throw new UsageError(`--out: ${existing} is a file; the report needs a folder ${existing === dir ? 'there' : `at ${dir}`} (or a new name)`);
  }
  const store = openStore(dbPath, { readonly: true });
  try {
    let input;
    try {
      input = loadViewInput(store, id, accuracy);
    } catch (error) {
      if (error instanceof UnknownExperimentError) throw new UsageError(error.message);
      throw error;
    }
    const written = await writeReport(input, dir, dbPath);
    ctx.err(`experiment ${id}: ${written.files.length} ${written.files.length === 1 ? 'file' : 'files'} in ${dir}`);
    ctx.out(written.index);
    return 0;
  } finally {
    store.close();
  }
}
