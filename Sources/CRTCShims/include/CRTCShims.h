#ifndef CRTCSHIMS_H
#define CRTCSHIMS_H
#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>
#include <openssl/bio.h>

// ---- OpenSSL: function-like macros Swift cannot import ----
long rtc_ssl_set_mtu(SSL *ssl, long mtu);
long rtc_dtls_get_timeout(SSL *ssl, long *sec, long *usec);
long rtc_dtls_handle_timeout(SSL *ssl);
long rtc_bio_set_mem_eof_return(BIO *bio, long value);
long rtc_bio_get_mem_data(BIO *bio, char **data);
long rtc_ssl_ctx_set_options(SSL_CTX *ctx, long options);
long rtc_ssl_ctx_set_min_proto(SSL_CTX *ctx, int version);
long rtc_ssl_ctx_set_max_proto(SSL_CTX *ctx, int version);
long rtc_ssl_set_tmp_ecdh_auto(SSL *ssl);
long rtc_ssl_ctx_set_read_ahead(SSL_CTX *ctx, int on);
int rtc_ssl_op_no_query_mtu(void);

// HMAC-SHA1 one-shot (STUN MESSAGE-INTEGRITY). Returns 1 on success.
int rtc_hmac_sha1(const void *key, size_t key_len, const void *data, size_t data_len,
                  uint8_t out[20]);
// SHA-256 / SHA-1 one-shot. Returns 1 on success.
int rtc_sha256(const void *data, size_t len, uint8_t out[32]);

// ---- Linux batched UDP I/O (sendmmsg/recvmmsg/UDP GSO) ----
// Returns 1 when the running kernel accepts UDP_SEGMENT on this socket.
int rtc_udp_gso_supported(int fd);
// Sends `count` datagrams of `lens[i]` bytes at `bufs[i]` to one IPv4/IPv6 sockaddr each.
// Returns the number sent or -errno.
int rtc_sendmmsg(int fd, const void *const *bufs, const size_t *lens,
                 const void *const *addrs, const uint32_t *addrlens, int count);
// Sends one buffer holding `total` bytes as datagrams of `segment` bytes with UDP GSO.
int rtc_send_gso(int fd, const void *buf, size_t total, uint16_t segment,
                 const void *addr, uint32_t addrlen);
// Receives up to `count` datagrams into `bufs[i]` (capacity `cap` each); lens/addrs filled.
int rtc_recvmmsg(int fd, void *const *bufs, size_t cap, size_t *lens,
                 void *const *addrs, uint32_t *addrlens, int count);

#include "dtls_shims.h"
#include "media_shims.h"
#endif
