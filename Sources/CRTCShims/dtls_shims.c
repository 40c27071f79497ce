// DTLS support for RTCCore's sans-IO DTLSEndpoint: a datagram-queue BIO, certificate
// generation, and SSL_CTX/SSL configuration that Swift cannot express through OpenSSL's
// function-like macros.
#include "dtls_shims.h"
#include <pthread.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/rand.h>

// ---------------------------------------------------------------------------------------------
// Datagram queue
//
// Datagrams are stored back to back in one growable buffer, each as a 4-byte native-endian
// length followed by its bytes:
//
//   data: | len0 | bytes0 ... | len1 | bytes1 ... | ...
//           ^head                                  ^len
//
// `head` is the offset of the oldest datagram; the buffer is rewound when it empties.

typedef struct {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t head;
    size_t count;
} rtc_dgram_fifo;

// Retransmissions of one flight prepared in advance, at most this many (OpenSSL fails a flight
// after 12 timer expiries, so 11 is the most it can produce).
#define RTC_MAX_PREPARED 11

typedef struct rtc_dgram_queue {
    rtc_dgram_fifo fifo;
    // Write BIO only: retransmission preparation (see rtc_dtls_timer_cb).
    rtc_dgram_fifo prepared;
    size_t prepared_slot_len[RTC_MAX_PREPARED];
    int prepared_slots;      // slots captured for the current flight
    int prepared_released;   // slots handed back to the caller
    int prepared_wanted;     // slots to prepare per flight
    int capturing;           // 1: writes go to `prepared`; 2: writes are dropped
    unsigned long timer_starts;
    // Read BIO only: the write BIO's state, so that a read ends a capture.
    struct rtc_dgram_queue *partner;
} rtc_dgram_queue;

static BIO_METHOD *rtc_queue_method = NULL;
static int rtc_queue_type = 0;
static pthread_once_t rtc_queue_once = PTHREAD_ONCE_INIT;

static int rtc_queue_append(rtc_dgram_fifo *q, const void *bytes, size_t n) {
    if (n > UINT32_MAX) return 0;
    size_t need = q->len + 4 + n;
    if (need < q->len) return 0;
    if (need > q->cap) {
        size_t cap = q->cap ? q->cap : 2048;
        while (cap < need) {
            if (cap > SIZE_MAX / 2) return 0;
            cap *= 2;
        }
        uint8_t *grown = OPENSSL_realloc(q->data, cap);
        if (grown == NULL) return 0;
        q->data = grown;
        q->cap = cap;
    }
    uint32_t n32 = (uint32_t)n;
    memcpy(q->data + q->len, &n32, 4);
    if (n > 0) memcpy(q->data + q->len + 4, bytes, n);
    q->len = need;
    q->count++;
    return 1;
}

static long rtc_queue_peek_length(const rtc_dgram_fifo *q) {
    if (q->count == 0) return -1;
    uint32_t n32;
    memcpy(&n32, q->data + q->head, 4);
    return (long)n32;
}

static long rtc_queue_take(rtc_dgram_fifo *q, void *out, size_t cap) {
    long n = rtc_queue_peek_length(q);
    if (n < 0) return -1;
    size_t copy = (size_t)n < cap ? (size_t)n : cap;
    if (copy > 0) memcpy(out, q->data + q->head + 4, copy);
    q->head += 4 + (size_t)n;
    q->count--;
    if (q->count == 0) {
        q->head = 0;
        q->len = 0;
    }
    return (long)copy;
}

static void rtc_queue_clear(rtc_dgram_fifo *q) {
    q->head = 0;
    q->len = 0;
    q->count = 0;
}

static int rtc_queue_write(BIO *b, const char *in, int inl) {
    BIO_clear_retry_flags(b);
    rtc_dgram_queue *q = BIO_get_data(b);
    if (q == NULL || in == NULL || inl < 0) return -1;
    if (q->capturing == 2) return inl;
    if (q->capturing == 1 && q->prepared_slots > 0) {
        if (!rtc_queue_append(&q->prepared, in, (size_t)inl)) return -1;
        q->prepared_slot_len[q->prepared_slots - 1]++;
        return inl;
    }
    if (!rtc_queue_append(&q->fifo, in, (size_t)inl)) return -1;
    return inl;
}

static int rtc_queue_read(BIO *b, char *out, int outl) {
    BIO_clear_retry_flags(b);
    rtc_dgram_queue *q = BIO_get_data(b);
    if (q == NULL || out == NULL || outl < 0) return -1;
    // OpenSSL reads only after a retransmission burst is complete: stop capturing.
    if (q->partner != NULL) q->partner->capturing = 0;
    if (q->fifo.count == 0) {
        BIO_set_retry_read(b);
        return -1;
    }
    return (int)rtc_queue_take(&q->fifo, out, (size_t)outl);
}

static long rtc_queue_ctrl(BIO *b, int cmd, long num, void *ptr) {
    (void)ptr;
    rtc_dgram_queue *q = BIO_get_data(b);
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_PENDING: {
        long n = q ? rtc_queue_peek_length(&q->fifo) : -1;
        return n < 0 ? 0 : n;
    }
    case BIO_CTRL_WPENDING:
        // Every write is a complete datagram already handed over: nothing is buffered.
        return 0;
    case BIO_CTRL_RESET:
        if (q) rtc_queue_clear(&q->fifo);
        return 1;
    case BIO_CTRL_GET_CLOSE:
        return BIO_get_shutdown(b);
    case BIO_CTRL_SET_CLOSE:
        BIO_set_shutdown(b, (int)num);
        return 1;
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
        // The MTU the caller sets is the DTLS payload size per datagram: no IP/UDP overhead.
        return 0;
    default:
        // QUERY_MTU (disabled by SSL_OP_NO_QUERY_MTU), SET_NEXT_TIMEOUT (time is virtual),
        // peer addresses (there is no socket): not applicable.
        return 0;
    }
}

static int rtc_queue_create(BIO *b) {
    rtc_dgram_queue *q = OPENSSL_zalloc(sizeof(*q));
    if (q == NULL) return 0;
    BIO_set_data(b, q);
    BIO_set_init(b, 1);
    return 1;
}

static int rtc_queue_destroy(BIO *b) {
    if (b == NULL) return 0;
    rtc_dgram_queue *q = BIO_get_data(b);
    if (q != NULL) {
        OPENSSL_free(q->fifo.data);
        OPENSSL_free(q->prepared.data);
        OPENSSL_free(q);
    }
    BIO_set_data(b, NULL);
    BIO_set_init(b, 0);
    return 1;
}

static void rtc_queue_method_init(void) {
    int index = BIO_get_new_index();
    if (index == -1) return;
    int type = index | BIO_TYPE_SOURCE_SINK;
    BIO_METHOD *m = BIO_meth_new(type, "rtc datagram queue");
    if (m == NULL) return;
    if (!BIO_meth_set_write(m, rtc_queue_write) || !BIO_meth_set_read(m, rtc_queue_read)
        || !BIO_meth_set_ctrl(m, rtc_queue_ctrl) || !BIO_meth_set_create(m, rtc_queue_create)
        || !BIO_meth_set_destroy(m, rtc_queue_destroy)) {
        BIO_meth_free(m);
        return;
    }
    rtc_queue_type = type;
    rtc_queue_method = m;
}

static rtc_dgram_queue *rtc_queue_of(BIO *bio) {
    if (bio == NULL || rtc_queue_method == NULL) return NULL;
    if (BIO_method_type(bio) != rtc_queue_type) return NULL;
    return BIO_get_data(bio);
}

BIO *rtc_dtls_bio_new(void) {
    pthread_once(&rtc_queue_once, rtc_queue_method_init);
    if (rtc_queue_method == NULL) return NULL;
    return BIO_new(rtc_queue_method);
}

int rtc_dtls_bio_push(BIO *bio, const void *data, size_t len) {
    rtc_dgram_queue *q = rtc_queue_of(bio);
    if (q == NULL || (data == NULL && len > 0)) return 0;
    return rtc_queue_append(&q->fifo, data, len);
}

long rtc_dtls_bio_next_length(BIO *bio) {
    rtc_dgram_queue *q = rtc_queue_of(bio);
    return q ? rtc_queue_peek_length(&q->fifo) : -1;
}

long rtc_dtls_bio_pop(BIO *bio, void *out, size_t cap) {
    rtc_dgram_queue *q = rtc_queue_of(bio);
    if (q == NULL || (out == NULL && cap > 0)) return -1;
    return rtc_queue_take(&q->fifo, out, cap);
}

size_t rtc_dtls_bio_count(BIO *bio) {
    rtc_dgram_queue *q = rtc_queue_of(bio);
    return q ? q->fifo.count : 0;
}

void rtc_dtls_bio_clear(BIO *bio) {
    rtc_dgram_queue *q = rtc_queue_of(bio);
    if (q) rtc_queue_clear(&q->fifo);
}

// ---------------------------------------------------------------------------------------------
// Certificates

static EVP_PKEY *rtc_generate_p256(void) {
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (pctx == NULL) return NULL;
    if (EVP_PKEY_keygen_init(pctx) <= 0 || EVP_PKEY_CTX_set_group_name(pctx, "P-256") <= 0
        || EVP_PKEY_generate(pctx, &key) <= 0) {
        EVP_PKEY_free(key);
        key = NULL;
    }
    EVP_PKEY_CTX_free(pctx);
    return key;
}

static int rtc_set_random_serial(X509 *x) {
    unsigned char bytes[8];
    if (RAND_bytes(bytes, sizeof(bytes)) != 1) return 0;
    bytes[0] &= 0x7F;  // positive
    bytes[0] |= 0x01;  // and never zero / never a short encoding
    BIGNUM *bn = BN_bin2bn(bytes, sizeof(bytes), NULL);
    if (bn == NULL) return 0;
    int ok = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    return ok;
}

int rtc_dtls_generate_certificate(const char *common_name, int64_t not_before_unix,
                                  int64_t not_after_unix, X509 **cert, EVP_PKEY **key) {
    if (common_name == NULL || cert == NULL || key == NULL) return 0;
    if (not_after_unix <= not_before_unix) return 0;
    *cert = NULL;
    *key = NULL;
    EVP_PKEY *pkey = rtc_generate_p256();
    if (pkey == NULL) return 0;
    X509 *x = X509_new();
    int ok = x != NULL;
    ok = ok && X509_set_version(x, 2);  // v3
    ok = ok && rtc_set_random_serial(x);
    if (ok) {
        time_t nb = (time_t)not_before_unix;
        time_t na = (time_t)not_after_unix;
        ok = ASN1_TIME_set(X509_getm_notBefore(x), nb) != NULL
            && ASN1_TIME_set(X509_getm_notAfter(x), na) != NULL;
    }
    X509_NAME *name = ok ? X509_get_subject_name(x) : NULL;
    ok = ok && name != NULL
        && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                      (const unsigned char *)common_name, -1, -1, 0);
    ok = ok && X509_set_issuer_name(x, name);
    ok = ok && X509_set_pubkey(x, pkey);
    ok = ok && X509_sign(x, pkey, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(x);
        EVP_PKEY_free(pkey);
        return 0;
    }
    *cert = x;
    *key = pkey;
    return 1;
}

// ---------------------------------------------------------------------------------------------
// Context and connection setup

// The fingerprint in SDP authenticates the peer (RFC 5763 §5); the X.509 chain means nothing
// for a self-signed WebRTC certificate, so TLS-level verification accepts it.
static int rtc_accept_any_certificate(int preverify_ok, X509_STORE_CTX *store) {
    (void)preverify_ok;
    (void)store;
    return 1;
}

static const char *rtc_dtls_cipher_list =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA";

SSL_CTX *rtc_dtls_ctx_new(X509 *cert, EVP_PKEY *key) {
    if (cert == NULL || key == NULL) return NULL;
    SSL_CTX *ctx = SSL_CTX_new(DTLS_method());
    if (ctx == NULL) return NULL;
    int ok = SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION)
        && SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    ok = ok && SSL_CTX_set_cipher_list(ctx, rtc_dtls_cipher_list);
    ok = ok && SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384");
    ok = ok && SSL_CTX_use_certificate(ctx, cert) == 1;
    ok = ok && SSL_CTX_use_PrivateKey(ctx, key) == 1;
    ok = ok && SSL_CTX_check_private_key(ctx) == 1;
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       rtc_accept_any_certificate);
    return ctx;
}

// Retransmission in virtual time.
//
// OpenSSL's DTLS timer runs on the real clock, and OpenSSL itself retransmits whenever it finds
// the timer expired at the start of a read (dtls1_read_bytes) or after a failed read. So a
// timer that is "always expired" makes OpenSSL retransmit on every datagram received, and loop
// until it gives up; a timer that never expires lets no retransmission happen at all.
//
// Instead, the retransmissions of a flight are prepared in advance and held: when OpenSSL
// starts the timer for a new flight (callback with 0) the duration returned is 1 µs, so at the
// first read after the flight OpenSSL finds it expired and retransmits; each such retransmission
// announces itself through this callback (with the previous duration) just before its records
// are written, and the write BIO captures them as one prepared slot instead of sending them.
// After `prepared_wanted` slots the callback returns an hour, which ends the burst; the read
// that follows ends the capture. Each slot holds a complete, valid retransmission (fresh record
// sequence numbers, current epoch keys): the caller's virtual-time schedule releases one slot per
// expiry (rtc_dtls_release_retransmission). A new flight, or an answered one, drops them.
#define RTC_TIMER_EXPIRED_US 1u
#define RTC_TIMER_NEVER_US 3600000000u

static void rtc_prepared_reset(rtc_dgram_queue *q) {
    rtc_queue_clear(&q->prepared);
    q->prepared_slots = 0;
    q->prepared_released = 0;
    q->capturing = 0;
}

static unsigned int rtc_dtls_timer_cb(SSL *s, unsigned int previous_us) {
    rtc_dgram_queue *q = rtc_queue_of(SSL_get_wbio(s));
    if (q == NULL) return RTC_TIMER_NEVER_US;
    if (previous_us == 0) {
        // A new flight was just sent.
        q->timer_starts++;
        rtc_prepared_reset(q);
        return q->prepared_wanted > 0 ? RTC_TIMER_EXPIRED_US : RTC_TIMER_NEVER_US;
    }
    // OpenSSL is about to retransmit the flight: capture it as the next prepared slot.
    if (q->prepared_slots < q->prepared_wanted && q->prepared_slots < RTC_MAX_PREPARED) {
        q->prepared_slot_len[q->prepared_slots] = 0;
        q->prepared_slots++;
        q->capturing = 1;
    } else {
        q->capturing = 2;
    }
    return q->prepared_slots < q->prepared_wanted ? RTC_TIMER_EXPIRED_US : RTC_TIMER_NEVER_US;
}

int rtc_dtls_ssl_setup(SSL *ssl, int is_server, long mtu, const char *srtp_profiles,
                       int prepared_retransmissions) {
    if (ssl == NULL || srtp_profiles == NULL) return 0;
    if (prepared_retransmissions < 0 || prepared_retransmissions > RTC_MAX_PREPARED) return 0;
    BIO *rbio = rtc_dtls_bio_new();
    BIO *wbio = rtc_dtls_bio_new();
    if (rbio == NULL || wbio == NULL) {
        BIO_free(rbio);
        BIO_free(wbio);
        return 0;
    }
    rtc_dgram_queue *rq = BIO_get_data(rbio);
    rtc_dgram_queue *wq = BIO_get_data(wbio);
    wq->prepared_wanted = prepared_retransmissions;
    rq->partner = wq;
    SSL_set_bio(ssl, rbio, wbio);  // the SSL owns both from here on
    SSL_set_options(ssl, SSL_OP_NO_QUERY_MTU);
    if (SSL_set_mtu(ssl, mtu) <= 0) return 0;
    if (SSL_set_tlsext_use_srtp(ssl, srtp_profiles) != 0) return 0;  // 0 means success
    DTLS_set_timer_cb(ssl, rtc_dtls_timer_cb);
    if (is_server) SSL_set_accept_state(ssl);
    else SSL_set_connect_state(ssl);
    return 1;
}

unsigned long rtc_dtls_take_timer_starts(SSL *ssl) {
    rtc_dgram_queue *q = ssl ? rtc_queue_of(SSL_get_wbio(ssl)) : NULL;
    if (q == NULL) return 0;
    unsigned long n = q->timer_starts;
    q->timer_starts = 0;
    return n;
}

long rtc_dtls_release_retransmission(SSL *ssl) {
    rtc_dgram_queue *q = ssl ? rtc_queue_of(SSL_get_wbio(ssl)) : NULL;
    if (q == NULL || q->capturing != 0 || q->prepared_released >= q->prepared_slots) return 0;
    size_t n = q->prepared_slot_len[q->prepared_released++];
    long moved = 0;
    for (size_t i = 0; i < n; i++) {
        long len = rtc_queue_peek_length(&q->prepared);
        if (len < 0) break;
        if (!rtc_queue_append(&q->fifo, q->prepared.data + q->prepared.head + 4, (size_t)len))
            return -1;
        rtc_queue_take(&q->prepared, NULL, 0);
        moved++;
    }
    return moved;
}

int rtc_dtls_prepared_retransmissions(SSL *ssl) {
    rtc_dgram_queue *q = ssl ? rtc_queue_of(SSL_get_wbio(ssl)) : NULL;
    return q ? q->prepared_slots - q->prepared_released : 0;
}

void rtc_dtls_drop_retransmissions(SSL *ssl) {
    rtc_dgram_queue *q = ssl ? rtc_queue_of(SSL_get_wbio(ssl)) : NULL;
    if (q) rtc_prepared_reset(q);
}

int rtc_dtls_timer_running(SSL *ssl) {
    struct timeval tv;
    return DTLSv1_get_timeout(ssl, &tv) == 1;
}

int rtc_dtls_shutdown(SSL *ssl) { return SSL_shutdown(ssl); }
