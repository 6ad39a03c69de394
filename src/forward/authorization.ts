// The Authorization header sent upstream, built once per token rather than per request: a CSP
// token is 1-2 KB to copy. One per forwarder, so two apps in one process never share it.
import type { Token } from '../vocabulary.js'

export class AuthorizationHeader {
  #token: Token | undefined
  #value = ''

  for (token: Token): string {
    if (token !== this.#token) {
      this.#token = token
      this.#value = `Bearer ${token.value}`
    }
    return this.#value
  }
}
