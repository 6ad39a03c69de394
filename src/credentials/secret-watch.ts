// Notices when a mounted secret file changes. Kubernetes updates a Secret volume by swapping a
// `..data` symlink, which fs.watch on the file misses; polling stat() (which follows symlinks)
// sees every swap, at a cost of one stat per file per interval. The first look is synchronous:
// fs.watchFile takes its own asynchronously, and a change made before that one came back (a busy
// thread pool at start) was never noticed.
import { stat, statSync, type Stats } from 'node:fs'

export const SECRET_POLL_MS = 1000

/** What identifies one version of a file; undefined while it cannot be read. */
type Version = string | undefined

const versionOf = (s: Stats): string => `${s.ino}:${s.size}:${s.mtimeMs}`

function versionNow (path: string): Version {
  try {
    return versionOf(statSync(path))
  } catch {
    return undefined
  }
}

export function watchSecretFiles (paths: readonly string[], onChange: () => void, intervalMs = SECRET_POLL_MS): () => void {
  const seen = new Map<string, Version>([...new Set(paths)].map((path) => [path, versionNow(path)]))
  if (seen.size === 0) return () => {}
  let looking = false
  let stopped = false
  const look = (): void => {
    if (looking) return // the last round of stat() calls is not back yet
    looking = true
    let pending = seen.size
    let changed = false
    for (const [path, before] of seen) {
      stat(path, (err, s) => {
        const now = err === null ? versionOf(s) : undefined
        if (now !== before) {
          seen.set(path, now)
          changed = true
        }
        if (--pending > 0) return
        looking = false
        if (changed && !stopped) onChange()
      })
    }
  }
  const timer = setInterval(look, intervalMs)
  timer.unref()
  return () => {
    stopped = true
    clearInterval(timer)
  }
}
