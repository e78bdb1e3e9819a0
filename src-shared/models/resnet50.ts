import { ShapeTracker, relu, scaled } from './builder.js';
import type { LayerSpec, ModelSpec } from './spec.js';
import type { ModelOptions } from './options.js';

const STAGES: Array<[width: number, blocks: number, stride: number]> = [
  [64, 3, 1],
  [128, 4, 2],
  [256, 6, 2],
  [512, 3, 2],
];

/**
 * ResNet-50 with the CIFAR stem (3x3 convolution, stride 1, no max-pool): bottleneck blocks with
 * the stride on the 3x3 convolution and a projection shortcut where the shape changes.
 */
export function resnet50(opts: ModelOptions): ModelSpec {
  const [h, w, c] = opts.inputShape;
  const s = new ShapeTracker(h, w, c);
  const layers: LayerSpec[] = [
    s.conv('conv1', 3, scaled(64, opts.widthMultiplier), 1, 'same', false),
    { kind: 'batchnorm', name: 'bn1', channels: s.c },
    relu,
  ];
  STAGES.forEach(([baseWidth, blocks, firstStride], stage) => {
    const width = scaled(baseWidth, opts.widthMultiplier);
    for (let b = 0; b < blocks; b++) {
      const prefix = `stage${stage + 1}.block${b + 1}`;
      const stride = b === 0 ? firstStride : 1;
      const input = s.snapshot();
      const main: LayerSpec[] = [
        s.conv(`${prefix}.conv1`, 1, width, 1, 'same', false),
        { kind: 'batchnorm', name: `${prefix}.bn1`, channels: width },
        relu,
        s.conv(`${prefix}.conv2`, 3, width, stride, 'same', false),
        { kind: 'batchnorm', name: `${prefix}.bn2`, channels: width },
        relu,
        s.conv(`${prefix}.conv3`, 1, 4 * width, 1, 'same', false),
        { kind: 'batchnorm', name: `${prefix}.bn3`, channels: 4 * width },
      ];
      const shortcut: LayerSpec[] =
        stride !== 1 || input.c !== 4 * width
          ? [
              input.conv(`${prefix}.shortcut`, 1, 4 * width, stride, 'same', false),
              { kind: 'batchnorm', name: `${prefix}.shortcut_bn`, channels: 4 * width },
            ]
          : [];
      layers.push({ kind: 'residual', main, shortcut }, relu);
    }
  });
  layers.push(s.globalAvgPool(), s.dense('fc', opts.classes));
  return { name: 'resnet50', label: 'ResNet-50', inputShape: opts.inputShape, classes: opts.classes, layers };
}
