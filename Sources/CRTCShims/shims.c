#define _GNU_SOURCE
#include "CRTCShims.h"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif

long rtc_ssl_set_mtu(SSL *ssl, long mtu) { return SSL_set_mtu(ssl, mtu); }
long rtc_dtls_get_timeout(SSL *ssl, long *sec, long *usec) {
    struct timeval tv;
    long r = DTLSv1_get_timeout(ssl, &tv);
    if (r == 1) { *sec = (long)tv.tv_sec; *usec = (long)tv.tv_usec; }
    return r;
}
long rtc_dtls_handle_timeout(SSL *ssl) { return DTLSv1_handle_timeout(ssl); }
long rtc_bio_set_mem_eof_return(BIO *bio, long value) { return BIO_set_mem_eof_return(bio, value); }
long rtc_bio_get_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }
long rtc_ssl_ctx_set_options(SSL_CTX *ctx, long options) { return (long)SSL_CTX_set_options(ctx, (uint64_t)options); }
long rtc_ssl_ctx_set_min_proto(SSL_CTX *ctx, int version) { return SSL_CTX_set_min_proto_version(ctx, version); }
long rtc_ssl_ctx_set_max_proto(SSL_CTX *ctx, int version) { return SSL_CTX_set_max_proto_version(ctx, version); }
long rtc_ssl_set_tmp_ecdh_auto(SSL *ssl) { (void)ssl; return 1; }
long rtc_ssl_ctx_set_read_ahead(SSL_CTX *ctx, int on) { return SSL_CTX_set_read_ahead(ctx, on); }
int rtc_ssl_op_no_query_mtu(void) { return (int)SSL_OP_NO_QUERY_MTU; }

int rtc_hmac_sha1(const void *key, size_t key_len, const void *data, size_t data_len,
                  uint8_t out[20]) {
    unsigned int out_len = 0;
    if (!HMAC(EVP_sha1(), key, (int)key_len, data, data_len, out, &out_len)) return 0;
    return out_len == 20;
}

int rtc_sha256(const void *data, size_t len, uint8_t out[32]) {
    unsigned int out_len = 0;
    if (!EVP_Digest(data, len, out, &out_len, EVP_sha256(), NULL)) return 0;
    return out_len == 32;
}

int rtc_udp_gso_supported(int fd) {
#ifdef __linux__
    int seg = 0;
    socklen_t len = sizeof(seg);
    return getsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg, &len) == 0;
#else
    (void)fd; return 0;
#endif
}

#define RTC_MAX_BATCH 64

int rtc_sendmmsg(int fd, const void *const *bufs, const size_t *lens,
                 const void *const *addrs, const uint32_t *addrlens, int count) {
#ifdef __linux__
    struct mmsghdr msgs[RTC_MAX_BATCH];
    struct iovec iovs[RTC_MAX_BATCH];
    int sent = 0;
    while (sent < count) {
        int n = count - sent;
        if (n > RTC_MAX_BATCH) n = RTC_MAX_BATCH;
        memset(msgs, 0, sizeof(struct mmsghdr) * (size_t)n);
        for (int i = 0; i < n; i++) {
            iovs[i].iov_base = (void *)bufs[sent + i];
            iovs[i].iov_len = lens[sent + i];
            msgs[i].msg_hdr.msg_iov = &iovs[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = (void *)addrs[sent + i];
            msgs[i].msg_hdr.msg_namelen = addrlens[sent + i];
        }
        int r = sendmmsg(fd, msgs, (unsigned int)n, 0);
        if (r < 0) return sent > 0 ? sent : -errno;
        sent += r;
        if (r < n) break;
    }
    return sent;
#else
    (void)fd; (void)bufs; (void)lens; (void)addrs; (void)addrlens; (void)count;
    return -ENOSYS;
#endif
}

int rtc_send_gso(int fd, const void *buf, size_t total, uint16_t segment,
                 const void *addr, uint32_t addrlen) {
#ifdef __linux__
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = total };
    char control[CMSG_SPACE(sizeof(uint16_t))];
    memset(control, 0, sizeof(control));
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_name = (void *)addr;
    msg.msg_namelen = addrlen;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_UDP;
    cm->cmsg_type = UDP_SEGMENT;
    cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    memcpy(CMSG_DATA(cm), &segment, sizeof(uint16_t));
    ssize_t r = sendmsg(fd, &msg, 0);
    return r < 0 ? -errno : (int)r;
#else
    (void)fd; (void)buf; (void)total; (void)segment; (void)addr; (void)addrlen;
    return -ENOSYS;
#endif
}

int rtc_recvmmsg(int fd, void *const *bufs, size_t cap, size_t *lens,
                 void *const *addrs, uint32_t *addrlens, int count) {
#ifdef __linux__
    struct mmsghdr msgs[RTC_MAX_BATCH];
    struct iovec iovs[RTC_MAX_BATCH];
    if (count > RTC_MAX_BATCH) count = RTC_MAX_BATCH;
    memset(msgs, 0, sizeof(struct mmsghdr) * (size_t)count);
    for (int i = 0; i < count; i++) {
        iovs[i].iov_base = bufs[i];
        iovs[i].iov_len = cap;
        msgs[i].msg_hdr.msg_iov = &iovs[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = addrs[i];
        msgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in6);
    }
    int r = recvmmsg(fd, msgs, (unsigned int)count, MSG_DONTWAIT, NULL);
    if (r < 0) return -errno;
    for (int i = 0; i < r; i++) {
        lens[i] = msgs[i].msg_len;
        addrlens[i] = msgs[i].msg_hdr.msg_namelen;
    }
    return r;
#else
    (void)fd; (void)bufs; (void)cap; (void)lens; (void)addrs; (void)addrlens; (void)count;
    return -ENOSYS;
#endif
}
