// What a mask update does to a compressed fully connected kernel (see sparse.as for the layout):
// list its new active positions with where each came from, index them by row, and carry values
// (weights, momentum) from the old positions to the new ones. Done on the heap, the values where
// they already live: on the host these loops over every active weight took a quarter of a RigL
// update, and the merge, run a few times an update, deoptimised again and again in a run's first
// updates (milliseconds each).

/** Past every position, so that a finished list never comes first (positions are below 2³¹). */
const END: i32 = i32.MAX_VALUE;

@inline function at(list: usize, k: i32): i32 {
  return load<i32>(list + (<usize>k << 2));
}

/**
 * (active − dropped) ∪ grown into positions, with each one's index in active (or −1 for a new one)
 * into sources; all three lists increasing, dropped ⊆ active, and a grown position may be a
 * dropped one, which then keeps its index (and so its value). One walk over active that slips in
 * the grown positions before each one. Returns how many positions were written, or −1 where lists
 * that break these rules would need more than `capacity`.
 */
export function mergeActive(active: usize, nActive: i32, dropped: usize, nDropped: i32, grown: usize, nGrown: i32, positions: usize, sources: usize, capacity: i32): i32 {
  let n = 0;
  let d = 0;
  let g = 0;
  let nextDrop = nDropped > 0 ? at(dropped, 0) : END;
  let nextGrow = nGrown > 0 ? at(grown, 0) : END;
  for (let a = 0; a < nActive; a++) {
    const p = at(active, a);
    while (nextGrow < p) {
      if (n == capacity) return -1;
      store<i32>(positions + (<usize>n << 2), nextGrow);
      store<i32>(sources + (<usize>n << 2), -1);
      n++;
      nextGrow = ++g < nGrown ? at(grown, g) : END;
    }
    if (p == nextDrop) {
      nextDrop = ++d < nDropped ? at(dropped, d) : END;
      if (p != nextGrow) continue;
      nextGrow = ++g < nGrown ? at(grown, g) : END;
    }
    if (n == capacity) return -1;
    store<i32>(positions + (<usize>n << 2), p);
    store<i32>(sources + (<usize>n << 2), a);
    n++;
  }
  for (; g < nGrown; g++) {
    if (n == capacity) return -1;
    store<i32>(positions + (<usize>n << 2), at(grown, g));
    store<i32>(sources + (<usize>n << 2), -1);
    n++;
  }
  return n;
}

/**
 * Indexes the active flat positions (increasing, of W [nIn, nOut] row-major) by row: rowPtr
 * [nIn + 1] and cols [nnz]. A row's start is written when the walk reaches it, not counted up
 * position by position: the count's load and store of one word chained every step to the one
 * before (a third of the time of a RigL update's indexing).
 */
export function compressedIndex(positions: usize, nnz: i32, nIn: i32, nOut: i32, rowPtr: usize, cols: usize): void {
  store<i32>(rowPtr, 0);
  let row = 0;
  let rowEnd = nOut;
  for (let k = 0; k < nnz; k++) {
    const p = load<i32>(positions + (<usize>k << 2));
    while (p >= rowEnd) {
      row++;
      store<i32>(rowPtr + (<usize>row << 2), k);
      rowEnd += nOut;
    }
    store<i32>(cols + (<usize>k << 2), p - (rowEnd - nOut));
  }
  while (row < nIn) {
    row++;
    store<i32>(rowPtr + (<usize>row << 2), nnz);
  }
}

/**
 * out[k] = values[sources[k]], or 0 where sources[k] < 0: values kept one per old active position
 * carried to the new ones (sources: each new position's index among the old ones, −1 for a new
 * position, which starts at zero as masking the dense kernel does).
 */
export function carryValues(values: usize, sources: usize, n: i32, out: usize): void {
  for (let k = 0; k < n; k++) {
    const source = load<i32>(sources + (<usize>k << 2));
    store<f32>(out + (<usize>k << 2), source >= 0 ? load<f32>(values + (<usize>source << 2)) : 0);
  }
}
