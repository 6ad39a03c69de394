// A Kubernetes Secret volume on disk, as the kubelet lays it out: each version in a new
// directory, the `..data` symlink swapped atomically, and the key a symlink through it.
import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A Secret volume as the kubelet lays it out, holding `key` with `value`. */
export function secretVolume (key: string, value: string): { path: string, update: (value: string) => void } {
  const root = mkdtempSync(join(tmpdir(), 'wap-secret-'))
  let version = 0
  const write = (v: string): void => {
    const dir = `..v${++version}`
    mkdirSync(join(root, dir))
    writeFileSync(join(root, dir, key), v + '\n')
    symlinkSync(dir, join(root, '..data_tmp'))
    renameSync(join(root, '..data_tmp'), join(root, '..data')) // the atomic swap
  }
  write(value)
  symlinkSync(join('..data', key), join(root, key))
  return { path: join(root, key), update: write }
}
