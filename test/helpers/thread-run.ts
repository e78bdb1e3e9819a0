/*
 * A child process of test/integration/wasm-thread-count.test.ts (run from dist/, built by
 * `npm run build`): trains a few steps of small models on wasm with as many kernel threads as
 * RIGL_LAB_THREADS says, and prints one JSON line per run with every training loss and a
 * SHA-256 of the final weights, BatchNorm statistics and momentum. The numbers must not depend
 * on the thread count.
 */
import { createHash } from 'node:crypto';
import { resolveRunConfig, type RunConfigInput } from '../../src-shared/config/run.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import type { TrainingCheckpoint } from '../../src-main/engine/checkpoint.js';
import type { TrainingObserver } from '../../src-main/engine/observer.js';
import { train } from '../../src-main/engine/trainer.js';
import { syntheticTrainingData } from '../bench/synthetic-data.js';

export interface ThreadRunLine {
  label: string;
  threads: number;
  losses: number[];
  testLoss: number | null;
  maskUpdates: number;
  /** SHA-256 of every tensor of the final state (weights, buffers, momentum, masks), in name order. */
  checksum: string;
  /** Sum of every weight, to show how far two runs differ when the checksums do. */
  weightSum: number;
}

interface Run {
  label: string;
  input: RunConfigInput;
  steps: number;
}

/**
 * LeNet-5 with RigL (convolutions, both gradients, pooling, compressed conv and fully connected
 * layers over three batch chunks, the last one short, and mask updates), a WRN-10-1 (BatchNorm,
 * ReLU, strided and 1x1 convolutions, dropout) and the same with RigL (its compressed 'same'
 * convolutions).
 */
const RUNS: Run[] = [
  {
    label: 'lenet5 rigl',
    input: { dataset: 'mnist', model: 'lenet5', method: 'rigl', sparsity: 0.8, batchSize: 70, maskUpdate: { deltaT: 2, endFraction: 1 } },
    steps: 6,
  },
  { label: 'wrn-10-1 dense', input: { dataset: 'cifar10', model: 'wrn-10-1', method: 'dense', sparsity: 0, batchSize: 16 }, steps: 3 },
  { label: 'wrn-10-1 rigl', input: { dataset: 'cifar10', model: 'wrn-10-1', method: 'rigl', sparsity: 0.9, batchSize: 40, maskUpdate: { deltaT: 2, endFraction: 1 } }, steps: 4 },
];

class Collector implements TrainingObserver {
  losses: number[] = [];
  testLoss: number | null = null;
  maskUpdates = 0;
  state: TrainingCheckpoint['tensors'] | null = null;
  started(): void {}
  step(p: { loss: number }): void {
    this.losses.push(p.loss);
  }
  maskUpdate(): void {
    this.maskUpdates++;
  }
  layerStats(): void {}
  epoch(m: { testLoss: number }): void {
    this.testLoss = m.testLoss;
  }
  log(): void {}
  checkpoint(c: TrainingCheckpoint): void {
    this.state = c.tensors;
  }
}

function checksum(state: TrainingCheckpoint['tensors']): { checksum: string; weightSum: number } {
  const hash = createHash('sha256');
  let weightSum = 0;
  for (const group of [state.params, state.buffers, state.velocity, state.masks]) {
    for (const name of Object.keys(group).sort()) {
      const values = group[name]!;
      hash.update(name);
      hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    }
  }
  for (const values of Object.values(state.params)) for (const v of values) weightSum += v;
  return { checksum: hash.digest('hex'), weightSum };
}

async function main(): Promise<void> {
  const backend = await selectBackend('wasm');
  for (const run of RUNS) {
    const batch = run.input.batchSize!;
    const config = resolveRunConfig({
      ...run.input,
      backend: 'wasm',
      epochs: 1,
      seed: 3,
      logEvery: 1,
      validationFraction: 0,
      checkpointEvery: 1,
      trainSubset: run.steps * batch,
      testSubset: batch,
    });
    const data = syntheticTrainingData(config.dataset, run.steps * batch, batch, 11);
    const observer = new Collector();
    const outcome = await train({ config, backend, data, observer });
    if (outcome.status !== 'completed' || observer.state === null) throw new Error(`${run.label}: ${outcome.status}, no final state`);
    const line: ThreadRunLine = {
      label: run.label,
      threads: backend.threads,
      losses: observer.losses,
      testLoss: observer.testLoss,
      maskUpdates: observer.maskUpdates,
      ...checksum(observer.state),
    };
    console.log(JSON.stringify(line));
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
