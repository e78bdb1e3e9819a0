import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { gpuWorkerEnv } from '../engine/backend/gpu-worker-env.js';
import { NATIVE_PACKAGES } from '../engine/backend/native-backend.js';
import { installedModules } from '../engine/backend/optional-modules.js';

/** Set in a process started again for tfjs-node-gpu, so that it never starts itself again. */
export const RELAUNCHED = 'RIGL_LAB_GPU_RELAUNCHED';

/**
 * The environment a process that trains in itself (the CLI's run and resume, the bench) must
 * start in for tfjs-node-gpu to find CUDA and cuDNN, or null when its own will do. The dynamic
 * loader reads LD_LIBRARY_PATH when a process starts, not when it changes, so such a process
 * starts again with the folders the app gives its training workers (gpuWorkerEnv).
 */
export function gpuRelaunchEnv(env: NodeJS.ProcessEnv, gpuInstalled: boolean, exists: (path: string) => boolean = existsSync): NodeJS.ProcessEnv | null {
  if (!gpuInstalled || env[RELAUNCHED] !== undefined) return null;
  const wanted = gpuWorkerEnv(env, exists);
  if (wanted['LD_LIBRARY_PATH'] === env['LD_LIBRARY_PATH']) return null;
  return { ...wanted, [RELAUNCHED]: '1' };
}

/**
 * Runs this process's command again in a child with `env`, on the same terminal; resolves with
 * the exit status the child's is (128 + the signal's number when a signal ended it). A Ctrl-C
 * reaches both from the terminal, so this process only waits for the child; SIGTERM and SIGHUP
 * are passed on (a scheduler may send them to both: the child takes a repeated one as one).
 */
export function relaunch(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...args], { stdio: 'inherit', env });
  const wait = (): void => {};
  const pass = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on('SIGINT', wait);
  process.on('SIGTERM', pass);
  process.on('SIGHUP', pass);
  const stopListening = (): void => {
    process.off('SIGINT', wait);
    process.off('SIGTERM', pass);
    process.off('SIGHUP', pass);
  };
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      stopListening();
      reject(error);
    });
    child.once('exit', (code, signal) => {
      stopListening();
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
  });
}

/**
 * Starts this process again for tfjs-node-gpu when it is installed and the CUDA folders are not
 * yet on the loader's path; resolves with the child's exit status, or null to go on here.
 */
export async function relaunchForGpu(args: readonly string[]): Promise<number | null> {
  const env = gpuRelaunchEnv(process.env, installedModules.isInstalled(NATIVE_PACKAGES['node-gpu']));
  return env === null ? null : relaunch(args, env);
}
