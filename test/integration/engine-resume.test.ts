import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from '../../src-main/engine/checkpoint.js';
import { trainOnFashion } from '../helpers/training.js';

const run = {
  trainSubset: 500,
  testSubset: 200,
  validationFraction: 0.1,
  model: 'mlp',
  epochs: 4,
  batchSize: 50,
  logEvery: 3,
  dropout: 0.2,
  maskUpdate: { deltaT: 4 },
  backend: 'wasm' as const,
};

describe('exact resume from a checkpoint', () => {
  for (const method of ['rigl', 'snfs', 'set', 'pruning'] as const) {
    it(`${method}: resuming at epoch 2 gives the same numbers, masks and weights as never stopping`, async () => {
      const input = { ...run, method, pruning: { frequency: 3 } };
      const straight = await trainOnFashion(input);
      const atEpoch2 = straight.observer.checkpoints.find((c) => c.epoch === 2)!;
      // Through the file format, as a real resume would read it.
      const reloaded = decodeCheckpoint(encodeCheckpoint(atEpoch2), 'memory');
      const resumed = await trainOnFashion(input, reloaded);

      const after = (steps: Array<{ step: number; loss: number; accuracy: number; lr: number; trainFlops: number }>) =>
        steps.filter((s) => s.step > atEpoch2.step).map(({ step, loss, accuracy, lr, trainFlops }) => ({ step, loss, accuracy, lr, trainFlops }));
      expect(after(resumed.observer.steps)).toEqual(after(straight.observer.steps));
      expect(resumed.observer.maskUpdates).toEqual(straight.observer.maskUpdates.filter((e) => e.step >= atEpoch2.step));
      const outcome = ({ layers, ...rest }: typeof straight.outcome) => ({ ...rest, layers });
      expect(outcome(resumed.outcome)).toEqual(outcome(straight.outcome));
      const final = (o: typeof straight) => o.observer.checkpoints.at(-1)!.tensors;
      expect(final(resumed)).toEqual(final(straight));
    });
  }

  it('refuses a damaged checkpoint, naming the file', () => {
    expect(() => decodeCheckpoint(Buffer.from('RIGLCKPT'), 'x.ckpt')).toThrow(/x\.ckpt: not a usable checkpoint \(wrong magic/);
  });
});
