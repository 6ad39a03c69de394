// A memory limit like a pod's (the Helm chart's limits.memory), put on each proxy under test
// through a cgroup of its own, so the benchmark sees what V8 does under one: Node sizes its heap
// from the limit it finds. Needs root and a cgroup memory controller (v2, or v1's memory hierarchy).
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface MemoryLimit {
  readonly mib: number
  /** the command and arguments that run `command` in a new cgroup of `mib` (the pid stays the same: sh execs it) */
  readonly wrap: (command: string, args: readonly string[]) => [string, string[]]
  /** removes the cgroups once nothing runs in them */
  readonly remove: () => void
}

export function memoryLimit (mib: number): MemoryLimit {
  const bytes = String(mib * 1024 * 1024)
  const v2 = '/sys/fs/cgroup/cgroup.controllers'
  let root: string
  let limitFile: string
  if (existsSync(v2) && readFileSync(v2, 'utf8').split(/\s+/).includes('memory')) {
    writeFileSync('/sys/fs/cgroup/cgroup.subtree_control', '+memory')
    root = '/sys/fs/cgroup'
    limitFile = 'memory.max'
  } else if (existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes')) {
    root = '/sys/fs/cgroup/memory'
    limitFile = 'memory.limit_in_bytes'
  } else {
    throw new Error('--memory-limit needs a cgroup memory controller (/sys/fs/cgroup, v2 or v1) and root')
  }
  const made: string[] = []
  return {
    mib,
    wrap: (command, args) => {
      const dir = join(root, `wap-bench-${process.pid}-${made.length}`)
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, limitFile), bytes)
      made.push(dir)
      return ['sh', ['-c', 'echo $$ > "$0" && exec "$@"', join(dir, 'cgroup.procs'), command, ...args]]
    },
    remove: () => {
      for (const dir of made) {
        try { rmdirSync(dir) } catch { /* still busy or gone: an empty cgroup left behind is harmless */ }
      }
    }
  }
}
