import { ShapeTracker, dropout, relu, scaled } from './builder.js';
import type { LayerSpec, ModelSpec } from './spec.js';
import type { ModelOptions } from './options.js';

/**
 * Wide ResNet WRN-depth-width for CIFAR (Zagoruyko & Komodakis): pre-activation basic blocks in
 * three groups of 16k, 32k and 64k channels; a 1x1 convolution on the shortcut where the
 * channel count changes.
 */
export function wrn(depth: number, width: number, opts: ModelOptions): ModelSpec {
  if ((depth - 4) % 6 !== 0 || depth < 10) {
    throw new Error(`wrn-${depth}-${width}: depth must be 6n+4 with n >= 1 (e.g. 10, 16, 22, 28)`);
  }
  if (width < 1) throw new Error(`wrn-${depth}-${width}: width must be at least 1`);
  const blocks = (depth - 4) / 6;
  const [h, w, c] = opts.inputShape;
  const s = new ShapeTracker(h, w, c);
  const channels = [16 * width, 32 * width, 64 * width].map((ch) => scaled(ch, opts.widthMultiplier));
  const layers: LayerSpec[] = [s.conv('conv1', 3, scaled(16, opts.widthMultiplier), 1, 'same', false)];
  channels.forEach((out, g) => {
    for (let b = 0; b < blocks; b++) {
      const prefix = `group${g + 1}.block${b + 1}`;
      const stride = b === 0 && g > 0 ? 2 : 1;
      const inChannels = s.c;
      const preact: LayerSpec[] = [{ kind: 'batchnorm', name: `${prefix}.bn1`, channels: inChannels }, relu];
      const input = s.snapshot();
      const main: LayerSpec[] = [
        s.conv(`${prefix}.conv1`, 3, out, stride, 'same', false),
        { kind: 'batchnorm', name: `${prefix}.bn2`, channels: out },
        relu,
        ...dropout(opts.dropout),
        s.conv(`${prefix}.conv2`, 3, out, 1, 'same', false),
      ];
      if (inChannels === out && stride === 1) {
        layers.push({ kind: 'residual', main: [...preact, ...main], shortcut: [] });
      } else {
        const shortcut = input.conv(`${prefix}.shortcut`, 1, out, stride, 'same', false);
        layers.push(...preact, { kind: 'residual', main, shortcut: [shortcut] });
      }
    }
  });
  layers.push({ kind: 'batchnorm', name: 'bn', channels: s.c }, relu, s.globalAvgPool(), s.dense('fc', opts.classes));
  return {
    name: `wrn-${depth}-${width}`,
    label: `WRN-${depth}-${width}`,
    inputShape: opts.inputShape,
    classes: opts.classes,
    layers,
  };
}
