import { UsageError } from './errors.js';

/**
 * Runs a command's flag parsing (node:util parseArgs, strict): an unknown flag, a missing value or
 * an unexpected argument becomes a UsageError (exit 2) that points to the command's help.
 */
export function parseFlags<T>(command: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    // parseArgs takes "--lr -1" for a flag missing its value; its message is about dashes.
    const ambiguous = /^Option '(--[\w-]+)' argument is ambiguous/.exec((error as Error).message);
    if (ambiguous) throw new UsageError(`${ambiguous[1]}: a value that starts with "-" goes after an "=": ${ambiguous[1]}=-VALUE`);
    throw new UsageError(`${(error as Error).message} (see rigl-lab ${command} --help)`);
  }
}

/** Run ids given as arguments, each a whole number from `rigl-lab list`. */
export function parseRunIds(positionals: string[], command: string, exactlyOne: boolean): number[] {
  if (positionals.length === 0) throw new UsageError(`RUN: missing; give a run id from rigl-lab list (see rigl-lab ${command} --help)`);
  if (exactlyOne && positionals.length > 1) throw new UsageError(`rigl-lab ${command} takes one run id, got ${positionals.length}`);
  return positionals.map((raw) => {
    const id = Number(raw);
    if (!Number.isInteger(id) || id < 1) throw new UsageError(`RUN: "${raw}" is not a run id (a whole number from rigl-lab list)`);
    return id;
  });
}
