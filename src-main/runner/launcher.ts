import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gpuWorkerEnv } from '../engine/backend/gpu-worker-env.js';

export interface WorkerExit {
  code: number | null;
  signal: string | null;
  /** The end of what the worker wrote to stderr, for the failure reason. */
  stderrTail: string;
}

/** The queue's end of one worker process. */
export interface WorkerHandle {
  readonly pid: number | undefined;
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (exit: WorkerExit) => void): void;
  kill(): void;
}

export interface LaunchOptions {
  /** Kernel threads the worker may use: its share of the cores when runs train side by side. */
  threads: number;
}

/** Starts a worker process; Node's child_process here, Electron's utilityProcess in the desktop app. */
export type WorkerLauncher = (options: LaunchOptions) => WorkerHandle;

/**
 * A training worker's environment: GPU library paths (see gpuWorkerEnv) and its share of the
 * cores for the wasm kernels, unless RIGL_LAB_THREADS says otherwise.
 */
export function workerEnv(base: NodeJS.ProcessEnv, options: LaunchOptions): NodeJS.ProcessEnv {
  return { ...gpuWorkerEnv(base), RIGL_LAB_THREADS: base['RIGL_LAB_THREADS'] ?? String(options.threads) };
}

export const WORKER_ENTRY = fileURLToPath(new URL('./worker-main.js', import.meta.url));

const STDERR_TAIL = 4000;

export function forkLauncher(entry: string = WORKER_ENTRY): WorkerLauncher {
  return (options) => {
    const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'pipe', 'ipc'], env: workerEnv(process.env, options) });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL);
    });
    return {
      pid: child.pid,
      post: (message) => void child.send(message as object),
      onMessage: (listener) => void child.on('message', listener),
      onExit: (listener) => void child.on('exit', (code, signal) => listener({ code, signal, stderrTail: stderr })),
      kill: () => void child.kill('SIGKILL'),
    };
  };
}
