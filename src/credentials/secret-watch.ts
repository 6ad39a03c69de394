// Notices when a mounted secret file changes. Kubernetes updates a Secret volume by swapping a
// `..data` symlink, which fs.watch on the file misses; polling stat() (which follows symlinks)
// sees every swap, at a cost of one stat per file per interval.
import { unwatchFile, watchFile, type Stats } from 'node:fs'

export const SECRET_POLL_MS = 1000

export function watchSecretFiles (paths: readonly string[], onChange: () => void, intervalMs = SECRET_POLL_MS): () => void {
  const unique = [...new Set(paths)]
  const listener = (curr: Stats, prev: Stats): void => {
    if (curr.mtimeMs !== prev.mtimeMs || curr.ino !== prev.ino || curr.size !== prev.size) onChange()
  }
  for (const path of unique) watchFile(path, { interval: intervalMs, persistent: false }, listener)
  return () => { for (const path of unique) unwatchFile(path, listener) }
}
