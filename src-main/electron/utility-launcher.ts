import { utilityProcess } from 'electron';
import type { WorkerExit, WorkerHandle, WorkerLauncher } from '../runner/launcher.js';
import { WORKER_ENTRY, workerEnv } from '../runner/launcher.js';

const STDERR_TAIL = 4000;

/**
 * Training in an Electron utility process: a Node process Electron supervises, listed under this
 * service name in the app's metrics (Task Manager). A crash ends only the run it was training.
 */
export function utilityLauncher(): WorkerLauncher {
  return (options): WorkerHandle => {
    const child = utilityProcess.fork(WORKER_ENTRY, [], { serviceName: 'RigL Lab training', stdio: 'pipe', env: workerEnv(process.env, options) });
    let stderr = '';
    let killedByUs = false;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL);
    });
    return {
      get pid() {
        return child.pid;
      },
      post: (message) => child.postMessage(message),
      onMessage: (listener) => void child.on('message', listener),
      onExit: (listener: (exit: WorkerExit) => void) =>
        void child.on('exit', (code) => listener({ code, signal: killedByUs ? 'SIGKILL' : null, stderrTail: stderr })),
      kill: () => {
        killedByUs = true;
        child.kill();
      },
    };
  };
}
