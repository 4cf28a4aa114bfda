/*
 * block/blklog.h — "blklog", a protocol-level filter that records every
 * write and flush reaching an image file, so that the crash-safety test
 * (tests/functional/test_img_crash.py) can replay any prefix of them as a
 * power loss would have left the disk.
 *
 * A blklog node sits where the "file" protocol node would, below a
 * format (qcow2): it passes every request to its own "file" child and,
 * once a modifying request has completed there, appends a record to the
 * log. It is not in block_drivers[] (nothing probes or opens it by
 * name): a test opens it with blklog_open() and puts a format on top
 * with bdrv_open_on().
 *
 * Log format: the 8-byte magic "BLKLOG01", then records, each a
 * BlkLogRecord header (little-endian) followed by @length bytes of
 * payload for WRITE (the data written) and MARK (a text tag):
 *
 *   WRITE     @offset, @length, data: the bytes written (completed)
 *   ZERO      @offset, @length: write_zeroes completed
 *   DISCARD   @offset, @length: discard completed (contents undefined)
 *   TRUNCATE  @offset = the new file size
 *   FLUSH     completed; every record with index < @covers (the number
 *             of records logged when the flush was issued) is durable
 *   MARK      a tag the writer adds between its own operations
 *             (blklog_mark()); no effect on the disk
 *
 * Records are appended in completion order under the node's lock, so the
 * log is a valid history even with concurrent requests.
 */
#ifndef BLOCK_BLKLOG_H
#define BLOCK_BLKLOG_H

#include "block/block.h"

#define BLKLOG_MAGIC "BLKLOG01"

typedef enum BlkLogRecordType {
    BLKLOG_WRITE = 1,
    BLKLOG_ZERO = 2,
    BLKLOG_DISCARD = 3,
    BLKLOG_TRUNCATE = 4,
    BLKLOG_FLUSH = 5,
    BLKLOG_MARK = 6,
} BlkLogRecordType;

/* One record header as stored (little-endian, 32 bytes). */
typedef struct BlkLogRecord {
    uint32_t type;              /* BlkLogRecordType */
    uint32_t reserved;
    uint64_t offset;
    uint64_t length;            /* payload bytes for WRITE and MARK */
    uint64_t covers;            /* FLUSH: records made durable */
} BlkLogRecord;

extern const BlockDriver bdrv_blklog;

/*
 * Open @image on the "file" protocol (with the locks @flags ask for)
 * under a blklog node that appends to @logfile (created or truncated).
 */
BlockDriverState *blklog_open(const char *logfile, const char *image,
                              int flags, Error **errp);
/*
 * Append a MARK record with @tag to the log of the blklog node at or
 * below @bs (following ->file). Returns 0, -ENOENT if there is none, or
 * -errno if the log could not be written.
 */
int blklog_mark(BlockDriverState *bs, const char *tag);

#endif /* BLOCK_BLKLOG_H */
