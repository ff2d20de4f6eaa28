/*
 * kafka-sidecar's LZ4 addon: the system liblz4 behind two N-API functions, so a whole Kafka
 * LZ4 frame is written in one native call and an independent block is read in one call with
 * no copies on either side. Loaded by protocol/records/compression/lz4-native.ts, built by
 * scripts/build-native; where it is missing the daemon uses lz4-napi instead.
 *
 *   compressFrame(src: Uint8Array, dst: Uint8Array): number
 *     Writes the frame Kafka's Java client writes (version 01, independent 64 KiB blocks, no
 *     checksums, no content size) for all of src into dst and returns the bytes written.
 *     dst must hold the worst case: 7 + 4 per block + src.length + 4 (blocks that do not
 *     shrink are stored, so no block is ever larger than its input).
 *   decompressBlock(src, start, end, dst, at, limit): number
 *     Decompresses the independent block src[start, end) into dst[at, at + limit) and returns
 *     the bytes produced, or -1 when the block is malformed or needs more than limit.
 *   version: string   liblz4's version string.
 *
 * Every argument is checked here; a bad one throws a TypeError or RangeError whose code is
 * ERR_LZ4_NATIVE_ARGUMENT, never a crash.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <lz4.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

#define BLOCK_SIZE 65536u
#define HEADER_SIZE 7u
#define ARG_CODE "ERR_LZ4_NATIVE_ARGUMENT"
#define ADDON_NAME "lz4 addon"
#include "../common/napi-args.h"

static void write_u32le(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static bool overlap(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len) {
  if (a_len == 0 || b_len == 0) return false;
  uintptr_t a0 = (uintptr_t)a, b0 = (uintptr_t)b;
  return a0 < b0 + b_len && b0 < a0 + a_len;
}

/* Magic 0x184D2204 LE, FLG 0x60 (version 01, independent blocks), BD 0x40 (64 KiB), and the
 * header checksum, fixed because FLG and BD are: byte 1 of xxHash32 of FLG BD. */
static const uint8_t FRAME_HEADER[HEADER_SIZE] = {0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82};

/* The worst-case frame size for n input bytes, or 0 when it does not fit a size_t. */
static size_t frame_bound(size_t n) {
  size_t blocks = n / BLOCK_SIZE + (n % BLOCK_SIZE != 0);
  size_t fixed = HEADER_SIZE + 4;
  if (blocks > (SIZE_MAX - fixed) / 4) return 0;
  size_t framing = fixed + blocks * 4;
  if (n > SIZE_MAX - framing) return 0;
  return n + framing;
}

static napi_value compress_frame(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv, "compressFrame(src, dst)")) return NULL;
  bytes_t src, dst;
  if (!get_bytes(env, argv[0], "src", &src) || !get_bytes(env, argv[1], "dst", &dst)) return NULL;
  size_t bound = frame_bound(src.length);
  char message[160];
  if (bound == 0) {
    napi_throw_range_error(env, ARG_CODE, "lz4 addon: src is too large for one frame");
    return NULL;
  }
  if (dst.length < bound) {
    snprintf(message, sizeof message, "lz4 addon: dst holds %zu bytes, the frame may need %zu", dst.length, bound);
    napi_throw_range_error(env, ARG_CODE, message);
    return NULL;
  }
  if (overlap(src.data, src.length, dst.data, dst.length)) {
    napi_throw_range_error(env, ARG_CODE, "lz4 addon: src and dst overlap");
    return NULL;
  }
  uint8_t *out = dst.data;
  memcpy(out, FRAME_HEADER, HEADER_SIZE);
  size_t pos = HEADER_SIZE;
  for (size_t offset = 0; offset < src.length; offset += BLOCK_SIZE) {
    size_t rest = src.length - offset;
    int chunk = (int)(rest < BLOCK_SIZE ? rest : BLOCK_SIZE);
    const char *in = (const char *)src.data + offset;
    /* Capacity chunk - 1 keeps only a block that shrinks: liblz4 returns 0 when the
     * compressed form would not fit, and the block is then stored as it is. */
    int packed = chunk > 1 ? LZ4_compress_default(in, (char *)out + pos + 4, chunk, chunk - 1) : 0;
    if (packed > 0) {
      write_u32le(out + pos, (uint32_t)packed);
      pos += 4 + (size_t)packed;
    } else {
      write_u32le(out + pos, (uint32_t)chunk | 0x80000000u);
      memcpy(out + pos + 4, in, (size_t)chunk);
      pos += 4 + (size_t)chunk;
    }
  }
  write_u32le(out + pos, 0); /* end mark */
  pos += 4;
  napi_value result;
  CHECK(env, napi_create_double(env, (double)pos, &result));
  return result;
}

static napi_value decompress_block(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!get_args(env, info, 6, argv, "decompressBlock(src, start, end, dst, at, limit)")) return NULL;
  bytes_t src, dst;
  size_t start, end, at, limit;
  if (!get_bytes(env, argv[0], "src", &src) || !get_index(env, argv[1], "start", src.length, &start) ||
      !get_index(env, argv[2], "end", src.length, &end) || !get_bytes(env, argv[3], "dst", &dst) ||
      !get_index(env, argv[4], "at", dst.length, &at) || !get_index(env, argv[5], "limit", dst.length - at, &limit)) {
    return NULL;
  }
  if (start > end) {
    napi_throw_range_error(env, ARG_CODE, "lz4 addon: start is after end");
    return NULL;
  }
  /* liblz4 counts in int. */
  if (end - start > (size_t)INT_MAX || limit > (size_t)INT_MAX) {
    napi_throw_range_error(env, ARG_CODE, "lz4 addon: block or limit exceeds 2 GiB");
    return NULL;
  }
  if (overlap(src.data + start, end - start, dst.data + at, limit)) {
    napi_throw_range_error(env, ARG_CODE, "lz4 addon: src and dst overlap");
    return NULL;
  }
  int produced = -1;
  if (end > start) {
    produced = LZ4_decompress_safe((const char *)src.data + start, (char *)dst.data + at, (int)(end - start), (int)limit);
  }
  napi_value result;
  CHECK(env, napi_create_int32(env, produced < 0 ? -1 : produced, &result));
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  CHECK(env, napi_create_function(env, "compressFrame", NAPI_AUTO_LENGTH, compress_frame, NULL, &fn));
  CHECK(env, napi_set_named_property(env, exports, "compressFrame", fn));
  CHECK(env, napi_create_function(env, "decompressBlock", NAPI_AUTO_LENGTH, decompress_block, NULL, &fn));
  CHECK(env, napi_set_named_property(env, exports, "decompressBlock", fn));
  napi_value version;
  CHECK(env, napi_create_string_utf8(env, LZ4_versionString(), NAPI_AUTO_LENGTH, &version));
  CHECK(env, napi_set_named_property(env, exports, "version", version));
  return exports;
}
