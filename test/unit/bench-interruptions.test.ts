import { describe, expect, it } from 'vitest';
import { threadInterruptions } from '../bench/interruptions.js';

describe('bench: thread interruptions', () => {
  it('runs the clock loop on a worker and this thread, and its figures agree with each other', async () => {
    const { lostShare, stopsPerMs, meanStopMs } = await threadInterruptions(200);
    expect(lostShare).toBeGreaterThanOrEqual(0);
    expect(lostShare).toBeLessThan(1);
    // Lost time per ms is stops per ms times the mean stop: the three come from the same sums.
    expect(lostShare).toBeCloseTo(stopsPerMs * meanStopMs, 9);
    // Only stops longer than 20 µs count.
    if (stopsPerMs > 0) expect(meanStopMs).toBeGreaterThan(0.02);
    else expect(meanStopMs).toBe(0);
  });
});
