# A static tabletapi binary on a minimal image that runs as a non-root user.
#
#   docker build -t tabletapi .
#   docker run -p 8088:8088 -v tabletapi-data:/data tabletapi
#
# By default the database is SQLite in the /data volume; for PostgreSQL,
# pass -e TABLETAPI_DATABASE_URL=postgres://…. Every flag has a
# TABLETAPI_<FLAG> variable; admin commands run in the same image:
#   docker run --rm -i -v tabletapi-data:/data tabletapi user add alice --group research

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The SQLite driver is pure Go: no cgo, so the binary needs no libc.
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/tabletapi ./cmd/tabletapi \
    && mkdir /out/data

# distroless/static: CA certificates, tzdata and /etc/passwd with user
# nonroot (65532), no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/tabletapi /tabletapi
# The volume's mount point, owned by nonroot so that a new volume is writable.
COPY --from=build --chown=65532:65532 /out/data /data
USER nonroot
ENV TABLETAPI_DATABASE_URL=sqlite:/data/tabletapi.db
VOLUME ["/data"]
EXPOSE 8088
ENTRYPOINT ["/tabletapi"]
# Listen on every interface of the container; publish the port only to
# the reverse proxy that terminates TLS (see README).
CMD ["serve", "--listen", "0.0.0.0:8088"]
