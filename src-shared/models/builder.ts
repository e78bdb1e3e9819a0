import type { ConvLayer, DenseLayer, LayerSpec, Padding } from './spec.js';

/** Tracks the activation shape while an architecture is laid out, so conv layers know their output size. */
export class ShapeTracker {
  constructor(
    public h: number,
    public w: number,
    public c: number,
  ) {}

  conv(name: string, k: number, cOut: number, stride: number, padding: Padding, bias: boolean): ConvLayer {
    const outH = padding === 'same' ? Math.ceil(this.h / stride) : Math.floor((this.h - k) / stride) + 1;
    const outW = padding === 'same' ? Math.ceil(this.w / stride) : Math.floor((this.w - k) / stride) + 1;
    if (outH < 1 || outW < 1) throw new Error(`layer ${name}: a ${k}x${k} kernel does not fit a ${this.h}x${this.w} input`);
    const layer: ConvLayer = {
      kind: 'conv',
      name,
      kernel: [k, k, this.c, cOut],
      stride,
      padding,
      bias,
      outSize: [outH, outW],
    };
    this.h = outH;
    this.w = outW;
    this.c = cOut;
    return layer;
  }

  maxpool(size: number, stride: number): LayerSpec {
    this.h = Math.floor((this.h - size) / stride) + 1;
    this.w = Math.floor((this.w - size) / stride) + 1;
    return { kind: 'maxpool', size, stride };
  }

  flatten(): LayerSpec {
    this.c = this.h * this.w * this.c;
    this.h = 1;
    this.w = 1;
    return { kind: 'flatten' };
  }

  globalAvgPool(): LayerSpec {
    this.h = 1;
    this.w = 1;
    return { kind: 'globalavgpool' };
  }

  dense(name: string, nOut: number, bias = true): DenseLayer {
    const layer: DenseLayer = { kind: 'dense', name, kernel: [this.c, nOut], bias };
    this.c = nOut;
    return layer;
  }

  snapshot(): ShapeTracker {
    return new ShapeTracker(this.h, this.w, this.c);
  }
}

/** Scales a layer width for Small-Dense baselines; never below one unit. */
export function scaled(width: number, multiplier: number): number {
  return Math.max(1, Math.round(width * multiplier));
}

export const relu: LayerSpec = { kind: 'relu' };

export function dropout(rate: number): LayerSpec[] {
  return rate > 0 ? [{ kind: 'dropout', rate }] : [];
}
