# kafka-sidecar container image: build with the full toolchain, run on a slim image as non-root.
# Brokers must be configured (KAFKA_SIDECAR_KAFKA_BROKERS); the local-Kafka fallback of
# `npm start` needs Java and is not part of the image.
#   docker build -t kafka-sidecar .
#   docker run -e KAFKA_SIDECAR_KAFKA_BROKERS=kafka:9092 -v sidecar-sock:/var/run/kafka-sidecar kafka-sidecar

FROM node:20-bookworm-slim AS build
# A C compiler and liblz4's header for the native addons (scripts/build-native); Node's N-API
# headers come with the image (/usr/local/include/node).
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev liblz4-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY daemon daemon
COPY machines machines
COPY config config
COPY ipc ipc
COPY protocol protocol
COPY client client
COPY test test
COPY bench bench
COPY scripts scripts
COPY native/common native/common
COPY native/lz4 native/lz4
COPY native/crc32c native/crc32c
RUN npm run build && scripts/build-native && rm -rf dist/test dist/bench && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    KAFKA_SIDECAR_IPC_SOCKET_PATH=/var/run/kafka-sidecar/sidecar.sock \
    KAFKA_SIDECAR_HTTP_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/dist dist
# The addon links against liblz4.so.1 (Debian's liblz4-1, which apt itself needs, so every
# bookworm image has it); loading it here fails the image build rather than silently falling
# back to lz4-napi at run time.
COPY --from=build /src/native/build native/build
RUN node --input-type=module -e "const m = await import('/app/dist/protocol/records/compression/lz4-native.js'); if (m.lz4Implementation !== 'liblz4') throw new Error('liblz4 addon not loaded: ' + (m.lz4AddonLoadError ?? 'missing'))" \
    && node -e "const a = require('/app/native/build/crc32c.node'); if (a.crc32c !== undefined && a.crc32c(Buffer.from('123456789'), 0, 9) !== 0xe3069283) process.exit(1)"
RUN groupadd --system --gid 10001 sidecar && useradd --system --uid 10001 --gid sidecar --home /app sidecar \
    && mkdir -p /var/run/kafka-sidecar && chown sidecar:sidecar /var/run/kafka-sidecar
# The socket is created with mode 0600 (ipc.socket.mode): run the app container with the same
# uid (10001), or set KAFKA_SIDECAR_IPC_SOCKET_MODE=0660 and share the group (10001).
USER sidecar
VOLUME ["/var/run/kafka-sidecar"]
EXPOSE 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:9464/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/daemon/cli.js"]
CMD ["start"]
