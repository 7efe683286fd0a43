# syntax=docker/dockerfile:1
# One image for the api (default CMD), the worker and the migrate job; docker-compose.yml
# overrides the command per service.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- manifests: only what `npm ci` reads, so its layers stay cached until dependencies change
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/domain/package.json libs/domain/
COPY libs/config/package.json libs/config/
COPY libs/telemetry/package.json libs/telemetry/
COPY libs/workflows/package.json libs/workflows/
COPY libs/db/package.json libs/db/
COPY libs/devstack/package.json libs/devstack/
COPY apps/worker/package.json apps/worker/
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
# swagger-ui-dist's install script phones home through @scarf/scarf; a build must not.
ENV SCARF_ANALYTICS=false

# ---- build: all dependencies, compile, prebuild the workflow bundle
FROM manifests AS build
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.base.json ./
COPY libs/ libs/
COPY apps/ apps/
RUN npx tsc -b
# The web app: static files the API serves at /app (apps/api/src/web-app.ts).
RUN npm run build --workspace apps/web
# Bundled once here so each worker starts without running webpack (see WORKFLOW_BUNDLE_PATH).
RUN node -e "require('@rollplan/worker').bundlePlanningWorkflows().then(({ code }) => require('node:fs').writeFileSync('apps/worker/dist/workflow-bundle.js', code))"

# ---- prod-deps: a clean production-only install (more predictable than pruning a workspace tree)
FROM manifests AS prod-deps
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

# ---- runtime
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# node_modules (workspace links included) and every package.json; root-owned, so read-only for the app user.
COPY --from=prod-deps /app ./
COPY --from=build /app/libs/domain/dist libs/domain/dist
COPY --from=build /app/libs/config/dist libs/config/dist
COPY --from=build /app/libs/telemetry/dist libs/telemetry/dist
COPY --from=build /app/libs/workflows/dist libs/workflows/dist
COPY --from=build /app/libs/db/dist libs/db/dist
COPY --from=build /app/apps/worker/dist apps/worker/dist
COPY --from=build /app/apps/api/dist apps/api/dist
COPY --from=build /app/apps/web/dist apps/web/dist
# libs/devstack (local dev servers) is deliberately left out: nothing in production loads it.
ENV WORKFLOW_BUNDLE_PATH=/app/apps/worker/dist/workflow-bundle.js
USER node
EXPOSE 3000
CMD ["node", "apps/api/dist/main.js"]
