// The low-level SHA-1 API is deprecated in OpenSSL 3.0 but still exported and still the
// fastest way to reuse a keyed HMAC state without a heap copy.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "srtp_shims.h"
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>

struct rtc_hmac_sha1_key {
    SHA_CTX inner;  // after absorbing key XOR ipad
    SHA_CTX outer;  // after absorbing key XOR opad
};

rtc_hmac_sha1_key *rtc_hmac_sha1_key_new(const uint8_t *key, size_t key_len) {
    rtc_hmac_sha1_key *k = OPENSSL_zalloc(sizeof(*k));
    if (k == NULL) return NULL;
    uint8_t block[SHA_CBLOCK];
    memset(block, 0, sizeof(block));
    if (key_len > SHA_CBLOCK) {
        SHA1(key, key_len, block);  // RFC 2104 §2: longer keys are hashed first
    } else if (key_len > 0) {
        memcpy(block, key, key_len);
    }
    uint8_t pad[SHA_CBLOCK];
    for (size_t i = 0; i < SHA_CBLOCK; i++) pad[i] = block[i] ^ 0x36;
    SHA1_Init(&k->inner);
    SHA1_Update(&k->inner, pad, sizeof(pad));
    for (size_t i = 0; i < SHA_CBLOCK; i++) pad[i] = block[i] ^ 0x5c;
    SHA1_Init(&k->outer);
    SHA1_Update(&k->outer, pad, sizeof(pad));
    OPENSSL_cleanse(block, sizeof(block));
    OPENSSL_cleanse(pad, sizeof(pad));
    return k;
}

void rtc_hmac_sha1_key_free(rtc_hmac_sha1_key *k) {
    if (k == NULL) return;
    OPENSSL_clear_free(k, sizeof(*k));
}

void rtc_hmac_sha1_key_tag(const rtc_hmac_sha1_key *k, const uint8_t *data, size_t data_len,
                           const uint8_t *suffix, size_t suffix_len, uint8_t out[20]) {
    SHA_CTX c = k->inner;
    uint8_t inner_digest[SHA_DIGEST_LENGTH];
    if (data_len > 0) SHA1_Update(&c, data, data_len);
    if (suffix_len > 0) SHA1_Update(&c, suffix, suffix_len);
    SHA1_Final(inner_digest, &c);
    c = k->outer;
    SHA1_Update(&c, inner_digest, sizeof(inner_digest));
    SHA1_Final(out, &c);
    OPENSSL_cleanse(&c, sizeof(c));
    OPENSSL_cleanse(inner_digest, sizeof(inner_digest));
}
