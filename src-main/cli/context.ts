/** Where a command writes; tests capture it instead of the real streams. */
export interface CommandContext {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress bars only there). */
  interactive: boolean;
}

export const processContext: CommandContext = {
  out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  interactive: Boolean(process.stderr.isTTY),
};

/**
 * A reader that stops early (`rigl-lab list --json | head`) closes the pipe: stop quietly then,
 * as the shell's tools do, instead of dying with a stack trace.
 */
export function exitQuietlyWhenStdoutCloses(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
}
