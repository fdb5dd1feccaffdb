# syntax=docker/dockerfile:1
# Tandem gateway node. Multi-stage: the server is compiled (esbuild, scripts/build-server.ts) and the demo page
# bundled in throwaway stages; the runtime image holds production dependencies, the compiled server
# (dist/server.js with its Lua scripts in dist/scripts) and the built page, no TypeScript sources, and runs
# as the unprivileged `node` user.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY client-sdk/package.json client-sdk/
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY tsconfig.json ./
COPY client-sdk client-sdk
COPY server server
COPY demo demo
COPY scripts/build-server.ts scripts/
RUN npm run build:server && npm run build:demo

FROM node:20-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY client-sdk/package.json client-sdk/
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=4000
WORKDIR /app
# Owned by root and read-only for the `node` user: the process cannot rewrite its own code.
COPY --from=prod-deps /app/node_modules node_modules
COPY package.json ./
COPY --from=build /app/dist/server.js /app/dist/server.js.map dist/
COPY --from=build /app/dist/scripts dist/scripts
COPY --from=build /app/demo/public demo/public
USER node
EXPOSE 4000
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM drains: clients are told to reconnect elsewhere before the node exits.
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "dist/server.js"]
