import { ShapeTracker, dropout, relu, scaled } from './builder.js';
import type { ModelSpec } from './spec.js';
import type { ModelOptions } from './options.js';

/** LeNet-300-100: two hidden fully connected layers of 300 and 100 units. */
export function mlp(opts: ModelOptions): ModelSpec {
  const [h, w, c] = opts.inputShape;
  const s = new ShapeTracker(h, w, c);
  return {
    name: 'mlp',
    label: 'LeNet-300-100',
    inputShape: opts.inputShape,
    classes: opts.classes,
    layers: [
      s.flatten(),
      s.dense('fc1', scaled(300, opts.widthMultiplier)),
      relu,
      ...dropout(opts.dropout),
      s.dense('fc2', scaled(100, opts.widthMultiplier)),
      relu,
      ...dropout(opts.dropout),
      s.dense('fc3', opts.classes),
    ],
  };
}
