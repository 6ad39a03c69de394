// Buys ~10% of a large download's speed and 6 000-40 000 fewer page faults per 256 MiB: glibc
// hands freed memory at the top of its heap back to the kernel once more than 128 KiB sits there,
// and raises that threshold by itself, to twice the block's size, after freeing a block it had to
// map on its own; one Buffer of the batch size young-gen-pacing.ts has V8 free (8 MiB), dropped
// at once, makes it keep twice that. Only once the first large body has passed (the compiler's
// threads free ~35 MiB while it does), since the memory kept costs RSS from then on. No effect
// with musl, or when MALLOC_TRIM_THRESHOLD_ is set. Figures: BENCHMARKS.md, Large bodies.

/** Returns what to call after every large body; only the first call does anything. */
export function installMallocTuning (batchBytes: number): () => void {
  let kept = false
  return () => {
    if (kept) return
    kept = true
    Buffer.allocUnsafeSlow(batchBytes) // never written, so never resident; freed by the next GC
  }
}
