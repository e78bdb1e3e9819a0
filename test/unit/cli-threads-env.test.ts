import { describe, expect, it } from 'vitest';
import { checkThreadsEnv } from '../../src-main/cli/threads-env.js';
import { UsageError } from '../../src-main/cli/errors.js';

describe('RIGL_LAB_THREADS, checked before a command stores anything', () => {
  it('refuses what is not a thread count as a usage error', () => {
    for (const value of ['abc', '0', '-1', '65', '1.5']) {
      expect(() => checkThreadsEnv({ RIGL_LAB_THREADS: value }, 2)).toThrow(UsageError);
    }
    expect(() => checkThreadsEnv({ RIGL_LAB_THREADS: '0' }, 2)).toThrow('RIGL_LAB_THREADS must be a whole number from 1 to 64 (threads for the wasm kernels), got "0"');
  });

  it('says so when it asks for more threads than cores, and nothing otherwise', () => {
    expect(checkThreadsEnv({ RIGL_LAB_THREADS: '64' }, 2)).toBe(
      "RIGL_LAB_THREADS=64 is more than this machine's 2 cores: the kernel threads take turns, and training runs slower than on 2",
    );
    expect(checkThreadsEnv({ RIGL_LAB_THREADS: '2' }, 2)).toBeNull();
    expect(checkThreadsEnv({}, 2)).toBeNull();
  });
});
