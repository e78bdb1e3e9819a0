/**
 * `make` made once per shape: the every-position indexes of dense weights, which the kernels
 * reuse at every call (a process sees a few shapes).
 */
export function perShape<T>(make: (shape: readonly number[]) => T): (shape: readonly number[]) => T {
  const made = new Map<string, T>();
  return (shape) => {
    const key = shape.join(',');
    let value = made.get(key);
    if (value === undefined) {
      value = make(shape);
      made.set(key, value);
    }
    return value;
  };
}
