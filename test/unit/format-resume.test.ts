import { describe, expect, it } from 'vitest';
import { resumeOutcome } from '../../src-shared/format/resume.js';

describe('resumeOutcome', () => {
  it('names the checkpoint a resume continues from, or why it starts over', () => {
    expect(resumeOutcome(12000, 1)).toBe('continues it from its checkpoint at step 12,000');
    expect(resumeOutcome(0, 1)).toBe('continues it from its checkpoint at step 0');
    expect(resumeOutcome(null, 1)).toBe('starts it over: it has no checkpoint yet');
    expect(resumeOutcome(null, 0)).toBe('starts it over: it keeps no checkpoints');
  });
});
