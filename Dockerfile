# syntax=docker/dockerfile:1
# wavefront-auth-proxy image. The runtime stage holds the packed package (package.json "files"),
# the one-file bundle it starts, and the production dependencies, installed from
# package-lock.json (the bundle loads pino and yaml from there, and image scanners read their
# versions); nothing else. The same steps, minus the container, are replayed in CI:
# test/integration/image-replayed-serves-and-stops.test.ts.
#
#   docker build -t wavefront-auth-proxy .
#   docker run --rm -p 127.0.0.1:9191:9191 -e WAVEFRONT_URL -e CSP_APP_ID -e CSP_APP_SECRET wavefront-auth-proxy

# Debian slim rather than alpine: glibc's malloc, which every figure in BENCHMARKS.md was measured with.
ARG NODE_IMAGE=node:24-bookworm-slim

# ── build: dev dependencies, compile, pack exactly what the package ships ──────────────────────
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the package's prepare script builds, and the sources are not copied yet
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/bundle.ts ./scripts/
COPY README.md config.example.yaml ./
# npm run build: tsc, then the one-file bundle the image starts (scripts/bundle.ts: it starts ~40% faster).
RUN npm run build \
 && npm pack --ignore-scripts \
 && mkdir package-root \
 && tar -xzf wavefront-auth-proxy-*.tgz -C package-root --strip-components=1 \
 && cp package-lock.json package-root/ \
 && cp dist/wavefront-auth-proxy.mjs package-root/dist/

# ── runtime: production dependencies only, non-root, no npm ───────────────────────────────────
FROM ${NODE_IMAGE} AS runtime
WORKDIR /opt/wavefront-auth-proxy
COPY --from=build /src/package-root ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && rm package-lock.json \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /root/.npm
# Inside a container the proxy must listen on every interface to be reachable at all; outside
# one its default stays 127.0.0.1. Credentials are never baked in: pass them at run time.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=9191
# The image's "node" user, by number so Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 9191
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 9191) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form, node as PID 1: SIGTERM reaches the proxy, which drains within SHUTDOWN_GRACE_MS.
# The flags are npm start's (NODE_FLAGS in src/runtime/v8-tuning.ts): without them V8 sizes its
# young generation from the pod's memory limit and small requests cost 15-40% more CPU.
ENTRYPOINT ["node", "--max-semi-space-size=16", "/opt/wavefront-auth-proxy/dist/wavefront-auth-proxy.mjs"]
CMD ["serve"]
