# syntax=docker/dockerfile:1
# snapfleet containerd proxy image (dist/apps/containerd-proxy/src/main.js): containerd's
# snapshots gRPC API on a unix socket, backed by the fleet's HTTP API. Non-root: it only
# needs to create its socket in a directory bind-mounted from the host, where containerd dials
# it. Build from the repository root:
#   docker build -f docker/proxy.Dockerfile -t snapfleet-proxy .

FROM node:20-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/libs ./dist/libs
# dist/node_modules/@snapfleet/* are symlinks into dist/libs (scripts/link-dist.mjs): how the
# compiled apps resolve `@snapfleet/<lib>`. COPY keeps them as (relative) symlinks.
COPY --from=build /src/dist/node_modules ./dist/node_modules
COPY --from=build /src/dist/apps/containerd-proxy ./dist/apps/containerd-proxy
# The .proto files are loaded at start (proto/ is found by walking up from dist/).
COPY --from=build /src/proto ./proto
USER node
ENTRYPOINT ["node", "dist/apps/containerd-proxy/src/main.js"]
