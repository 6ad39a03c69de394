// Original-subscription mode: the Wavefront API token is the bearer value; nothing to exchange.
import type { Logger } from 'pino'
import type { Readiness, Token, TokenObserver, TokenProvider } from '../vocabulary.js'

export class StaticTokenProvider implements TokenProvider {
  #token: Token
  readonly #read: () => string
  readonly #log: Logger
  readonly #observer: TokenObserver | undefined

  /** `read` returns the current token value, re-reading WAVEFRONT_TOKEN_FILE when there is one */
  constructor (read: () => string, log: Logger, observer?: TokenObserver) {
    this.#read = read
    this.#log = log
    this.#observer = observer
    this.#token = staticToken(read())
  }

  /** a rotated WAVEFRONT_TOKEN_FILE takes effect for the next request */
  credentialsChanged (): void {
    const value = this.#read()
    if (value === this.#token.value) return
    this.#token = staticToken(value)
    this.#observer?.tokenChanged?.(this.#token)
    this.#log.info({ event: 'credentials_changed' }, 'WAVEFRONT_TOKEN_FILE changed: sending the new token from now on')
  }

  start (): void { this.#observer?.tokenChanged?.(this.#token) }
  peek (): Token { return this.#token }
  async get (): Promise<Token> { return this.#token }
  reject (): boolean { return false } // nothing to refresh: the 401 reaches the client, who can act on it
  readiness (): Readiness { return { ready: true } }
  close (): void {}
}

function staticToken (value: string): Token {
  return { value, obtainedAt: Date.now(), lifetimeMs: Infinity, usableUntil: Infinity, refreshAt: Infinity }
}
