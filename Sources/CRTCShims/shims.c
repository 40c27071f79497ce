#include "CRTCShims.h"
#include <openssl/hmac.h>
#include <openssl/evp.h>

long rtc_bio_get_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }

int rtc_hmac_sha1(const void *key, size_t key_len, const void *data, size_t data_len,
                  uint8_t out[20]) {
    unsigned int out_len = 0;
    if (!HMAC(EVP_sha1(), key, (int)key_len, data, data_len, out, &out_len)) return 0;
    return out_len == 20;
}
