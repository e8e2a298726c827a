# Multi-stage build of the wellspring server.
#   docker build -t wellspring . && docker run --rm -p 127.0.0.1:8042:8042 wellspring
FROM rust:1.88-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p wellspring-cli

FROM debian:bookworm-slim
RUN useradd --system --no-create-home --shell /usr/sbin/nologin wellspring
COPY --from=build /src/target/release/wellspring /usr/local/bin/wellspring
USER wellspring
EXPOSE 8042
# Inside the container the server must listen on all interfaces to be reachable through the
# published port; publish it on 127.0.0.1 on the host unless you mean to expose it.
ENTRYPOINT ["/usr/local/bin/wellspring"]
CMD ["server", "--host", "0.0.0.0", "--port", "8042"]
