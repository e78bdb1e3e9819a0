import { describe, expect, it, vi } from 'vitest';

// The core count kernelThreadCount sees, set per test.
const cores = vi.hoisted(() => ({ value: 2 }));
vi.mock('node:os', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:os')>();
  return { ...actual, availableParallelism: () => cores.value };
});

const { kernelThreadCount } = await import('../../src-main/engine/kernels/kernel-runtime.js');

describe('kernelThreadCount (RIGL_LAB_THREADS)', () => {
  it.each([
    ['1', 1],
    ['2', 2],
    ['3', 3],
    ['16', 16],
    ['64', 64],
  ])('takes RIGL_LAB_THREADS=%s whatever the cores', (value, threads) => {
    cores.value = 4;
    expect(kernelThreadCount({ RIGL_LAB_THREADS: value })).toBe(threads);
  });

  it.each([
    [1, 1],
    [2, 2],
    [6, 6],
    [8, 8],
    [32, 8],
  ])('defaults to the core count, at most 8: %i cores give %i threads', (count, threads) => {
    cores.value = count;
    expect(kernelThreadCount({})).toBe(threads);
    expect(kernelThreadCount({ RIGL_LAB_THREADS: '' })).toBe(threads);
  });

  it.each(['0', 'abc', '1.5', '100', '65', '-2', 'two'])('rejects RIGL_LAB_THREADS=%s, naming the variable and the value', (value) => {
    expect(() => kernelThreadCount({ RIGL_LAB_THREADS: value })).toThrow(
      `RIGL_LAB_THREADS must be a whole number from 1 to 64 (threads for the wasm kernels), got "${value}"`,
    );
  });

  it('reads process.env by default', () => {
    const saved = process.env['RIGL_LAB_THREADS'];
    try {
      process.env['RIGL_LAB_THREADS'] = '5';
      expect(kernelThreadCount()).toBe(5);
      process.env['RIGL_LAB_THREADS'] = 'abc';
      expect(() => kernelThreadCount()).toThrow('RIGL_LAB_THREADS');
    } finally {
      if (saved === undefined) delete process.env['RIGL_LAB_THREADS'];
      else process.env['RIGL_LAB_THREADS'] = saved;
    }
  });
});
