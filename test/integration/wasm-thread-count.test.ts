import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ThreadRunLine } from '../helpers/thread-run.js';

/*
 * The same training on 1, 2 and 3 kernel threads gives the same numbers, bit for bit: products
 * and convolutions give each output element to one thread, and the reductions (filter gradient,
 * BatchNorm) are split into a fixed number of parts whatever the thread count. Each count needs
 * a process of its own (the thread pool is started once per backend), run from dist/ as
 * test/helpers/cli.ts does: `npm test` builds first.
 */
const SCRIPT = fileURLToPath(new URL('../../dist/test/helpers/thread-run.js', import.meta.url));

function trainWithThreads(threads: number): Promise<ThreadRunLine[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT], { env: { ...process.env, RIGL_LAB_THREADS: String(threads) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`RIGL_LAB_THREADS=${threads}: exit ${code}\n${stderr}`));
        return;
      }
      resolve(
        stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as ThreadRunLine),
      );
    });
  });
}

describe('wasm training does not depend on the number of kernel threads', () => {
  it('LeNet-5 (RigL) and WRN-10-1 (dense and RigL) give the same losses and final state on 1, 2 and 3 threads', async () => {
    expect(existsSync(SCRIPT), `${SCRIPT} is missing: build first (npx tsc -b; npm test does)`).toBe(true);
    // One after another: the machine has two cores, and idle kernel threads spin for a while.
    const one = await trainWithThreads(1);
    const two = await trainWithThreads(2);
    const three = await trainWithThreads(3);

    expect(one.map((r) => r.label)).toEqual(['lenet5 rigl', 'wrn-10-1 dense', 'wrn-10-1 rigl']);
    expect(one.every((r) => r.threads === 1)).toBe(true);
    expect(two.every((r) => r.threads === 2)).toBe(true);
    expect(three.every((r) => r.threads === 3)).toBe(true);
    for (const run of one) {
      expect(run.losses.length).toBeGreaterThanOrEqual(3);
      expect(run.losses.every(Number.isFinite), run.label).toBe(true);
      expect(run.checksum).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(one[0]!.maskUpdates).toBeGreaterThan(0);
    expect(one[2]!.maskUpdates).toBeGreaterThan(0);

    const withoutThreads = (runs: ThreadRunLine[]) => runs.map(({ threads: _threads, ...rest }) => rest);
    expect(withoutThreads(two)).toEqual(withoutThreads(one));
    expect(withoutThreads(three)).toEqual(withoutThreads(one));
  });
});
