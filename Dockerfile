# Concierge in a container: a static binary (pure Go, SQLite included) on a distroless base
# that runs as a non-root user. Build and run:
#   docker build -t concierge --build-arg VERSION=$(git describe --always) .
#   docker run -d -p 127.0.0.1:8080:8080 -v concierge-data:/data --env-file concierge.env concierge
# Settings are CONCIERGE_* variables (deploy/concierge.env.example). The SQLite database and
# the session key live in the /data volume; for several nodes set CONCIERGE_DB=postgres://…
# Health: GET /healthz (alive) and GET /readyz (database reachable) for the orchestrator's probes.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# The same command is run by cmd/concierge/deploy_test.go, which checks that it gives a static
# binary.
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/concierge ./cmd/concierge
RUN mkdir -p /out/data

# Static base with CA certificates (webhooks, LibreTranslate over HTTPS); the binary embeds
# its time zone data. User 65532 is distroless's "nonroot".
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/concierge /usr/local/bin/concierge
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
WORKDIR /data
ENV CONCIERGE_ADDR=0.0.0.0:8080 \
    CONCIERGE_DB=/data/concierge.db
VOLUME ["/data"]
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/concierge"]
CMD ["serve"]
