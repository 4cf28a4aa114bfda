/*
 * block/qcow2-compress.c — the codecs of compressed clusters.
 *
 * qcow2.txt "Compressed Clusters Descriptor" and header field 104
 * (compression_type): type 0 is zlib, stored as a raw deflate stream
 * (no zlib header) with a 4 KiB window, as QEMU writes it; type 1 is
 * zstd, one frame per cluster. Decompression must produce exactly one
 * cluster and ignore whatever follows the stream, since the descriptor
 * only counts 512-byte sectors and the next compressed cluster may share
 * the last one.
 */
#include "block/qcow2-internal.h"

#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

/* QEMU's deflate parameters: raw stream, 2^12-byte window. */
#define QCOW2_ZLIB_WINDOW_BITS (-12)
#define QCOW2_ZLIB_MEM_LEVEL 9

static ssize_t qcow2_zlib_compress(void *dst, size_t dst_size,
                                   const void *src, size_t src_size)
{
    z_stream strm = { 0 };
    ssize_t ret;

    if (deflateInit2(&strm, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
                     QCOW2_ZLIB_WINDOW_BITS, QCOW2_ZLIB_MEM_LEVEL,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        return -ENOMEM;
    }
    strm.next_in = (Bytef *)src;
    strm.avail_in = src_size;
    strm.next_out = dst;
    strm.avail_out = dst_size;
    ret = deflate(&strm, Z_FINISH);
    if (ret == Z_STREAM_END) {
        ret = dst_size - strm.avail_out;
    } else {
        ret = ret == Z_OK || ret == Z_BUF_ERROR ? -ENOSPC : -EIO;
    }
    deflateEnd(&strm);
    return ret;
}

static int qcow2_zlib_decompress(void *dst, size_t dst_size,
                                 const void *src, size_t src_size)
{
    z_stream strm = { 0 };
    int ret;

    if (inflateInit2(&strm, QCOW2_ZLIB_WINDOW_BITS) != Z_OK) {
        return -ENOMEM;
    }
    strm.next_in = (Bytef *)src;
    strm.avail_in = src_size;
    strm.next_out = dst;
    strm.avail_out = dst_size;
    ret = inflate(&strm, Z_FINISH);
    /* A full cluster is success even if the stream goes on. */
    if ((ret == Z_STREAM_END || ret == Z_BUF_ERROR || ret == Z_OK) &&
        strm.avail_out == 0) {
        ret = 0;
    } else {
        ret = -EIO;
    }
    inflateEnd(&strm);
    return ret;
}

static ssize_t qcow2_zstd_compress(void *dst, size_t dst_size,
                                   const void *src, size_t src_size)
{
    size_t n = ZSTD_compress(dst, dst_size, src, src_size, 0);

    if (ZSTD_isError(n)) {
        return ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall
               ? -ENOSPC : -EIO;
    }
    return n;
}

/*
 * Stream the input until the output is full: the frame may be followed
 * by padding or another cluster's data, which must not be an error.
 */
static int qcow2_zstd_decompress(void *dst, size_t dst_size,
                                 const void *src, size_t src_size)
{
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    ZSTD_inBuffer in = { src, src_size, 0 };
    ZSTD_outBuffer out = { dst, dst_size, 0 };
    int ret = -EIO;

    if (!dctx) {
        return -ENOMEM;
    }
    while (out.pos < out.size) {
        size_t last_in = in.pos, last_out = out.pos;
        size_t r = ZSTD_decompressStream(dctx, &out, &in);

        if (ZSTD_isError(r)) {
            break;
        }
        if (r == 0 && out.pos < out.size) {
            break;      /* the frame ended short of a cluster */
        }
        if (in.pos == last_in && out.pos == last_out) {
            break;      /* no progress: truncated input */
        }
    }
    if (out.pos == out.size) {
        ret = 0;
    }
    ZSTD_freeDCtx(dctx);
    return ret;
}

ssize_t qcow2_compress(uint8_t type, void *dst, size_t dst_size,
                       const void *src, size_t src_size)
{
    switch (type) {
    case QCOW2_COMPRESSION_ZLIB:
        return qcow2_zlib_compress(dst, dst_size, src, src_size);
    case QCOW2_COMPRESSION_ZSTD:
        return qcow2_zstd_compress(dst, dst_size, src, src_size);
    default:
        return -ENOTSUP;
    }
}

int qcow2_decompress(uint8_t type, void *dst, size_t dst_size,
                     const void *src, size_t src_size)
{
    switch (type) {
    case QCOW2_COMPRESSION_ZLIB:
        return qcow2_zlib_decompress(dst, dst_size, src, src_size);
    case QCOW2_COMPRESSION_ZSTD:
        return qcow2_zstd_decompress(dst, dst_size, src, src_size);
    default:
        return -ENOTSUP;
    }
}
