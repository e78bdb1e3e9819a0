/** `fn` run once, `delayMs` after the last call of a burst (events, keystrokes). */
export function debounced(fn: () => void, delayMs: number): { schedule(): void; cancel(): void; flush(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const cancel = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  return {
    schedule() {
      cancel();
      timer = setTimeout(() => {
        timer = null;
        fn();
      }, delayMs);
    },
    cancel,
    /** Runs a pending call now instead of at its time; nothing when none is pending. */
    flush() {
      if (timer === null) return;
      cancel();
      fn();
    },
  };
}
