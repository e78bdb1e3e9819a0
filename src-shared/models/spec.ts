/**
 * Architectures as data: every layer with its kernel shape and the activation size it sees,
 * without tensors. The engine builds from this and the FLOP / density preview reads it, so what
 * the form promises is what the run trains.
 */

export type Padding = 'same' | 'valid';

export interface ConvLayer {
  kind: 'conv';
  name: string;
  /** [kh, kw, cIn, cOut], the layout of tfjs conv2d filters. */
  kernel: [number, number, number, number];
  stride: number;
  padding: Padding;
  bias: boolean;
  /** Spatial size of the output: FLOPs scale with it. */
  outSize: [number, number];
}

export interface DenseLayer {
  kind: 'dense';
  name: string;
  /** [nIn, nOut]. */
  kernel: [number, number];
  bias: boolean;
}

export interface BatchNormLayer {
  kind: 'batchnorm';
  name: string;
  channels: number;
}

export interface ReluLayer {
  kind: 'relu';
}

export interface MaxPoolLayer {
  kind: 'maxpool';
  size: number;
  stride: number;
}

export interface GlobalAvgPoolLayer {
  kind: 'globalavgpool';
}

export interface FlattenLayer {
  kind: 'flatten';
}

export interface DropoutLayer {
  kind: 'dropout';
  rate: number;
}

/** y = main(x) + shortcut(x); an empty shortcut is the identity. */
export interface ResidualLayer {
  kind: 'residual';
  main: LayerSpec[];
  shortcut: LayerSpec[];
}

export type LayerSpec =
  | ConvLayer
  | DenseLayer
  | BatchNormLayer
  | ReluLayer
  | MaxPoolLayer
  | GlobalAvgPoolLayer
  | FlattenLayer
  | DropoutLayer
  | ResidualLayer;

export interface ModelSpec {
  /** The name as typed: `mlp`, `lenet5`, `wrn-22-2`, `resnet50`. */
  name: string;
  label: string;
  inputShape: [number, number, number];
  classes: number;
  layers: LayerSpec[];
}

/** A weight kernel that sparse methods mask, in forward order. */
export interface MaskedLayer {
  name: string;
  kind: 'conv' | 'dense';
  shape: number[];
  params: number;
  /** Dense forward FLOPs for one example (one multiply-add = 2 FLOPs). */
  flops: number;
}

export function maskedLayers(spec: ModelSpec): MaskedLayer[] {
  const out: MaskedLayer[] = [];
  const visit = (layers: LayerSpec[]): void => {
    for (const layer of layers) {
      if (layer.kind === 'conv') {
        const params = layer.kernel.reduce((a, b) => a * b, 1);
        out.push({
          name: layer.name,
          kind: 'conv',
          shape: [...layer.kernel],
          params,
          flops: 2 * params * layer.outSize[0] * layer.outSize[1],
        });
      } else if (layer.kind === 'dense') {
        const params = layer.kernel[0] * layer.kernel[1];
        out.push({ name: layer.name, kind: 'dense', shape: [...layer.kernel], params, flops: 2 * params });
      } else if (layer.kind === 'residual') {
        visit(layer.main);
        visit(layer.shortcut);
      }
    }
  };
  visit(spec.layers);
  return out;
}

/** Every trainable parameter, masked or not (biases, BatchNorm scale and offset). */
export function parameterCount(spec: ModelSpec): number {
  let total = 0;
  const visit = (layers: LayerSpec[]): void => {
    for (const layer of layers) {
      if (layer.kind === 'conv') {
        total += layer.kernel.reduce((a, b) => a * b, 1) + (layer.bias ? layer.kernel[3] : 0);
      } else if (layer.kind === 'dense') {
        total += layer.kernel[0] * layer.kernel[1] + (layer.bias ? layer.kernel[1] : 0);
      } else if (layer.kind === 'batchnorm') {
        total += 2 * layer.channels;
      } else if (layer.kind === 'residual') {
        visit(layer.main);
        visit(layer.shortcut);
      }
    }
  };
  visit(spec.layers);
  return total;
}
