import { describe, expect, it } from 'vitest';
import { sharedSeconds } from '../../src-main/store/shared-time.js';

const span = (startS: number, endS: number) => ({ start: startS * 1000, end: endS * 1000 });

describe('seconds a run shared the machine', () => {
  it('counts the part of the session that others cover, overlapping others once', () => {
    // Session 10–70 s. Others 0–20 (10 s inside), 15–30 (adds 20–30: 10 s), 25–28 (inside the
    // last), 50–90 (50–70: 20 s), 80–95 (outside): 40 s.
    expect(sharedSeconds(span(10, 70), [span(50, 90), span(0, 20), span(25, 28), span(15, 30), span(80, 95)])).toBe(40);
  });

  it('is 0 alone, or with others before and after it', () => {
    expect(sharedSeconds(span(10, 20), [])).toBe(0);
    expect(sharedSeconds(span(10, 20), [span(0, 10), span(20, 30)])).toBe(0);
  });

  it('is the whole session when another covers it', () => {
    expect(sharedSeconds(span(10, 20.5), [span(0, 30), span(12, 14)])).toBe(10.5);
  });
});
