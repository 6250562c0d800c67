# syntax=docker/dockerfile:1
#
# One image for every driftline service. TypeScript runs as is on Node 24 (type stripping, no
# build step), so the image is: production dependencies + the workspaces' sources.
#
#   docker build -t driftline .
#   docker run --rm driftline watcher        # or desired, reconciler, sink, fleet-sim
#
# The argument picks `services/<name>/src/main.ts`. Node is PID 1 (via `exec`): every service
# installs its own SIGTERM/SIGINT handlers and drains, so no init process is needed.

ARG NODE_IMAGE=node:24-slim

# ---- deps: production node_modules for the whole workspace tree --------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# npm ci checks the lockfile against every workspace's package.json, so all of them are copied
# (scripts/check-deployment.ts fails when a workspace is missing here). Only the manifests are
# copied in this stage, so a source change does not re-run the install.
COPY package.json package-lock.json .npmrc ./
COPY shared/package.json shared/
COPY schemas/package.json schemas/
COPY stack/package.json stack/
COPY services/desired/package.json services/desired/
COPY services/fleet-sim/package.json services/fleet-sim/
COPY services/reconciler/package.json services/reconciler/
COPY services/sink/package.json services/sink/
COPY services/watcher/package.json services/watcher/
# --omit=dev: the root devDependency `node` (a Node binary for developers) is not installed; the
# base image's Node 24 runs the services. --ignore-scripts: no production dependency needs an
# install script to work (protobufjs's postinstall only prints a version hint).
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# ---- runtime ---------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Everything is owned by root and only readable by the service user, so the process cannot
# change its own code (and the root filesystem can be mounted read-only).
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY shared/ shared/
COPY schemas/ schemas/
COPY services/ services/
# The workspace links in node_modules/@driftline/* point at these directories; Node follows the
# links to the real paths, so the .ts files are outside node_modules and type stripping applies.

# The one writable directory (volumes mounted here inherit its owner): fleet-sim's kubeconfigs.
RUN mkdir -p /var/lib/driftline && chown 1000:1000 /var/lib/driftline

# The `node` user of the official image, by number so that Kubernetes' runAsNonRoot can check it.
USER 1000:1000

# Ops server (/metrics, /healthz, /readyz): desired 9401, watcher 9402, reconciler 9403, sink 9404.
# The services bind 127.0.0.1 by default; set HTTP_HOST=0.0.0.0 inside a container.
EXPOSE 9401 9402 9403 9404

ENTRYPOINT ["/bin/sh", "-c", "exec node \"services/$0/src/main.ts\" \"$@\""]
CMD ["watcher"]
