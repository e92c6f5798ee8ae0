# mcp-ilert container: Bun base image, production dependencies only, non-root user.
# Build: docker build -t mcp-ilert .   Run: docker run -p 8080:8080 -p 8081:8081 -p 9090:9090 \
#   -v /etc/mcp-ilert:/etc/mcp-ilert:ro mcp-ilert --config /etc/mcp-ilert/config.yaml
FROM oven/bun:1.4.5-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The bun npm package is the runtime for `npx` users; the image already has Bun, so skip it.
RUN bun install --production --frozen-lockfile --ignore-scripts 2>/dev/null || bun install --production --ignore-scripts

FROM oven/bun:1.4.5-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY package.json bunfig.toml tsconfig.json ./
COPY src ./src
COPY examples ./examples
# Inside a container, listen on all interfaces; publish ports deliberately.
ENV MCP_ILERT_LISTEN_ADDRESS=0.0.0.0 \
    MCP_ILERT_TCP_ADDRESS=0.0.0.0 \
    MCP_ILERT_METRICS_LISTEN_ADDRESS=0.0.0.0
USER bun
EXPOSE 8080 8081 9090
HEALTHCHECK --interval=30s --timeout=3s CMD ["bun", "-e", "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
ENTRYPOINT ["bun", "src/main.ts"]
