import { ShapeTracker, dropout, relu, scaled } from './builder.js';
import type { ModelSpec, Padding } from './spec.js';
import type { ModelOptions } from './options.js';

/**
 * A LeNet-5: two 5×5 convolutions, each with ReLU and 2×2 max-pooling, then fully connected
 * hidden layers with ReLU, dropout (when asked) and the output layer. Layers are named conv1,
 * conv2, fc1, fc2, … in order.
 */
interface LeNetLayout {
  name: string;
  label: string;
  filters: [number, number];
  firstPadding: Padding;
  hidden: number[];
}

/** As used in the pruning literature (Caffe variant: 20 and 50 filters, a 500-unit hidden layer). */
const CAFFE: LeNetLayout = { name: 'lenet5', label: 'LeNet-5', filters: [20, 50], firstPadding: 'valid', hidden: [500] };

/**
 * LeCun et al.'s layout as deep-learning frameworks teach it: 6 and 16 filters (the first 'same',
 * in place of the original's 32x32 input), hidden layers of 120 and 84 units, with ReLU and
 * max-pooling in place of the original's scaled tanh and trainable subsampling. A seventh of the
 * Caffe variant's weights and under a fifth of its FLOPs.
 */
const CLASSIC: LeNetLayout = { name: 'lenet5-classic', label: 'LeNet-5 (classic)', filters: [6, 16], firstPadding: 'same', hidden: [120, 84] };

function lenet(layout: LeNetLayout, opts: ModelOptions): ModelSpec {
  const [h, w, c] = opts.inputShape;
  const s = new ShapeTracker(h, w, c);
  const [f1, f2] = layout.filters;
  return {
    name: layout.name,
    label: layout.label,
    inputShape: opts.inputShape,
    classes: opts.classes,
    layers: [
      s.conv('conv1', 5, scaled(f1, opts.widthMultiplier), 1, layout.firstPadding, true),
      relu,
      s.maxpool(2, 2),
      s.conv('conv2', 5, scaled(f2, opts.widthMultiplier), 1, 'valid', true),
      relu,
      s.maxpool(2, 2),
      s.flatten(),
      ...layout.hidden.flatMap((units, i) => [s.dense(`fc${i + 1}`, scaled(units, opts.widthMultiplier)), relu]),
      ...dropout(opts.dropout),
      s.dense(`fc${layout.hidden.length + 1}`, opts.classes),
    ],
  };
}

export const lenet5 = (opts: ModelOptions): ModelSpec => lenet(CAFFE, opts);
export const lenet5Classic = (opts: ModelOptions): ModelSpec => lenet(CLASSIC, opts);
