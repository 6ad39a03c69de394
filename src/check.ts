// Placeholder replaced by the check command (issue: operability).
import type { Config } from './config.js'

export async function runCheck (_config: Config, out: NodeJS.WritableStream): Promise<number> {
  out.write('check is not implemented yet\n')
  return 1
}
