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

let outputClosed = false;

/**
 * A reader that stops early (`rigl-lab list --json | head`, `rigl-lab run … 2>&1 | head`) closes
 * the pipe of stdout, stderr or both. A command that is training or serving (it listens for
 * SIGTERM) stops as when interrupted, its run resumable (a SIGPIPE listener would not do: once
 * removed, the next write to the pipe kills the process); any other ends with the status of a
 * process killed by SIGPIPE, as the shell's tools do, without a stack trace. Later writes to the
 * closed stream are dropped.
 */
export function stopWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      if (outputClosed) return;
      outputClosed = true;
      if (process.listenerCount('SIGTERM') > 0) process.kill(process.pid, 'SIGTERM');
      else process.exit(SIGPIPE_STATUS);
    });
  }
}

/** Whether a SIGTERM came from stopWhenOutputCloses: the command then exits as SIGPIPE would. */
export function outputWasClosed(): boolean {
  return outputClosed;
}

/** 128 + SIGPIPE (13). */
export const SIGPIPE_STATUS = 141;
