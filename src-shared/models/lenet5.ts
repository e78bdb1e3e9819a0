import { ShapeTracker, dropout, relu, scaled } from './builder.js';
import type { ModelSpec } from './spec.js';
import type { ModelOptions } from './options.js';

/**
 * LeNet-5 as used in the pruning literature (Caffe variant: 20 and 50 filters of 5x5, a 500-unit
 * hidden layer), with ReLU after each convolution.
 */
export function lenet5(opts: ModelOptions): ModelSpec {
  const [h, w, c] = opts.inputShape;
  const s = new ShapeTracker(h, w, c);
  return {
    name: 'lenet5',
    label: 'LeNet-5',
    inputShape: opts.inputShape,
    classes: opts.classes,
    layers: [
      s.conv('conv1', 5, scaled(20, opts.widthMultiplier), 1, 'valid', true),
      relu,
      s.maxpool(2, 2),
      s.conv('conv2', 5, scaled(50, opts.widthMultiplier), 1, 'valid', true),
      relu,
      s.maxpool(2, 2),
      s.flatten(),
      s.dense('fc1', scaled(500, opts.widthMultiplier)),
      relu,
      ...dropout(opts.dropout),
      s.dense('fc2', opts.classes),
    ],
  };
}

/**
 * LeCun et al.'s LeNet-5 layout as deep-learning frameworks teach it: 6 and 16 filters of 5x5 (the
 * first 'same', in place of the original's 32x32 input), hidden layers of 120 and 84 units, with
 * ReLU and max-pooling in place of the original's scaled tanh and trainable subsampling. A seventh
 * of the Caffe variant's weights and under a fifth of its FLOPs.
 */
export function lenet5Classic(opts: ModelOptions): ModelSpec {
  const [h, w, c] = opts.inputShape;
  const s = new ShapeTracker(h, w, c);
  return {
    name: 'lenet5-classic',
    label: 'LeNet-5 (classic)',
    inputShape: opts.inputShape,
    classes: opts.classes,
    layers: [
      s.conv('conv1', 5, scaled(6, opts.widthMultiplier), 1, 'same', true),
      relu,
      s.maxpool(2, 2),
      s.conv('conv2', 5, scaled(16, opts.widthMultiplier), 1, 'valid', true),
      relu,
      s.maxpool(2, 2),
      s.flatten(),
      s.dense('fc1', scaled(120, opts.widthMultiplier)),
      relu,
      s.dense('fc2', scaled(84, opts.widthMultiplier)),
      relu,
      ...dropout(opts.dropout),
      s.dense('fc3', opts.classes),
    ],
  };
}
