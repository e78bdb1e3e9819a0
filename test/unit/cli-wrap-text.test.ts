import { describe, expect, it } from 'vitest';
import { wrapText } from '../../src-main/cli/experiment-tables.js';

describe('wrapText', () => {
  it('fills lines up to the width, breaking between words', () => {
    expect(wrapText('aa bb cc dd', 5)).toBe('aa bb\ncc dd');
    expect(wrapText('aa bb cc', 6)).toBe('aa bb\ncc');
    // Exactly the width fits.
    expect(wrapText('abc de', 6)).toBe('abc de');
  });

  it('gives a word longer than the width a line of its own, and collapses runs of spaces', () => {
    expect(wrapText('a  abcdefgh\nb', 4)).toBe('a\nabcdefgh\nb');
    expect(wrapText('   ', 10)).toBe('');
  });
});
