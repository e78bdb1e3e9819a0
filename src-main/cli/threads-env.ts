import { availableParallelism } from 'node:os';
import { kernelThreadCount } from '../engine/kernels/kernel-runtime.js';
import { UsageError } from './errors.js';

/**
 * RIGL_LAB_THREADS checked before a command stores or serves anything: a bad value would fail
 * every run it starts. Returns a note when it asks for more threads than the machine has cores.
 */
export function checkThreadsEnv(env: NodeJS.ProcessEnv = process.env, cores: number = availableParallelism()): string | null {
  let threads: number;
  try {
    threads = kernelThreadCount(env);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (env['RIGL_LAB_THREADS'] === undefined || env['RIGL_LAB_THREADS'] === '' || threads <= cores) return null;
  return `RIGL_LAB_THREADS=${threads} is more than this machine's ${cores} cores: the kernel threads take turns, and training runs slower than on ${cores}`;
}
