# PALS Desk in a container (Azure Container Apps, or any host): `docker build -t pals-desk .`
# Settings come from the environment (docs/operations.md, Settings): at least MicrosoftAppId, MicrosoftAppType,
# MicrosoftAppTenantId, COSMOS_ENDPOINT and, for a managed identity, AZURE_CLIENT_ID.
# Not built here (no Docker on the development machine); test/unit/deploy.test.ts checks it as text.

# Build: every dependency (TypeScript is a devDependency), then compile src/ to dist/.
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# Run: run-time dependencies only, the build and the card templates (src/tools/release.ts lists what runs).
FROM node:24.21.0-bookworm-slim AS runtime
ENV HOST=0.0.0.0 \
    PORT=3978
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: botbuilder-dialogs' postinstall runs `npx rimraf`, a devDependency that is not installed here.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY cards ./cards
# Files stay owned by root: the app can read them, not change them.
USER node
EXPOSE 3978
# Liveness only (/healthz); use /readyz as the readiness probe of your orchestrator. No curl in slim images.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3978) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself, not npm, so SIGTERM reaches PALS Desk. It may take up to 20 s to stop: use `docker stop -t 25`.
CMD ["node", "dist/index.js"]
