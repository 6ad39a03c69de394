#!/usr/bin/env node
// argv → serve | check | token | --help | --version | --print-config. Exit 2 for configuration
// errors, before anything listens.
import { loadConfig } from './config/load.js'
import { ConfigError } from './failures.js'
import { helpText } from './config/help.js'
import { printConfig } from './config/print-config.js'
import { VERSION } from './version.js'

export const EXIT_CONFIG = 2

async function main (argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(helpText())
    return 0
  }
  if (argv.includes('--version') || argv.includes('-v')) {
    process.stdout.write(`wavefront-auth-proxy ${VERSION}\n`)
    return 0
  }
  const command = argv[0] === 'serve' || argv[0] === 'check' || argv[0] === 'token' ? argv[0] : 'serve'
  const rest = argv.filter((arg, i) => !(i === 0 && arg === command) && arg !== '--print-config')
  let config
  try {
    config = loadConfig({ env: process.env, argv: rest })
  } catch (err) {
    return configError(err)
  }
  if (argv.includes('--print-config')) {
    process.stdout.write(printConfig(config))
    return 0
  }
  if (command === 'check') {
    const { runCheck } = await import('./commands/check.js')
    return await runCheck(config, process.stdout)
  }
  if (command === 'token') {
    const { runToken } = await import('./commands/token.js')
    return await runToken(config, process.stdout, process.stderr)
  }
  const { serve } = await import('./server.js')
  try {
    await serve(config) // a TOKEN_OUTPUT_FILE it cannot write is a configuration error too
  } catch (err) {
    return configError(err)
  }
  return -1 // keep running: the signal handlers decide the exit code
}

function configError (err: unknown): number {
  if (!(err instanceof ConfigError)) throw err
  process.stderr.write(`wavefront-auth-proxy: ${err.message}\nRun wavefront-auth-proxy --help for every setting.\n`)
  return EXIT_CONFIG
}

main(process.argv.slice(2)).then((code) => {
  if (code >= 0) process.exitCode = code
}, (err: unknown) => {
  // Never a stack trace: the message, and for the usual suspects what to do about it.
  const e = err as { code?: string, message?: string }
  const hint = e.code === 'EADDRINUSE' ? ': another process uses this address; stop it or set PORT' : e.code === 'EACCES' ? ': not permitted to listen there; use a PORT above 1024' : ''
  process.stderr.write(`wavefront-auth-proxy: failed to start: ${e.message ?? String(err)}${hint}\n`)
  process.exit(1)
})
