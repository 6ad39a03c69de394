// TOKEN_OUTPUT_FILE: the held access token, written for a neighbour that reads its token from a
// file (a Job running `wf` beside the proxy, sharing an emptyDir). Mode 0600, replaced atomically
// (a temporary file in the same directory, then rename), never holding a token past its usable
// life. Its content never appears in a log line.
import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { Logger } from 'pino'
import { systemClock } from '../clock.js'
import { WAP_ERR_TOKEN_FILE_EMPTIED, WAP_ERR_TOKEN_FILE_UNWRITABLE } from '../errors.js'
import { ConfigError } from '../failures.js'
import type { Token, TokenObserver } from '../vocabulary.js'

/** setTimeout's ceiling (~24.8 days): a longer life is re-checked then. */
const MAX_TIMER_MS = 2 ** 31 - 1

export class TokenFile {
  readonly #path: string
  readonly #log: Logger
  #held: Token | undefined
  #cancelExpiry: (() => void) | undefined

  /** Writes the file empty at once, so an unusable place stops the proxy before it listens, and
   * removes what a killed predecessor left (a token in the file, a temporary file mid-write). */
  constructor (path: string, log: Logger) {
    this.#path = path
    this.#log = log
    try {
      this.#write('')
      removeLeftovers(path)
    } catch (err) {
      const code = (err as { code?: string }).code ?? String(err)
      throw new ConfigError([`TOKEN_OUTPUT_FILE=${JSON.stringify(path)} cannot be written (${code}): choose a file in a directory the proxy may write to, e.g. a shared emptyDir volume`])
    }
  }

  /** The observer hook: a new token is written, none empties the file. */
  tokenChanged (token: Token | undefined): void {
    this.#cancelExpiry?.()
    this.#held = token
    if (token === undefined) {
      this.#empty('the instance rejected the access token; the next one is written when it arrives')
      return
    }
    if (this.#save(token.value)) this.#log.debug({ event: 'token_file_written', path: this.#path }, 'wrote the access token to TOKEN_OUTPUT_FILE')
    this.#expireAt(token)
  }

  /** The proxy is stopping: nobody keeps the file true any more, so it holds no token. */
  close (): void {
    this.#cancelExpiry?.()
    if (this.#held !== undefined) this.#empty('the proxy stopped')
    this.#held = undefined
  }

  #expireAt (token: Token): void {
    if (!Number.isFinite(token.usableUntil)) return // a static token has no end
    const wait = token.usableUntil - systemClock.now()
    this.#cancelExpiry = systemClock.schedule(() => {
      if (this.#held !== token) return
      if (systemClock.now() < token.usableUntil) this.#expireAt(token)
      else this.#empty('the access token ran out and no new one could be fetched yet; the next one is written when it arrives')
    }, Math.min(Math.max(0, wait), MAX_TIMER_MS))
  }

  #empty (why: string): void {
    if (this.#save('')) this.#log.warn({ event: 'token_file_emptied', code: WAP_ERR_TOKEN_FILE_EMPTIED, path: this.#path }, `emptied TOKEN_OUTPUT_FILE: ${why}`)
  }

  /** Never throws once running: a failed write is logged (without the content) and retried with the next token. */
  #save (content: string): boolean {
    try {
      this.#write(content)
      return true
    } catch (err) {
      this.#log.error({ event: 'token_file_failed', code: WAP_ERR_TOKEN_FILE_UNWRITABLE, cause: (err as { code?: string }).code, path: this.#path }, 'could not write TOKEN_OUTPUT_FILE: check that its directory still exists and is writable')
      return false
    }
  }

  #write (content: string): void {
    const temp = temporaryName(this.#path)
    const fd = openSync(temp, 'wx', 0o600)
    try {
      try {
        writeSync(fd, content)
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
      renameSync(temp, this.#path)
    } catch (err) {
      rmSync(temp, { force: true }) // never leave part of a token behind (a full disk, say)
      throw err
    }
  }
}

/** A random name: a container restarts with the same pid, and a leftover must not block the write. */
function temporaryName (path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
}

/** Temporary files of this token file a killed process left behind; they may hold a token. */
function removeLeftovers (path: string): void {
  const prefix = `.${basename(path)}.`
  let names: string[]
  try {
    names = readdirSync(dirname(path))
  } catch {
    return // a directory the proxy may write but not list: nothing it can find to remove
  }
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) rmSync(join(dirname(path), name), { force: true })
  }
}

/** The token observer with the token file, if one is configured, told about every change too. */
export function observeWithTokenFile (observer: TokenObserver | undefined, file: TokenFile | undefined): TokenObserver | undefined {
  if (file === undefined) return observer
  return { ...observer, tokenChanged: (token) => { observer?.tokenChanged?.(token); file.tokenChanged(token) } }
}
