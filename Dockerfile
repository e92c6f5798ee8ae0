# mcp-ilert container image, built from the release binaries (no Bun, no node_modules, no sources):
#   npm run build:release                      # dist/release/mcp-ilert-linux-{x64,arm64}
#   docker buildx build --platform linux/amd64,linux/arm64 -t REGISTRY/mcp-ilert:0.1.0 --push .
#   docker build -t mcp-ilert .                # one arch, the host's
# Run: docker run -p 8080:8080 -p 8081:8081 -p 9090:9090 \
#        -v /etc/mcp-ilert/config.yaml:/etc/mcp-ilert/config.yaml:ro -v mcp-ilert-data:/var/lib/mcp-ilert \
#        -e ILERT_INTEGRATION_KEY=il1api... mcp-ilert
# The config file is required (an empty file is fine, with everything set by MCP_ILERT_* variables):
# without it the start fails with "cannot read config file", never silently on the simulator.
# test/deploy/container.test.ts runs this entrypoint the way the image does, without an engine.

# Picks the binary for the target architecture; runs on the build machine's own platform.
FROM --platform=$BUILDPLATFORM debian:bookworm-slim AS stage
ARG TARGETARCH
COPY dist/release/ /release/
RUN set -eu; \
    case "$TARGETARCH" in amd64) arch=x64 ;; arm64) arch=arm64 ;; *) echo "unsupported arch $TARGETARCH" >&2; exit 1 ;; esac; \
    install -D -m 0755 "/release/mcp-ilert-linux-$arch" /out/usr/local/bin/mcp-ilert; \
    install -d -m 0700 -o 65532 -g 65532 /out/var/lib/mcp-ilert; \
    install -d -m 0755 /out/etc/mcp-ilert

# glibc (all the binary links: libc, libpthread, libdl, libm), CA certificates, no shell; nonroot = 65532.
FROM gcr.io/distroless/base-debian12:nonroot
COPY --from=stage /out/ /
# Listen on all interfaces inside the container (publish ports deliberately); the queue on the volume.
ENV MCP_ILERT_LISTEN_ADDRESS=0.0.0.0 \
    MCP_ILERT_TCP_ADDRESS=0.0.0.0 \
    MCP_ILERT_METRICS_LISTEN_ADDRESS=0.0.0.0 \
    MCP_ILERT_QUEUE_PATH=/var/lib/mcp-ilert
VOLUME ["/var/lib/mcp-ilert"]
WORKDIR /var/lib/mcp-ilert
USER 65532:65532
EXPOSE 8080 8081 9090
# Follows the configured port and TLS (listen.port, tls.cert_file), not a fixed URL.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s CMD ["/usr/local/bin/mcp-ilert", "healthcheck", "--config", "/etc/mcp-ilert/config.yaml"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/mcp-ilert"]
CMD ["--config", "/etc/mcp-ilert/config.yaml"]
