// The HTTP clients for the instance and for CSP. TLS certificates are always verified
// (NODE_EXTRA_CA_CERTS adds a private CA); HTTP_PROXY, HTTPS_PROXY and NO_PROXY are honoured.
import { Agent, EnvHttpProxyAgent, Pool, type Dispatcher } from 'undici'
import type { Config } from '../config/load.js'
import { uploadSlots, type UploadSlots } from './upload-slots.js'

export interface Dispatchers {
  readonly instance: Dispatcher
  /** streamed request bodies only: their own connections, so slow uploads never take every one */
  readonly uploads: Dispatcher
  readonly csp: Dispatcher
  /** answers every upload still waiting for one of the uploads' connections */
  readonly refuseWaitingUploads: UploadSlots['refuseWaiting']
}

const TLS = { rejectUnauthorized: true } // never send a token to a server we cannot verify

/** The client for CSP: the proxy's token source, `check` and `token` use it. */
export function createCspDispatcher (config: Config): Dispatcher {
  return proxied(config) ? new EnvHttpProxyAgent({ connect: TLS, ...throughProxy(config) }) : new Agent({ connect: TLS })
}

export function createDispatchers (config: Config): Dispatchers {
  const instance = { connections: config.upstreamConnections, pipelining: 1, connect: TLS }
  const uploads = { ...instance, connections: config.uploadConnections }
  const csp = createCspDispatcher(config)
  const slots = uploadSlots(config.uploadConnections, config.upstreamTimeoutMs)
  const refuseWaitingUploads = slots.refuseWaiting
  if (proxied(config)) {
    return { instance: new EnvHttpProxyAgent({ ...instance, ...throughProxy(config) }), uploads: new EnvHttpProxyAgent({ ...uploads, ...throughProxy(config) }).compose(slots.interceptor), csp, refuseWaitingUploads }
  }
  // One origin: a Pool skips the per-request origin lookup an Agent does.
  return { instance: new Pool(config.wavefrontOrigin, instance), uploads: new Pool(config.wavefrontOrigin, uploads).compose(slots.interceptor), csp, refuseWaitingUploads }
}

function proxied (config: Config): boolean {
  return config.outboundProxy.httpProxy !== '' || config.outboundProxy.httpsProxy !== ''
}

/** EnvHttpProxyAgent decides per request; empty strings keep it from reading process.env itself.
 * ProxyAgent ignores `connect` for the TLS it runs inside a CONNECT tunnel: requestTls is what
 * verifies the instance and CSP there (proxyTls: an https:// outbound proxy itself). */
function throughProxy (config: Config): EnvHttpProxyAgent.Options {
  const { httpProxy, httpsProxy, noProxy } = config.outboundProxy
  return { requestTls: TLS, proxyTls: TLS, httpProxy, httpsProxy, noProxy }
}
