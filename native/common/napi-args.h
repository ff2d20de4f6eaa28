/*
 * Argument checks shared by kafka-sidecar's N-API addons. The including file defines
 * ADDON_NAME (the prefix of every message, e.g. "lz4 addon") and ARG_CODE (the code of the
 * TypeError or RangeError a bad argument throws) before including this header.
 */
#ifndef KAFKA_SIDECAR_NAPI_ARGS_H
#define KAFKA_SIDECAR_NAPI_ARGS_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if !defined(ADDON_NAME) || !defined(ARG_CODE)
#error "define ADDON_NAME and ARG_CODE before including napi-args.h"
#endif

/* Any N-API failure that has not thrown yet becomes a plain Error; the caller returns NULL. */
#define CHECK(env, call)                                                \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      bool pending_ = false;                                            \
      napi_is_exception_pending((env), &pending_);                      \
      if (!pending_) napi_throw_error((env), NULL, ADDON_NAME ": N-API call failed: " #call); \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

typedef struct {
  uint8_t *data;
  size_t length;
} bytes_t;

/* Reads a Uint8Array (a Buffer is one) argument; throws and returns false otherwise. */
static bool get_bytes(napi_env env, napi_value value, const char *name, bytes_t *out) {
  bool is_typed = false;
  char message[128];
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) {
    snprintf(message, sizeof message, "%s: %s must be a Uint8Array or Buffer", ADDON_NAME, name);
    napi_throw_type_error(env, ARG_CODE, message);
    return false;
  }
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (napi_get_typedarray_info(env, value, &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    snprintf(message, sizeof message, "%s: %s must be a Uint8Array or Buffer", ADDON_NAME, name);
    napi_throw_type_error(env, ARG_CODE, message);
    return false;
  }
  out->data = (uint8_t *)data;
  out->length = length;
  return true;
}

/* Reads a non-negative integer argument no larger than max; throws and returns false otherwise. */
static bool get_index(napi_env env, napi_value value, const char *name, size_t max, size_t *out) {
  napi_valuetype kind;
  double number = 0;
  char message[160];
  if (napi_typeof(env, value, &kind) != napi_ok || kind != napi_number || napi_get_value_double(env, value, &number) != napi_ok) {
    snprintf(message, sizeof message, "%s: %s must be a number", ADDON_NAME, name);
    napi_throw_type_error(env, ARG_CODE, message);
    return false;
  }
  /* The comparisons are false for NaN, so it is refused with the rest. */
  if (!(number >= 0 && number <= (double)max && number == (double)(size_t)number)) {
    snprintf(message, sizeof message, "%s: %s must be an integer from 0 to %zu, got %g", ADDON_NAME, name, max, number);
    napi_throw_range_error(env, ARG_CODE, message);
    return false;
  }
  *out = (size_t)number;
  return true;
}

static bool expect_args(napi_env env, size_t argc, size_t want, const char *signature) {
  if (argc == want) return true;
  char message[160];
  snprintf(message, sizeof message, "%s: %s takes %zu arguments, got %zu", ADDON_NAME, signature, want, argc);
  napi_throw_type_error(env, ARG_CODE, message);
  return false;
}

/* Reads exactly `want` arguments into argv (room for `want`); throws and returns false otherwise. */
static bool get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv, const char *signature) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) {
    napi_throw_error(env, NULL, ADDON_NAME ": could not read the arguments");
    return false;
  }
  return expect_args(env, argc, want, signature);
}

#endif
