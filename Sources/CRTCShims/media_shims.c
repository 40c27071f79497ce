#include <opus/opus.h>
#include <vpx/vpx_encoder.h>
#include <vpx/vpx_decoder.h>
#include "media_shims.h"

int rtc_opus_encoder_set_bitrate(struct OpusEncoder *enc, int32_t bits_per_second) {
    return opus_encoder_ctl(enc, OPUS_SET_BITRATE(bits_per_second));
}

int rtc_opus_encoder_set_complexity(struct OpusEncoder *enc, int32_t complexity) {
    return opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(complexity));
}

int rtc_opus_encoder_set_inband_fec(struct OpusEncoder *enc, int32_t on) {
    return opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(on));
}

int rtc_opus_encoder_set_packet_loss_perc(struct OpusEncoder *enc, int32_t percent) {
    return opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(percent));
}

int rtc_opus_encoder_set_dtx(struct OpusEncoder *enc, int32_t on) {
    return opus_encoder_ctl(enc, OPUS_SET_DTX(on));
}

int rtc_opus_encoder_get_lookahead(struct OpusEncoder *enc, int32_t *out) {
    opus_int32 v = 0;
    int r = opus_encoder_ctl(enc, OPUS_GET_LOOKAHEAD(&v));
    if (out) *out = (int32_t)v;
    return r;
}

int rtc_vpx_encoder_abi_version(void) { return VPX_ENCODER_ABI_VERSION; }

int rtc_vpx_decoder_abi_version(void) { return VPX_DECODER_ABI_VERSION; }
