// glibc hands freed memory at the top of its heap back to the kernel once more than 128 KiB sits
// there. A large body streams through 64 KiB socket read buffers, freed in bulk after each
// young-generation GC, so glibc keeps returning that memory and the kernel faults it back in on
// the next read: 6 000–40 000 page faults per 256 MiB and ~10% of a download's speed
// (BENCHMARKS.md, Large bodies). glibc raises its trim threshold by itself, to twice the block's
// size, after freeing a block it had to map on its own; one 8 MiB Buffer, dropped at once, makes
// it keep up to 16 MiB, twice the batches young-gen-pacing.ts has V8 free. (Larger Buffers keep
// more for good: one just under 32 MiB, keeping up to 64, peaked at 183 against 147 MiB when small
// requests followed large bodies.) Not at start, and not before the first large body has passed
// (the compiler's threads free ~35 MiB while it does): the memory glibc keeps from then on costs
// RSS, worth it only in a proxy that moves large bodies.
// No effect with musl, or when MALLOC_TRIM_THRESHOLD_ is set.

/** A body past this size streams through the proxy: time to keep freed memory for reuse. */
export const LARGE_BODY_BYTES = 1024 * 1024

let kept = false

/** Called after every large body; only the first call does anything. */
export function keepFreedMemoryForLargeBodies (): void {
  if (kept) return
  kept = true
  Buffer.allocUnsafeSlow(8 * 1024 * 1024) // never written, so never resident; freed by the next GC
}
