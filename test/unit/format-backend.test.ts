import { describe, expect, it } from 'vitest';
import { backendDetail } from '../../src-shared/format/backend.js';

const DEVICE = 'CPU (WebAssembly SIMD, 2 threads)';
const WASM = 'wasm: WebAssembly with SIMD, 2 threads for our kernels';

describe('backendDetail', () => {
  it('says once that auto chose, and why, without a leading dash', () => {
    expect(backendDetail(DEVICE, 'auto', `tfjs-node-gpu: not installed (optional dependency missing); ${WASM}`)).toBe(
      `on ${DEVICE}, chosen by auto: tfjs-node-gpu: not installed (optional dependency missing); ${WASM}`,
    );
  });

  it('reads a reason recorded by an earlier version the same way', () => {
    expect(backendDetail(DEVICE, 'auto', `auto; tfjs-node-gpu: not installed; chose ${WASM}`)).toBe(
      `on ${DEVICE}, chosen by auto: tfjs-node-gpu: not installed; ${WASM}`,
    );
    // Auto's first choice, with nothing skipped.
    expect(backendDetail('GPU', 'auto', 'auto; chose tfjs-node-gpu: TensorFlow sees a GPU')).toBe('on GPU, chosen by auto: tfjs-node-gpu: TensorFlow sees a GPU');
  });

  it('says when the config forced the backend', () => {
    expect(backendDetail(DEVICE, 'wasm', WASM)).toBe(`on ${DEVICE}, as the config asks (${WASM})`);
  });

  it('words a run recorded without a reason or a device', () => {
    expect(backendDetail(null, 'auto', null)).toBe('on an unknown device, chosen by auto');
    expect(backendDetail(DEVICE, 'cpu', null)).toBe(`on ${DEVICE}`);
  });
});
