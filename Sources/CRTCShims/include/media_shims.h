#ifndef MEDIA_SHIMS_H
#define MEDIA_SHIMS_H
#include <stdint.h>

// ---- libopus: opus_encoder_ctl / opus_decoder_ctl are variadic, which Swift cannot call ----
struct OpusEncoder;
struct OpusDecoder;
// OPUS_SET_BITRATE. Returns OPUS_OK (0) or a negative OPUS_* error.
int rtc_opus_encoder_set_bitrate(struct OpusEncoder *enc, int32_t bits_per_second);
// OPUS_SET_COMPLEXITY (0...10).
int rtc_opus_encoder_set_complexity(struct OpusEncoder *enc, int32_t complexity);
// OPUS_SET_INBAND_FEC (0 or 1).
int rtc_opus_encoder_set_inband_fec(struct OpusEncoder *enc, int32_t on);
// OPUS_SET_PACKET_LOSS_PERC (0...100).
int rtc_opus_encoder_set_packet_loss_perc(struct OpusEncoder *enc, int32_t percent);
// OPUS_SET_DTX (0 or 1).
int rtc_opus_encoder_set_dtx(struct OpusEncoder *enc, int32_t on);
// OPUS_GET_LOOKAHEAD: the encoder's delay in samples at 48 kHz (written to *out).
int rtc_opus_encoder_get_lookahead(struct OpusEncoder *enc, int32_t *out);

// ---- libvpx: the ABI version macros are arithmetic Swift does not import ----
// VPX_ENCODER_ABI_VERSION / VPX_DECODER_ABI_VERSION of the headers this was compiled with,
// for vpx_codec_enc_init_ver / vpx_codec_dec_init_ver.
int rtc_vpx_encoder_abi_version(void);
int rtc_vpx_decoder_abi_version(void);

#endif
