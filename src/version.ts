// The package version, found by walking up from this file: the same code runs from src/ in
// tests and from dist/src/ once built or installed.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findVersion (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string, version?: string }
      if (pkg.name === 'wavefront-auth-proxy' && pkg.version !== undefined) return pkg.version
    } catch {}
    const parent = dirname(dir)
    if (parent === dir) return '0.0.0'
    dir = parent
  }
}

export const VERSION = findVersion()
export const USER_AGENT = `wavefront-auth-proxy/${VERSION}`
