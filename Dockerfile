# The wellspring server as a small container image (multi-stage; the runtime stage is
# debian-slim with one static-ish binary, a non-root user, nothing else).
#
#   docker build -t wellspring:0.1.0 .
#   docker run --rm --read-only --tmpfs /tmp -p 127.0.0.1:8042:8042 wellspring:0.1.0
#
# or `docker compose up` with compose.yaml (the LiveCam camera config mounted). The image
# works with a read-only root filesystem: the only thing it writes is the optional
# assessment cache, under $XDG_CACHE_HOME in /tmp (a tmpfs); without it, sources start from
# their first full assessment instead.
FROM rust:1.88-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p wellspring-cli \
    && strip target/release/wellspring

FROM debian:bookworm-slim
RUN groupadd --system --gid 10001 wellspring \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin wellspring
COPY --from=build /src/target/release/wellspring /usr/local/bin/wellspring
USER 10001:10001
ENV XDG_CACHE_HOME=/tmp/wellspring-cache XDG_STATE_HOME=/tmp/wellspring-state
EXPOSE 8042
# Ready means some source earns credit (/ready answers 200; 503 otherwise). No curl in the
# slim image: bash's /dev/tcp speaks the one request.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8042 && printf 'GET /ready HTTP/1.0\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
# Inside the container the server listens on all interfaces, to be reachable through the
# published port; publish it on 127.0.0.1 on the host unless you mean to expose it.
ENTRYPOINT ["/usr/local/bin/wellspring"]
# The operator routes (pool status, sources, metrics, the dashboard, its event stream) stay on
# the container's own loopback (`docker exec` reaches them); the published port serves the
# random API only. Off loopback the server limits each client to 100/s by default.
CMD ["server", "--host", "0.0.0.0", "--port", "8042", "--admin-listen", "127.0.0.1:9042"]
