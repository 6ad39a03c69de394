// Original-subscription mode: the Wavefront API token is the bearer value; nothing to exchange.
import type { Readiness, Token, TokenProvider } from '../tokens.js'

export class StaticTokenProvider implements TokenProvider {
  #token: Token

  constructor (value: string) {
    this.#token = staticToken(value)
  }

  /** a rotated WAVEFRONT_TOKEN_FILE takes effect for the next request */
  replace (value: string): void {
    this.#token = staticToken(value)
  }

  start (): void {}
  peek (): Token { return this.#token }
  async get (): Promise<Token> { return this.#token }
  reject (): boolean { return false } // nothing to refresh: the 401 reaches the client, who can act on it
  readiness (): Readiness { return { ready: true } }
  close (): void {}
}

function staticToken (value: string): Token {
  return { value, obtainedAt: Date.now(), lifetimeMs: Infinity, usableUntil: Infinity, refreshAt: Infinity }
}
