# Portico in one container: gateway, proxy, UI, REST API, scheduler and SQLite database.
#
#   docker build -t portico .
#   docker run -d --name portico --restart unless-stopped --stop-timeout 15 \
#     -v /var/run/docker.sock:/var/run/docker.sock -v portico-data:/data \
#     -p 127.0.0.1:8080:8080 portico
#
# The base is the official node:24-bookworm-slim; where no registry is reachable,
# scripts/build-base-image.sh creates a stand-in under that tag. TypeScript runs through
# Node's type stripping: there is no build step, and no dev dependency is in the image.
ARG BASE_IMAGE=node:24-bookworm-slim

FROM ${BASE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Behind a TLS-inspecting proxy, pass its CA certificate(s) as PEM text, for this stage only:
#   --build-arg EXTRA_CA_CERTS="$(cat /usr/local/share/ca-certificates/*.crt)"
ARG EXTRA_CA_CERTS=""
# Production dependencies only; no install scripts (the optional native ssh2 helpers are not needed).
RUN if [ -n "$EXTRA_CA_CERTS" ]; then printf '%s\n' "$EXTRA_CA_CERTS" >/tmp/extra-ca.pem; export NODE_EXTRA_CA_CERTS=/tmp/extra-ca.pem; fi \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=warn \
 && rm -rf /root/.npm /tmp/extra-ca.pem

FROM ${BASE_IMAGE}
LABEL org.opencontainers.image.title="Portico" \
      org.opencontainers.image.description="Gateway that puts web apps in Docker containers behind stable links (a drop-in for Kiosc)" \
      org.opencontainers.image.licenses="MIT"
ENV NODE_ENV=production \
    PORTICO_HOST=0.0.0.0 \
    PORTICO_PORT=8080 \
    PORTICO_DATA_DIR=/data \
    PORTICO_NETWORK_MODE=docker-shared \
    PORTICO_RUN_AS=node
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY static ./static
COPY templates ./templates
COPY admin ./admin
COPY gateway ./gateway
# The process starts as root only to take the Docker socket's group (whatever GID the host
# gave it) and to own a fresh /data; it then runs as `node` (PORTICO_RUN_AS). To never be
# root at all: --user node --group-add "$(stat -c %g /var/run/docker.sock)".
# Node's compile cache, filled at build time, holds every module already type-stripped and
# compiled: start-up spends about half the CPU. It stays root's and read-only at run time.
# Package managers are not needed at run time (dependencies came from the deps stage): npm,
# corepack and yarn are removed, which takes their code and CVEs out of the image.
ENV NODE_COMPILE_CACHE=/app/.compile-cache
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-* \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg \
 && node --input-type=module -e "await import('/app/gateway/cli.ts'); await import('/app/gateway/main.ts')" \
 && ln -s /app/gateway/cli.ts /usr/local/bin/portico \
 && mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 8080
# No curl in the image: Node's fetch does the check.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORTICO_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/gateway/cli.ts"]
CMD ["serve"]
