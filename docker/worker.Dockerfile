# syntax=docker/dockerfile:1
# snapfleet host worker image (dist/apps/worker/src/main.js): runs snapshot jobs on this host's
# btrfs pool. Build from the repository root:
#   docker build -f docker/worker.Dockerfile -t snapfleet-worker .
#
# Runs as root and must be started privileged (`privileged: true` in compose.yaml): btrfs
# subvolume create/snapshot/delete, the read-only flag and TREE_SEARCH_V2 (usage) are ioctls
# that need CAP_SYS_ADMIN, and the pool's block device (reported in mounts, read by the
# btrfs-progs backend) must be visible under /dev. Mount the pool directory at the same path
# inside as outside, so the paths in answers are valid on the host.

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
# btrfs-progs: the fallback backend and `btrfs filesystem show`; util-linux: findmnt.
RUN apt-get update \
 && apt-get install -y --no-install-recommends btrfs-progs util-linux \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/libs ./dist/libs
# dist/node_modules/@snapfleet/* are symlinks into dist/libs (scripts/link-dist.mjs): how the
# compiled apps resolve `@snapfleet/<lib>`. COPY keeps them as (relative) symlinks.
COPY --from=build /src/dist/node_modules ./dist/node_modules
COPY --from=build /src/dist/apps/worker ./dist/apps/worker
# The native ioctl addon, where libs/btrfs looks for it (walking up from dist/libs/btrfs/src).
COPY --from=build /src/libs/btrfs/native/build/Release/snapfleet_btrfs.node ./libs/btrfs/native/build/Release/snapfleet_btrfs.node
ENTRYPOINT ["node", "dist/apps/worker/src/main.js"]
