# kreconcile's image: the release binary, built with the Swift standard library and
# Foundation linked in (--static-swift-stdlib), on a slim Debian with only what the binary
# still loads: libcurl4 (the HTTP client) and ca-certificates (the system trust store),
# plus tzdata: Foundation reads /usr/share/zoneinfo for the maintenance windows' time zones.
# CI proves that list without Docker: .ci/check-image-deps.sh runs ldd on the same build.

FROM swift:6.1-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libcurl4-openssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
RUN swift build -c release --product kreconcile --static-swift-stdlib \
 && install -m 0755 "$(swift build -c release --show-bin-path)/kreconcile" /kreconcile

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libcurl4 ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /kreconcile /usr/local/bin/kreconcile
# The chart's pod runs as this user with a read-only root filesystem.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/kreconcile"]
CMD ["run", "--dry-run"]
