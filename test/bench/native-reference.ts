import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/*
 * The native framework the issue measures against (PyTorch on the CPU), timed on the same
 * machine in the same bench run, so that "within 2.5× of native" is a ratio of two numbers
 * taken minutes apart rather than against a figure from another day.
 */

/** tsc leaves the script in the sources: from dist/test/bench back to test/bench. */
const SCRIPT = fileURLToPath(new URL('../../../test/bench/pytorch_reference.py', import.meta.url));

export interface ReferenceCase {
  model: string;
  batch: number;
  steps: number;
  warmup: number;
}

const resultSchema = z.object({ model: z.string(), batch: z.number().int(), msPerStep: z.number().positive(), threads: z.number().int(), torch: z.string() });
export type ReferenceResult = z.infer<typeof resultSchema>;

export type Reference = { available: true; python: string; results: ReferenceResult[] } | { available: false; reason: string };

/**
 * Pythons to try: RIGL_LAB_BENCH_PYTHON if set, else `python3` on the PATH and Debian's own
 * (whose python3-torch package is the PyTorch the issue quotes).
 */
function candidates(env: NodeJS.ProcessEnv): string[] {
  const chosen = env['RIGL_LAB_BENCH_PYTHON'];
  return chosen ? [chosen] : ['python3', '/usr/bin/python3'];
}

/** Times `cases` in PyTorch with `threads` threads, or says why it could not. */
export function pytorchReference(cases: ReferenceCase[], threads: number, env: NodeJS.ProcessEnv = process.env): Reference {
  const tried: string[] = [];
  for (const python of candidates(env)) {
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      tried.push(`${python}: ${probe.error ? probe.error.message : 'no torch module'}`);
      continue;
    }
    const run = spawnSync(python, [SCRIPT], { input: JSON.stringify({ threads, cases }), encoding: 'utf8', timeout: 600_000 });
    if (run.status !== 0) return { available: false, reason: `${python} ${SCRIPT} failed: ${run.stderr.trim().split('\n').pop() ?? run.error?.message}` };
    const lines = run.stdout.split('\n').filter((l) => l.trim() !== '');
    return { available: true, python, results: lines.map((l) => resultSchema.parse(JSON.parse(l))) };
  }
  return { available: false, reason: `no Python with PyTorch (${tried.join('; ')}); set RIGL_LAB_BENCH_PYTHON` };
}
