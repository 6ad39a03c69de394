// The Dockerfile read as Docker reads it: instructions per stage, and .dockerignore's rule for
// which files of the context a COPY can see.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { ROOT } from './helm.js'

export interface Dockerfile { stages: string[][], args: Map<string, string> }

/** Instructions per stage, continuation lines joined, comments dropped. */
export function parseDockerfile (text: string): Dockerfile {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
  const stages: string[][] = []
  const args = new Map<string, string>()
  for (const line of lines) {
    if (/^FROM\s/i.test(line)) stages.push([])
    const stage = stages.at(-1)
    if (stage === undefined) {
      const arg = /^ARG\s+(\w+)=(\S+)/i.exec(line)
      if (arg !== null) args.set(arg[1] as string, arg[2] as string)
      continue
    }
    stage.push(line)
  }
  return { stages, args }
}

export function instruction (stage: readonly string[], name: string): string[] {
  return stage.filter((l) => l.toUpperCase().startsWith(name + ' ')).map((l) => l.slice(name.length + 1).trim())
}

/** Docker's rule: the last .dockerignore pattern that matches a path decides; `!` admits. */
export function dockerignoreAdmits (patterns: readonly string[], path: string): boolean {
  let admitted = true
  for (const raw of patterns) {
    const negated = raw.startsWith('!')
    const glob = (negated ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '')
    const source = glob.split('**').map((part) => part.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('.*')
    if (new RegExp(`^${source}(/.*)?$`).test(path)) admitted = negated
  }
  return admitted
}

export function filesUnder (path: string): string[] {
  if (!statSync(join(ROOT, path)).isDirectory()) return [path]
  return readdirSync(join(ROOT, path), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
}

/** The Dockerfile at the repository root, parsed. */
export function rootDockerfile (): Dockerfile {
  return parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))
}

/** .dockerignore's patterns, comments and blank lines dropped. */
export function dockerignore (): string[] {
  return readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'))
}
