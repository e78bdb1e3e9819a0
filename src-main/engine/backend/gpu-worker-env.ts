import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** CUDA 11.2 is what tfjs-node-gpu 4.x links against; the generic link comes second. */
const DEFAULT_CUDA_ROOTS = ['/usr/local/cuda-11.2', '/usr/local/cuda'];
/** Variables users (and CUDA installers) set to say where CUDA and cuDNN live. */
const ROOT_VARIABLES = ['CUDA_HOME', 'CUDA_PATH', 'CUDNN_HOME', 'CUDNN_PATH'];

/**
 * The environment for a training worker process that may load tfjs-node-gpu. The dynamic loader
 * reads LD_LIBRARY_PATH when a process starts, so the CUDA and cuDNN library folders have to be
 * in it before the worker is forked, not set from inside it: each existing `lib64` (then `lib`)
 * folder under the roots named by CUDA_HOME, CUDA_PATH, CUDNN_HOME, CUDNN_PATH and the usual
 * /usr/local/cuda-11.2 and /usr/local/cuda is prepended once. GPU memory is set to grow on demand
 * unless the user chose otherwise.
 */
export function gpuWorkerEnv(base: NodeJS.ProcessEnv, exists: (path: string) => boolean = existsSync): NodeJS.ProcessEnv {
  const roots = [...ROOT_VARIABLES.map((name) => base[name]).filter((v): v is string => v !== undefined && v !== ''), ...DEFAULT_CUDA_ROOTS];
  const current = (base['LD_LIBRARY_PATH'] ?? '').split(':').filter((p) => p !== '');
  const added: string[] = [];
  for (const root of roots) {
    const lib = ['lib64', 'lib'].map((d) => join(root, d)).find(exists);
    if (lib !== undefined && !current.includes(lib) && !added.includes(lib)) added.push(lib);
  }
  const env: NodeJS.ProcessEnv = { ...base, TF_FORCE_GPU_ALLOW_GROWTH: base['TF_FORCE_GPU_ALLOW_GROWTH'] ?? 'true' };
  if (added.length > 0) env['LD_LIBRARY_PATH'] = [...added, ...current].join(':');
  return env;
}
