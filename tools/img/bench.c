/*
 * tools/img/bench.c — "vireo-img bench": a built-in I/O benchmark that
 * drives the block layer as qemu-img bench does, so the two can be run
 * side by side on the same image.
 *
 * @count requests of @bufsize bytes go out with up to @depth in flight
 * through the BlockBackend's asynchronous interface (its worker pool or
 * io_uring), starting at @offset and advancing by @step, wrapping at the
 * image's end (offset modulo the virtual size, exactly as qemu-img). A
 * request that would cross the end fails as qemu-img's does ("Failed
 * request: Input/output error"). Writes fill their buffer with
 * --pattern; with --flush-interval=N a flush follows every N requests,
 * after draining the requests in flight unless --no-drain.
 *
 * Output matches qemu-img bench: the "Sending ..." line, an optional
 * "Sending flush every N requests", and "Run completed in S seconds."
 */
#include "tools/img/img-internal.h"
#include "util/opts.h"

#include <time.h>

typedef struct ImgBench {
    BlockBackend *blk;
    uint64_t image_size;
    uint64_t bufsize;
    uint64_t step;
    uint64_t offset;            /* of the next request */
    int count;                  /* requests to send in all */
    int depth;
    bool write;
    int flush_interval;         /* 0: none */
    bool drain_on_flush;

    uint8_t *buf;               /* depth * bufsize, one slot per request */
    int *free_slots;            /* stack of free slot indexes */
    int nfree;
    int sent;                   /* requests submitted */
    int done;                   /* requests completed */
    int in_flight;
    bool flushing;              /* a flush is outstanding */
    int since_flush;            /* requests sent since the last flush */
    int error;                  /* first error, -errno */
} ImgBench;

typedef struct ImgBenchReq {
    ImgBench *b;
    int slot;
    struct iovec iov;
} ImgBenchReq;

static void img_bench_submit(ImgBench *b);

static void img_bench_flush_cb(void *opaque, int ret)
{
    ImgBench *b = opaque;

    if (ret < 0 && !b->error) {
        error_report("Failed flush request: %s", strerror(-ret));
        b->error = ret;
    }
    b->flushing = false;
    img_bench_submit(b);
}

static void img_bench_cb(void *opaque, int ret)
{
    ImgBenchReq *req = opaque;
    ImgBench *b = req->b;

    if (ret < 0 && !b->error) {
        error_report("Failed request: %s", strerror(-ret));
        b->error = ret;
    }
    b->free_slots[b->nfree++] = req->slot;
    b->in_flight--;
    b->done++;
    free(req);
    img_bench_submit(b);
}

/* Send what may go out now: requests up to the depth, or a flush. */
static void img_bench_submit(ImgBench *b)
{
    while (!b->error && !b->flushing) {
        ImgBenchReq *req;

        if (b->flush_interval && b->since_flush >= b->flush_interval) {
            if (b->drain_on_flush && b->in_flight) {
                return;         /* flush once the queue is empty */
            }
            b->since_flush = 0;
            b->flushing = true;
            blk_aio_flush(b->blk, img_bench_flush_cb, b);
            return;
        }
        if (b->sent >= b->count || b->in_flight >= b->depth) {
            return;
        }
        req = XNEW(ImgBenchReq);
        req->b = b;
        req->slot = b->free_slots[--b->nfree];
        req->iov.iov_base = b->buf + (size_t)req->slot * b->bufsize;
        req->iov.iov_len = b->bufsize;
        if (b->write) {
            blk_aio_pwritev(b->blk, b->offset, &req->iov, 1, 0,
                            img_bench_cb, req);
        } else {
            blk_aio_preadv(b->blk, b->offset, &req->iov, 1, 0,
                           img_bench_cb, req);
        }
        b->sent++;
        b->since_flush++;
        b->in_flight++;
        b->offset += b->step;
        b->offset = b->image_size ? b->offset % b->image_size : 0;
    }
}

/* Parse a positive int option with qemu-img's message. */
static bool img_bench_int(const char *arg, int min, const char *msg, int *out)
{
    uint64_t v;

    if (!parse_uint64(arg, &v) || v < (uint64_t)min || v > INT_MAX) {
        error_report("%s", msg);
        return false;
    }
    *out = (int)v;
    return true;
}

int img_bench(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "flush-interval", required_argument, NULL, IMG_OPT_FLUSH_INTERVAL },
        { "pattern", required_argument, NULL, IMG_OPT_PATTERN },
        { "no-drain", no_argument, NULL, IMG_OPT_NO_DRAIN },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    ImgBench b = {
        .count = 75000, .depth = 64, .bufsize = 4096, .drain_on_flush = true,
    };
    const char *fmt = NULL;
    uint64_t step = 0, v;
    int flags = 0, pattern = 0, c, ret = 1;
    struct timespec t0, t1;
    int64_t len;

    while ((c = img_getopt(argc, argv, ":hc:d:f:ni:o:qs:S:t:wU", longopts))
           != -1) {
        switch (c) {
        case 'h':
            img_help(stdout);
            return 0;
        case 'c':
            if (!img_bench_int(optarg, 1, "Invalid request count specified",
                               &b.count)) {
                return 1;
            }
            break;
        case 'd':
            if (!img_bench_int(optarg, 1, "Invalid queue depth specified",
                               &b.depth)) {
                return 1;
            }
            break;
        case 'f':
            fmt = optarg;
            break;
        case 'n':
            flags |= BDRV_O_NOCACHE;    /* native AIO implies O_DIRECT */
            break;
        case 'i':
            if (!strcmp(optarg, "io_uring")) {
                flags |= BDRV_O_IO_URING;
            } else if (strcmp(optarg, "threads") && strcmp(optarg, "native")) {
                error_report("Invalid aio option: %s", optarg);
                return 1;
            }
            break;
        case 'o':
            if (!img_parse_size(optarg, "offset", &b.offset)) {
                return 1;
            }
            break;
        case 'q':
            break;      /* qemu-img bench prints its lines regardless */
        case 's':
            if (!img_parse_size(optarg, "buffer size", &v) || !v ||
                v > INT_MAX) {
                if (v == 0 || v > INT_MAX) {
                    error_report("Invalid buffer size specified. Must be "
                                 "between 1 and %d.", INT_MAX);
                }
                return 1;
            }
            b.bufsize = v;
            break;
        case 'S':
            if (!img_parse_size(optarg, "step_size", &step) ||
                step > INT_MAX) {
                if (step > INT_MAX) {
                    error_report("Invalid step_size specified. Must be "
                                 "between 0 and %d.", INT_MAX);
                }
                return 1;
            }
            break;
        case 't':
            if (!img_parse_cache(optarg, &flags, NULL)) {
                error_report("Invalid cache mode");
                return 1;
            }
            break;
        case 'w':
            flags |= BDRV_O_RDWR;
            b.write = true;
            break;
        case 'U':
            flags |= BDRV_O_FORCE_SHARE;
            break;
        case IMG_OPT_FLUSH_INTERVAL:
            if (!img_bench_int(optarg, 0, "Invalid flush interval specified",
                               &b.flush_interval)) {
                return 1;
            }
            break;
        case IMG_OPT_PATTERN:
            if (!parse_uint64(optarg, &v) || v > 0xff) {
                error_report("Invalid pattern byte specified");
                return 1;
            }
            pattern = (int)v;
            break;
        case IMG_OPT_NO_DRAIN:
            b.drain_on_flush = false;
            break;
        default:
            return 1;
        }
    }
    if (optind != argc - 1) {
        return img_usage_error("Expecting one image file name");
    }
    if (b.write && (flags & BDRV_O_FORCE_SHARE)) {
        error_report("force-share=on can only be used with read-only images");
        return 1;
    }
    if (!b.write && b.flush_interval) {
        error_report("--flush-interval is only available in write tests");
        return 1;
    }
    if (b.flush_interval && b.flush_interval < b.depth) {
        error_report("Flush interval can't be smaller than depth");
        return 1;
    }
    if (!b.write && !b.drain_on_flush) {
        error_report("--no-drain is only available in write tests");
        return 1;
    }
    b.step = step ? step : b.bufsize;

    b.blk = img_open(argv[optind], fmt, flags);
    if (!b.blk) {
        return 1;
    }
    len = blk_getlength(b.blk);
    if (len < 0) {
        error_report("Could not get size of '%s': %s", argv[optind],
                     strerror((int)-len));
        goto out;
    }
    b.image_size = len;

    printf("Sending %d %s requests, %" PRIu64 " bytes each, %d in parallel "
           "(starting at offset %" PRIu64 ", step size %" PRIu64 ")\n",
           b.count, b.write ? "write" : "read", b.bufsize, b.depth,
           b.offset, b.step);
    if (b.flush_interval) {
        printf("Sending flush every %d requests\n", b.flush_interval);
    }
    fflush(stdout);

    b.depth = MIN(b.depth, b.count);
    if ((uint64_t)b.depth * b.bufsize > SIZE_MAX / 2) {
        error_report("Invalid buffer size specified. Must be between 1 and "
                     "%d.", INT_MAX);
        goto out;
    }
    b.buf = img_alloc_buffer((size_t)b.depth * b.bufsize);
    memset(b.buf, pattern, (size_t)b.depth * b.bufsize);
    b.free_slots = XNEW_ARRAY(int, b.depth);
    for (int i = 0; i < b.depth; i++) {
        b.free_slots[b.nfree++] = i;
    }

    clock_gettime(CLOCK_MONOTONIC, &t0);
    img_bench_submit(&b);
    while (b.in_flight || b.flushing) {
        blk_aio_wait(b.blk, -1);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (b.error) {
        goto out;
    }
    printf("Run completed in %3.3f seconds.\n",
           (double)(t1.tv_sec - t0.tv_sec) +
           (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    ret = 0;
out:
    free(b.buf);
    free(b.free_slots);
    blk_unref(b.blk);
    return ret;
}
