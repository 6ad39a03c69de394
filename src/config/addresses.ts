// Address parsing shared by the configuration (validating ALLOWED_CLIENTS, HOST) and the guards.
import { BlockList, isIPv4, isIPv6 } from 'node:net'

const LOOPBACK = new BlockList()
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4')
LOOPBACK.addAddress('::1', 'ipv6')

/** Is this listen address reachable only from this machine? (127.0.0.0/8, ::1, localhost) */
export function isLoopbackHost (host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true
  if (isIPv4(host)) return LOOPBACK.check(host, 'ipv4')
  return isIPv6(host) && LOOPBACK.check(host, 'ipv6')
}

export interface ParsedCidr { address: string, prefix: number, family: 'ipv4' | 'ipv6' }

/** Accepts 10.0.0.0/8, fd00::/8 and bare addresses; undefined when malformed. */
export function parseCidr (cidr: string): ParsedCidr | undefined {
  const parts = cidr.trim().split('/')
  if (parts.length > 2) return undefined
  const [address = '', bits] = parts
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) && !address.includes('%') ? 'ipv6' : undefined
  if (family === undefined) return undefined
  const max = family === 'ipv4' ? 32 : 128
  if (bits !== undefined && !/^\d{1,3}$/.test(bits)) return undefined
  const prefix = bits === undefined ? max : Number(bits)
  return prefix <= max ? { address, prefix, family } : undefined
}
