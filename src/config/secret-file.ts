// Reads a credential from a mounted file (the `<ENV>_FILE` form), at start and again on rotation.
import { readFileSync } from 'node:fs'

/** Reads a mounted secret the way Kubernetes writes it: one value, maybe a trailing newline. */
export function readSecretFile (fileEnv: string, path: string, problems: string[]): string | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    problems.push(`cannot read ${fileEnv}=${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}): check the path and that the secret is mounted and readable`)
    return undefined
  }
  const value = text.replace(/[\r\n]+$/, '')
  if (value === '') {
    problems.push(`${fileEnv}=${path} is empty: write the credential into it`)
    return undefined
  }
  return isHeaderSafe(fileEnv, value, problems) ? value : undefined
}

/** A line break or control character would corrupt headers; the value itself is never echoed. */
export function isHeaderSafe (name: string, value: string, problems: string[]): boolean {
  if (!/[\u0000-\u001f\u007f]/.test(value)) return true
  problems.push(`${name} contains a line break or control character: check how the secret was written`)
  return false
}
