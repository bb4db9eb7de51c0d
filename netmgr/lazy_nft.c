/* SPDX-License-Identifier: MIT */
/* netmgr/lazy_nft: the libnftables functions berth calls, forwarded to libnftables.so.1 opened
 * on the first call (common/lazylib.h says why). */
#include <stdint.h>

#include <nftables/libnftables.h>

#include "common/lazylib.h"

static struct lazylib nft = LAZYLIB_INIT("libnftables.so.1", "libnftables1");

LAZYLIB_FWD(nft, struct nft_ctx *, nft_ctx_new, (uint32_t flags), (flags))
LAZYLIB_FWD_VOID(nft, nft_ctx_free, (struct nft_ctx * c), (c))
LAZYLIB_FWD(nft, int, nft_ctx_buffer_output, (struct nft_ctx * c), (c))
LAZYLIB_FWD(nft, int, nft_ctx_buffer_error, (struct nft_ctx * c), (c))
LAZYLIB_FWD(nft, const char *, nft_ctx_get_output_buffer, (struct nft_ctx * c), (c))
LAZYLIB_FWD(nft, const char *, nft_ctx_get_error_buffer, (struct nft_ctx * c), (c))
LAZYLIB_FWD(nft, int, nft_run_cmd_from_buffer, (struct nft_ctx * c, const char *buf), (c, buf))
