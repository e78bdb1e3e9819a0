import { describe, expect, it } from 'vitest';
import { meanPixel, otherDatasetProblem } from '../../src-main/engine/data/identity.js';
import type { ImageSet } from '../../src-main/engine/data/types.js';

/** 4 images of 2 pixels, every byte `value`. */
const flat = (value: number): ImageSet => ({ images: new Uint8Array(8).fill(value), labels: new Uint8Array(4), count: 4, shape: [1, 2, 1] });

describe('which of MNIST and Fashion-MNIST a set of images is', () => {
  it('takes the mean pixel on the [0, 1] scale', () => {
    expect(meanPixel({ ...flat(0), images: Uint8Array.of(0, 255, 51, 0, 0, 0, 0, 0) })).toBeCloseTo(306 / 8 / 255, 12);
    expect(meanPixel({ ...flat(0), images: new Uint8Array(0), count: 0 })).toBe(0);
  });

  it("names the other set when the images are like its, not like the name's", () => {
    // 73 / 255 = 0.2863: Fashion-MNIST's; 33 / 255 = 0.1294: MNIST's.
    expect(otherDatasetProblem('mnist', flat(73))).toBe(
      "holds Fashion-MNIST, not MNIST: its training images' mean pixel is 0.286, as Fashion-MNIST's (0.286) and not MNIST's (0.1307); import it as fashion-mnist",
    );
    expect(otherDatasetProblem('fashion-mnist', flat(33))).toMatch(/^holds MNIST, not Fashion-MNIST: its training images' mean pixel is 0\.129, .*; import it as mnist$/);
  });

  it('says nothing of images like their own set, like neither, or of other datasets', () => {
    expect(otherDatasetProblem('mnist', flat(33))).toBeNull();
    expect(otherDatasetProblem('fashion-mnist', flat(73))).toBeNull();
    // 0.2 lies more than 0.04 from both.
    expect(otherDatasetProblem('mnist', flat(51))).toBeNull();
    expect(otherDatasetProblem('cifar10', flat(73))).toBeNull();
  });
});
