#ifndef CRTCSHIMS_H
#define CRTCSHIMS_H
#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>
#include <openssl/bio.h>

// What Swift cannot import directly. Batched UDP I/O (recvmmsg, sendmmsg, UDP GSO) comes from
// SwiftNIO in the server, so there is no shim for it here.

// BIO_get_mem_data is a function-like macro.
long rtc_bio_get_mem_data(BIO *bio, char **data);

// HMAC-SHA1 one-shot (STUN MESSAGE-INTEGRITY). Returns 1 on success.
int rtc_hmac_sha1(const void *key, size_t key_len, const void *data, size_t data_len,
                  uint8_t out[20]);

#include "dtls_shims.h"
#include "media_shims.h"
#include "srtp_shims.h"
#endif
