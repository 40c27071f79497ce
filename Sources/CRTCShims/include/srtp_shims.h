#ifndef RTC_SRTP_SHIMS_H
#define RTC_SRTP_SHIMS_H
#include <stddef.h>
#include <stdint.h>

// HMAC-SHA1 (RFC 2104) with the key's inner and outer SHA-1 states computed once, for SRTP's
// per-packet authentication tag (RFC 3711 §4.2.1). Each tag copies the two precomputed states
// on the stack, so computing it never allocates (OpenSSL 3.0's EVP_MAC re-init duplicates its
// digest context on the heap every time).
typedef struct rtc_hmac_sha1_key rtc_hmac_sha1_key;

// Precomputes the states for `key` (any length). Returns NULL when out of memory.
rtc_hmac_sha1_key *rtc_hmac_sha1_key_new(const uint8_t *key, size_t key_len);

// Wipes and frees the states. NULL is ignored.
void rtc_hmac_sha1_key_free(rtc_hmac_sha1_key *k);

// out = HMAC-SHA1(key, data || suffix); `suffix` may be NULL when `suffix_len` is 0.
void rtc_hmac_sha1_key_tag(const rtc_hmac_sha1_key *k, const uint8_t *data, size_t data_len,
                           const uint8_t *suffix, size_t suffix_len, uint8_t out[20]);

#endif
