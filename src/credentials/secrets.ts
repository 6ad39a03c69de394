// The current value of a credential. Values from mounted files are re-read on every use, so a
// rotated Kubernetes Secret takes effect without a restart; a briefly unreadable file (the
// symlink swap) keeps the last good value.
import type { Logger } from 'pino'
import type { SecretValues } from '../observe/log.js'
import { WAP_ERR_SECRET_FILE_UNREADABLE } from '../errors.js'
import type { CredentialRef } from '../config/credential-settings.js'
import { readSecretFile } from '../config/secret-file.js'

export class SecretReader {
  readonly #lastGood = new Map<string, string>()
  readonly #log: Logger
  readonly #scrubbed: SecretValues

  /** every value read is also registered to be scrubbed from logs */
  constructor (log: Logger, scrubbed: SecretValues) {
    this.#log = log
    this.#scrubbed = scrubbed
  }

  read (ref: CredentialRef): string {
    if (ref.file === undefined) return ref.value
    const problems: string[] = []
    const value = readSecretFile(`${ref.env}_FILE`, ref.file, problems)
    if (value !== undefined) {
      this.#scrubbed.add(value)
      this.#lastGood.set(ref.file, value)
      return value
    }
    this.#log.warn({ event: 'secret_file_unreadable', code: WAP_ERR_SECRET_FILE_UNREADABLE, variable: `${ref.env}_FILE` }, `${problems.join('; ')}; using the last value read`)
    return this.#lastGood.get(ref.file) ?? ref.value
  }
}
