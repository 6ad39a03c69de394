// The HTTP clients for the instance and for CSP. TLS certificates are always verified
// (NODE_EXTRA_CA_CERTS adds a private CA); HTTP_PROXY, HTTPS_PROXY and NO_PROXY are honoured.
import { Agent, EnvHttpProxyAgent, Pool, type Dispatcher } from 'undici'
import type { Config } from '../config/load.js'

export interface Dispatchers {
  readonly instance: Dispatcher
  /** streamed request bodies only: their own connections, so slow uploads never take every one */
  readonly uploads: Dispatcher
  readonly csp: Dispatcher
}

export function createDispatchers (config: Config): Dispatchers {
  const { httpProxy, httpsProxy, noProxy } = config.outboundProxy
  const tls = { rejectUnauthorized: true } // never send a token to a server we cannot verify
  const proxied = httpProxy !== '' || httpsProxy !== ''
  const instanceOptions = { connections: config.upstreamConnections, pipelining: 1, connect: tls }
  const uploadOptions = { ...instanceOptions, connections: config.uploadConnections }
  if (proxied) {
    // EnvHttpProxyAgent decides per request; empty strings keep it from reading process.env itself.
    return {
      // ProxyAgent ignores `connect` for the TLS it runs inside a CONNECT tunnel: requestTls is
      // what verifies the instance and CSP there (proxyTls: an https:// outbound proxy itself).
      instance: new EnvHttpProxyAgent({ ...instanceOptions, requestTls: tls, proxyTls: tls, httpProxy, httpsProxy, noProxy }),
      uploads: new EnvHttpProxyAgent({ ...uploadOptions, requestTls: tls, proxyTls: tls, httpProxy, httpsProxy, noProxy }),
      csp: new EnvHttpProxyAgent({ connect: tls, requestTls: tls, proxyTls: tls, httpProxy, httpsProxy, noProxy })
    }
  }
  // One origin: a Pool skips the per-request origin lookup an Agent does.
  return { instance: new Pool(config.wavefrontOrigin, instanceOptions), uploads: new Pool(config.wavefrontOrigin, uploadOptions), csp: new Agent({ connect: tls }) }
}
