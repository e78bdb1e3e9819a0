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

/** Signals that stop a command, passed on to the child. */
const PASSED_ON: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs this process's command again in a child with `env`, writing to the same terminal; resolves
 * with the exit status the child's is (128 + the signal's number when a signal ended it). The
 * child has a session of its own, so that a terminal's Ctrl-C or hang-up reaches it once, passed
 * on by this process, as does a signal sent to this process alone (a second Ctrl-C, passed on
 * too, ends it at once, as without the relaunch). A scheduler that signals every process may
 * reach it twice: a repeated SIGTERM or SIGHUP is one stop to a training command.
 */
export function relaunch(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...args], { stdio: 'inherit', env, detached: true });
  const pass = (signal: NodeJS.Signals): void => void child.kill(signal);
  for (const signal of PASSED_ON) process.on(signal, pass);
  const stopListening = (): void => {
    for (const signal of PASSED_ON) process.off(signal, pass);
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
