import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createBackend } from '../../api/backend.js';
import { forkLauncher } from '../../runner/launcher.js';
import { resumeOutcomeOf } from '../../runner/checkpoint-files.js';
import { openStore } from '../../store/index.js';
import { startWebServer } from '../../server/web-server.js';
import { newToken } from '../../server/token.js';
import { PACKAGE_ROOT } from '../../version.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { STORE_FLAGS, storeLocation } from '../options.js';
import { parseFlags } from '../parse-flags.js';
import { checkThreadsEnv } from '../threads-env.js';

export const SERVE_HELP = `rigl-lab serve [--port N] [--host ADDR] [--db FILE] [--data-dir DIR]
  Web mode: the desktop app's pages and queue over HTTP + WebSocket, for a browser on this machine or
  through an SSH tunnel (ssh -L 8080:127.0.0.1:8080 gpu-server, then rigl-lab serve --port 8080).
  Binds 127.0.0.1 unless --host says otherwise; every request needs the random token in the printed
  link. --port 0 (the default) picks a free port.`;

export async function serveCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseFlags('serve', () => parseArgs({ args, options: { ...STORE_FLAGS, port: { type: 'string' }, host: { type: 'string' } } as const, strict: true, allowPositionals: false, allowNegative: true }));
  const port = Number(values.port ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: "${values.port}" must be a whole number from 0 to 65535`);
  const host = values.host ?? '127.0.0.1';
  const threadsNote = checkThreadsEnv();
  const rendererDir = join(PACKAGE_ROOT, 'dist', 'renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`the renderer is not built (${rendererDir}/index.html is missing): run npm run build`);
  }
  const location = storeLocation(values);
  const backend = createBackend({ ...location, mode: 'web', launch: forkLauncher() });
  const server = await startWebServer({ backend, rendererDir, host, port, token: newToken() });
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    ctx.err(`warning: listening on ${host}: anyone who can reach it and has the token can train and delete runs`);
  }
  ctx.out(`RigL Lab: ${server.url}`);
  if (threadsNote !== null) ctx.err(`note: ${threadsNote}`);
  ctx.err(`database ${location.dbPath}, data ${location.dataDir}; Ctrl-C stops the server`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  const interrupted = await backend.close('because rigl-lab serve stopped');
  if (interrupted.length > 0) {
    const store = openStore(location.dbPath);
    try {
      for (const id of interrupted) ctx.err(`run ${id} interrupted: Re-run in the app or \`rigl-lab resume ${id}\` ${resumeOutcomeOf(store, id)}`);
    } finally {
      store.close();
    }
  }
  return 0;
}
