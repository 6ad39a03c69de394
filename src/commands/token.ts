// `wavefront-auth-proxy token`: one access token with the configured credentials, printed bare
// with a newline on stdout and nothing else, for tools that cannot reach a local http:// proxy:
//   WAVEFRONT_TOKEN=$(wavefront-auth-proxy token) wf alert list
// On failure stdout stays empty and stderr gets the lines `check` prints for its token step.
import type { Config } from '../config/load.js'
import { createCspDispatcher } from '../forward/dispatchers.js'
import { SecretValues } from '../observe/log.js'
import { formatStep, obtainToken } from './obtain-token.js'

export async function runToken (config: Config, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const secrets = new SecretValues()
  const csp = createCspDispatcher(config)
  try {
    const { step, token } = await obtainToken(config, csp, secrets)
    if (token === undefined) {
      err.write(secrets.scrub(`wavefront-auth-proxy token: no token\n${formatStep('token', step)}`) + '\n')
      return 1
    }
    out.write(token + '\n')
    return 0
  } finally {
    await csp.destroy()
  }
}
