# syntax=docker/dockerfile:1
# snapfleet API image: the NestJS HTTP API (dist/apps/api/src/main.js), non-root.
# Build from the repository root (the build context must hold package.json, apps/, libs/):
#   docker build -f docker/api.Dockerfile -t snapfleet-api .
# The build stage is the same in all three Dockerfiles, so BuildKit builds it once for all.

FROM node:20-bookworm AS build
# python3, make and g++ build the native btrfs addon (node-gyp). The full bookworm image ships
# them already; installing them explicitly keeps the build working if the base image slims down.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# node-gyp compiles against the headers that come with this Node (no download at build time).
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# Build everything (native addon + TypeScript), then drop devDependencies for the runtime.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# package.json: the apps read their version from it. Files stay root-owned: the app user
# can read, not modify, its own code.
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/libs ./dist/libs
# dist/node_modules/@snapfleet/* are symlinks into dist/libs (scripts/link-dist.mjs): how the
# compiled apps resolve `@snapfleet/<lib>`. COPY keeps them as (relative) symlinks.
COPY --from=build /src/dist/node_modules ./dist/node_modules
COPY --from=build /src/dist/apps/api ./dist/apps/api
# snapctl rides along for `docker compose exec api node dist/apps/cli/src/main.js hosts`.
COPY --from=build /src/dist/apps/cli ./dist/apps/cli
# The node image's unprivileged user (uid 1000).
USER node
EXPOSE 8080
ENTRYPOINT ["node", "dist/apps/api/src/main.js"]
