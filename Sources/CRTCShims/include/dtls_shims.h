#ifndef RTC_DTLS_SHIMS_H
#define RTC_DTLS_SHIMS_H
#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/evp.h>

// ---- DTLS over a datagram queue (sans-IO) ----
//
// A BIO that keeps a FIFO of whole datagrams: one BIO_write appends one datagram, one BIO_read
// removes one datagram (truncated if the reader's buffer is smaller, as a UDP socket would).
// An SSL uses two of them: the read BIO receives the caller's datagrams, the write BIO collects
// what OpenSSL sends, with datagram boundaries exactly as OpenSSL wrote them.

// A new, empty datagram queue BIO, or NULL on allocation failure.
BIO *rtc_dtls_bio_new(void);
// Appends one datagram. Returns 1, or 0 when `bio` is not a queue BIO or memory runs out.
int rtc_dtls_bio_push(BIO *bio, const void *data, size_t len);
// Length of the oldest datagram, or -1 when the queue is empty.
long rtc_dtls_bio_next_length(BIO *bio);
// Removes the oldest datagram, copying at most `cap` bytes of it to `out`.
// Returns the number of bytes copied, or -1 when the queue is empty.
long rtc_dtls_bio_pop(BIO *bio, void *out, size_t cap);
// Number of queued datagrams.
size_t rtc_dtls_bio_count(BIO *bio);
// Drops every queued datagram.
void rtc_dtls_bio_clear(BIO *bio);

// ---- Certificates ----
// Generates an ECDSA P-256 key and a self-signed X.509 v3 certificate (SHA-256 signature,
// random positive 63-bit serial, subject = issuer = CN=`common_name`) valid from
// `not_before_unix` to `not_after_unix` (seconds since 1970, passed in: no clock reads).
// Returns 1 and two new references in *cert / *key, or 0.
int rtc_dtls_generate_certificate(const char *common_name, int64_t not_before_unix,
                                  int64_t not_after_unix, X509 **cert, EVP_PKEY **key);

// ---- Context and connection setup ----
// A DTLS 1.2-only SSL_CTX for `cert`/`key`: no renegotiation, no tickets, no session cache,
// SSL_OP_NO_QUERY_MTU, ECDHE AEAD cipher suites first, peer certificate required and accepted
// at the TLS level whatever it is (WebRTC authenticates it by its SDP fingerprint instead).
// Returns NULL on failure (e.g. the key does not match the certificate).
SSL_CTX *rtc_dtls_ctx_new(X509 *cert, EVP_PKEY *key);
// Attaches two queue BIOs (read, write), sets the MTU (bytes per datagram), the use_srtp
// profile list, the retransmission timer callback and the role. Up to
// `prepared_retransmissions` (0...11) retransmissions of each flight are prepared in advance
// and held until released (see dtls_shims.c). Returns 1, or 0 on failure.
int rtc_dtls_ssl_setup(SSL *ssl, int is_server, long mtu, const char *srtp_profiles,
                       int prepared_retransmissions);
// How many times OpenSSL started its retransmission timer afresh (a new flight) since the last
// call; resets the count.
unsigned long rtc_dtls_take_timer_starts(SSL *ssl);
// 1 when OpenSSL's retransmission timer is running (a flight awaits an answer), else 0.
int rtc_dtls_timer_running(SSL *ssl);
// Moves the next prepared retransmission of the current flight to the write BIO's queue.
// Returns the number of datagrams moved (0 when none is left), or -1 on allocation failure.
long rtc_dtls_release_retransmission(SSL *ssl);
// Prepared retransmissions not released yet.
int rtc_dtls_prepared_retransmissions(SSL *ssl);
// Drops the prepared retransmissions (the flight was answered or the endpoint stopped).
void rtc_dtls_drop_retransmissions(SSL *ssl);
// Sends close_notify (SSL_shutdown). Returns SSL_shutdown's result.
int rtc_dtls_shutdown(SSL *ssl);

#endif
