/*
 * kafka-sidecar's CRC-32C addon: the checksum of record batches (Castagnoli polynomial) with
 * the CPU's own instruction, eight bytes per step in three streams at once. Record batches are
 * hashed whole on every produce and every fetch, so this is on both hot paths.
 *
 *   crc32c(src: Uint8Array, start: number, end: number): number
 *     The unsigned CRC-32C of src[start, end).
 *
 * The instruction is x86-64's SSE4.2 crc32. The function is exported only when this CPU has
 * it (checked when the addon loads); elsewhere, and on other architectures, the addon exports
 * nothing and protocol/records/crc32c.ts keeps its other implementations. Loaded by that
 * module, built by scripts/build-native.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <string.h>

#define ARG_CODE "ERR_CRC32C_NATIVE_ARGUMENT"
#define ADDON_NAME "crc32c addon"
#include "../common/napi-args.h"

#if defined(__x86_64__)
#include <nmmintrin.h>

/*
 * One crc32 instruction takes three cycles before the next can use its result, but the CPU
 * starts one per cycle: three independent streams over three adjacent stretches of STRIDE
 * bytes keep it busy, and the three partial CRCs are then joined. The CRC register is linear:
 * the register after "A then B" is shift(register after A) xor (register after B started
 * from 0), where shift() multiplies by x^(8 * STRIDE) modulo the polynomial, the effect of
 * STRIDE zero bytes. shift() is four table lookups (SHIFT, built once at load).
 */
#define STRIDE 2048u
static uint32_t SHIFT[4][256];

/* Compiled for SSE4.2 alone, so the addon still loads on a CPU without it (and exports nothing). */
__attribute__((target("sse4.2"))) static uint32_t zeros(uint32_t reg, size_t n) {
  uint64_t r = reg;
  for (; n >= 8; n -= 8) r = _mm_crc32_u64(r, 0);
  return (uint32_t)r;
}

__attribute__((target("sse4.2"))) static void build_shift_table(void) {
  uint32_t basis[32];
  for (unsigned bit = 0; bit < 32; bit++) basis[bit] = zeros(1u << bit, STRIDE);
  for (unsigned k = 0; k < 4; k++) {
    for (unsigned b = 0; b < 256; b++) {
      uint32_t v = 0;
      for (unsigned bit = 0; bit < 8; bit++)
        if (b >> bit & 1u) v ^= basis[8 * k + bit];
      SHIFT[k][b] = v;
    }
  }
}

static uint32_t shift(uint32_t reg) {
  return SHIFT[0][reg & 0xff] ^ SHIFT[1][reg >> 8 & 0xff] ^ SHIFT[2][reg >> 16 & 0xff] ^ SHIFT[3][reg >> 24];
}

static uint64_t load64(const uint8_t *p) {
  uint64_t word;
  memcpy(&word, p, 8); /* unaligned loads are fine on x86-64; memcpy keeps C's rules */
  return word;
}

__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(const uint8_t *p, size_t n) {
  uint64_t a = 0xffffffffu;
  for (; n >= 3 * STRIDE; p += 3 * STRIDE, n -= 3 * STRIDE) {
    uint64_t b = 0, c = 0;
    for (size_t i = 0; i < STRIDE; i += 8) {
      a = _mm_crc32_u64(a, load64(p + i));
      b = _mm_crc32_u64(b, load64(p + STRIDE + i));
      c = _mm_crc32_u64(c, load64(p + 2 * STRIDE + i));
    }
    a = shift(shift((uint32_t)a) ^ (uint32_t)b) ^ (uint32_t)c;
  }
  for (; n >= 8; p += 8, n -= 8) a = _mm_crc32_u64(a, load64(p));
  uint32_t crc = (uint32_t)a;
  for (; n > 0; p++, n--) crc = _mm_crc32_u8(crc, *p);
  return ~crc;
}

static bool have_instruction(void) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("sse4.2")) return false;
  build_shift_table();
  return true;
}

static napi_value crc32c(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, 3, argv, "crc32c(src, start, end)")) return NULL;
  bytes_t src;
  size_t start, end;
  if (!get_bytes(env, argv[0], "src", &src) || !get_index(env, argv[1], "start", src.length, &start) ||
      !get_index(env, argv[2], "end", src.length, &end)) {
    return NULL;
  }
  if (start > end) {
    napi_throw_range_error(env, ARG_CODE, ADDON_NAME ": start is after end");
    return NULL;
  }
  napi_value result;
  CHECK(env, napi_create_uint32(env, crc32c_sse42(src.data + start, end - start), &result));
  return result;
}
#endif

NAPI_MODULE_INIT() {
#if defined(__x86_64__)
  if (have_instruction()) {
    napi_value fn;
    CHECK(env, napi_create_function(env, "crc32c", NAPI_AUTO_LENGTH, crc32c, NULL, &fn));
    CHECK(env, napi_set_named_property(env, exports, "crc32c", fn));
  }
#endif
  return exports;
}
