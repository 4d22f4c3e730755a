// Shared by the kernels: the number of sorted f64 edges that are <= v
// (np.searchsorted(edges, v, 'right')), as a branchless binary search.

// @ts-ignore: decorator
@inline
export function edgesAtOrBelow(v: f64, edges: usize, nEdges: i32): i32 {
  let base: i32 = 0;
  let len: i32 = nEdges;
  while (len > 1) {
    const half = len >> 1;
    const probe = load<f64>(edges + (<usize>(base + half - 1) << 3));
    base = select<i32>(base + half, base, probe <= v);
    len -= half;
  }
  if (len == 1) base += i32(load<f64>(edges + (<usize>base << 3)) <= v);
  return base;
}
