/*
 * tools/img/convert.c — "vireo-img convert": copy one or more images
 * (concatenated) into a new image of any format, optionally compressed,
 * sparse, or on top of a backing file.
 *
 * How the copy runs. A planner walks the source address space in jobs
 * of at most IMG_CONVERT_CHUNK bytes, asking the block layer for the
 * status of each range so that one job has one status: unallocated or
 * zero ranges are skipped on a zero-initialised target (a fresh image
 * without a backing file) or written as zeroes otherwise, data ranges
 * are read. Several worker threads (-m, default 8, as qemu-img's
 * coroutines) each take the next job from the planner, read it, split
 * it into zero and non-zero runs of -S bytes (sparse detection; -S 0
 * writes everything), and write it. Without -W, writes happen in job
 * order, so the target's clusters are laid out sequentially as qemu-img
 * lays them out; reading and zero detection still overlap. Compressed
 * jobs (-c) are whole target clusters, each written with
 * blk_pwrite_compressed(); since the driver compresses inside that call,
 * compressed writes are not ordered, so the compression of different
 * clusters runs in parallel.
 *
 * With -B the target has a backing file that is assumed to show what
 * the source's own backing chain shows: only ranges the source's top
 * image allocates are copied (qemu-img's rule).
 *
 * All shared state sits in ImgConvert, under its mutex; the planner
 * runs with it held (it is cheap: status queries), reads and writes
 * without it.
 */
#include "tools/img/img-internal.h"
#include "util/opts.h"

#include <pthread.h>
#include <stdarg.h>

#define IMG_CONVERT_CHUNK (2 * MiB)
#define IMG_CONVERT_MAX_WORKERS 16
#define IMG_CONVERT_MAX_SPARSE (16 * MiB)

/* What a job does with its range. */
typedef enum ImgJobKind {
    IMG_JOB_SKIP,       /* leave the target alone (zero or backing) */
    IMG_JOB_ZERO,       /* write zeroes */
    IMG_JOB_DATA,       /* read from the sources, write */
} ImgJobKind;

typedef struct ImgConvertJob {
    uint64_t offset;    /* in the concatenated source = target offset */
    uint64_t bytes;
    ImgJobKind kind;
    uint64_t seq;       /* order of planning, for in-order writes */
} ImgConvertJob;

typedef struct ImgConvert {
    /* Configuration (read-only once the workers run). */
    BlockBackend **src;
    uint64_t *src_size;
    int src_num;
    BlockBackend *target;
    uint64_t total;             /* sum of the source sizes */
    uint64_t target_size;       /* >= total (rounded to sectors) */
    uint64_t min_sparse;        /* -S in bytes; 0: no sparse detection */
    uint64_t cluster_size;      /* target's, for -c */
    bool compress;
    bool zero_init;             /* target reads as zeroes everywhere */
    bool top_only;              /* -B: copy only the source's top layer */
    bool ordered;               /* writes in job order (no -W) */

    pthread_mutex_t lock;
    pthread_cond_t turn;        /* next_write advanced */
    uint64_t next_offset;       /* planner position */
    uint64_t next_seq;
    uint64_t next_write;        /* seq allowed to write (ordered mode) */
    uint64_t done_bytes;
    ImgProgress *progress;
    char *error;                /* first failure, or NULL */
} ImgConvert;

static void img_convert_fail(ImgConvert *s, const char *fmt, ...)
    PRINTF_FMT(2, 3);

/* Record the first error (called with s->lock held). */
static void img_convert_fail(ImgConvert *s, const char *fmt, ...)
{
    va_list ap;

    if (s->error) {
        return;
    }
    va_start(ap, fmt);
    if (vasprintf(&s->error, fmt, ap) < 0) {
        s->error = NULL;
    }
    va_end(ap);
    if (!s->error) {
        s->error = xstrdup("out of memory");
    }
}

/* The source holding byte @offset and @offset's position in it. */
static int img_convert_source(const ImgConvert *s, uint64_t offset,
                              uint64_t *local)
{
    for (int i = 0; i < s->src_num; i++) {
        if (offset < s->src_size[i]) {
            *local = offset;
            return i;
        }
        offset -= s->src_size[i];
    }
    *local = 0;
    return -1;
}

/*
 * Plan the next job (s->lock held). False when the copy is over or has
 * failed.
 */
static bool img_convert_plan(ImgConvert *s, ImgConvertJob *job)
{
    uint64_t offset = s->next_offset, local, pnum, end;
    int i, st;

    if (s->error || offset >= s->target_size) {
        return false;
    }
    end = MIN(ALIGN_DOWN(offset, IMG_CONVERT_CHUNK) + IMG_CONVERT_CHUNK,
              s->target_size);
    job->offset = offset;
    job->seq = s->next_seq++;
    i = img_convert_source(s, offset, &local);
    if (i < 0) {
        /* The sector-rounding tail past the last source: zeroes. */
        job->bytes = end - offset;
        job->kind = s->zero_init ? IMG_JOB_SKIP : IMG_JOB_ZERO;
        goto done;
    }
    end = MIN(end, offset + (s->src_size[i] - local));
    if (s->top_only) {
        st = bdrv_block_status(blk_bs(s->src[i]), local, end - offset,
                               &pnum, NULL, NULL);
    } else {
        st = bdrv_block_status_above(blk_bs(s->src[i]), NULL, local,
                                     end - offset, &pnum, NULL, NULL, NULL);
    }
    if (st < 0) {
        img_convert_fail(s, "error while reading block status at offset "
                         "%" PRIu64 ": %s", offset, strerror(-st));
        return false;
    }
    pnum = MAX(MIN(pnum, end - offset), 1);
    if (s->top_only && !(st & BDRV_BLOCK_ALLOCATED)) {
        job->kind = IMG_JOB_SKIP;
    } else if ((st & BDRV_BLOCK_ZERO) && !(st & BDRV_BLOCK_DATA) &&
               s->min_sparse) {
        job->kind = s->zero_init ? IMG_JOB_SKIP : IMG_JOB_ZERO;
    } else if (!(st & (BDRV_BLOCK_DATA | BDRV_BLOCK_ZERO)) && s->min_sparse &&
               !s->top_only) {
        /* Unallocated through the whole chain: reads as zeroes. */
        job->kind = s->zero_init ? IMG_JOB_SKIP : IMG_JOB_ZERO;
    } else {
        job->kind = IMG_JOB_DATA;
    }
    job->bytes = pnum;
    if (s->compress && job->kind != IMG_JOB_SKIP) {
        /*
         * Compressed writes take whole clusters: round the job to cluster
         * boundaries, reading (and so compressing) a cluster whose parts
         * have different status as data.
         */
        uint64_t cs = s->cluster_size;
        uint64_t jend = ALIGN_DOWN(offset + pnum, cs);

        if (offset % cs || jend <= offset) {
            jend = MIN(ALIGN_DOWN(offset, cs) + cs, s->target_size);
            job->kind = IMG_JOB_DATA;
        }
        job->bytes = jend - offset;
    } else if (s->compress) {
        /* A skipped range still ends on a cluster boundary if it can. */
        uint64_t jend = ALIGN_DOWN(offset + pnum, s->cluster_size);

        if (jend > offset) {
            job->bytes = jend - offset;
        } else {
            jend = MIN(ALIGN_DOWN(offset, s->cluster_size) + s->cluster_size,
                       s->target_size);
            job->bytes = jend - offset;
            job->kind = IMG_JOB_DATA;
        }
    }
done:
    s->next_offset = offset + job->bytes;
    return true;
}

/* Read [offset, offset+bytes) of the concatenated sources (zeroes past). */
static int img_convert_read(ImgConvert *s, uint64_t offset, uint8_t *buf,
                            uint64_t bytes)
{
    while (bytes) {
        uint64_t local, n;
        int i = img_convert_source(s, offset, &local), ret;

        if (i < 0) {
            memset(buf, 0, bytes);
            return 0;
        }
        n = MIN(bytes, s->src_size[i] - local);
        ret = blk_pread(s->src[i], local, buf, n);
        if (ret < 0) {
            return ret;
        }
        offset += n;
        buf += n;
        bytes -= n;
    }
    return 0;
}

/* Write a run of zeroes, or nothing if the target already reads zero. */
static int img_convert_zero(ImgConvert *s, uint64_t offset, uint64_t bytes)
{
    if (s->zero_init) {
        return 0;
    }
    return blk_pwrite_zeroes(s->target, offset, bytes, BDRV_REQ_MAY_UNMAP);
}

/* Write @buf split into zero and data runs of s->min_sparse bytes. */
static int img_convert_write_sparse(ImgConvert *s, uint64_t offset,
                                    const uint8_t *buf, uint64_t bytes)
{
    uint64_t g = s->min_sparse, pos = 0;

    if (!g) {
        return blk_pwrite(s->target, offset, buf, bytes);
    }
    while (pos < bytes) {
        /* Runs are measured on the -S grid of target offsets. */
        uint64_t step = MIN(ALIGN_DOWN(offset + pos, g) + g - offset, bytes)
                        - pos;
        bool zero = img_buffer_is_zero(buf + pos, step);
        uint64_t run = step;
        int ret;

        while (pos + run < bytes) {
            uint64_t next = MIN(g, bytes - pos - run);

            if (img_buffer_is_zero(buf + pos + run, next) != zero) {
                break;
            }
            run += next;
        }
        ret = zero ? img_convert_zero(s, offset + pos, run)
                   : blk_pwrite(s->target, offset + pos, buf + pos, run);
        if (ret < 0) {
            return ret;
        }
        pos += run;
    }
    return 0;
}

static int img_convert_write_compressed(ImgConvert *s, uint64_t offset,
                                        const uint8_t *buf, uint64_t bytes)
{
    for (uint64_t pos = 0; pos < bytes; pos += s->cluster_size) {
        uint64_t n = MIN(s->cluster_size, bytes - pos);
        int ret;

        if (s->min_sparse && img_buffer_is_zero(buf + pos, n)) {
            ret = img_convert_zero(s, offset + pos, n);
        } else {
            ret = blk_pwrite_compressed(s->target, offset + pos, buf + pos,
                                        n);
        }
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

/* Do one job's I/O (no lock held). 0 or -errno; *@reading says where. */
static int img_convert_run_job(ImgConvert *s, const ImgConvertJob *job,
                               uint8_t *buf, bool *reading)
{
    int ret;

    *reading = false;
    switch (job->kind) {
    case IMG_JOB_SKIP:
        return 0;
    case IMG_JOB_ZERO:
        if (s->compress || !s->min_sparse) {
            break;      /* written as data below (-S 0: fully allocate) */
        }
        return img_convert_zero(s, job->offset, job->bytes);
    case IMG_JOB_DATA:
        break;
    }
    *reading = true;
    if (job->kind == IMG_JOB_ZERO) {
        memset(buf, 0, job->bytes);
    } else {
        ret = img_convert_read(s, job->offset, buf, job->bytes);
        if (ret < 0) {
            return ret;
        }
    }
    *reading = false;
    if (s->compress) {
        return img_convert_write_compressed(s, job->offset, buf, job->bytes);
    }
    return img_convert_write_sparse(s, job->offset, buf, job->bytes);
}

static void *img_convert_worker(void *opaque)
{
    ImgConvert *s = opaque;
    uint8_t *buf = img_alloc_buffer(IMG_CONVERT_CHUNK + s->cluster_size);

    pthread_mutex_lock(&s->lock);
    for (;;) {
        ImgConvertJob job;
        bool reading;
        int ret;

        if (!img_convert_plan(s, &job)) {
            break;
        }
        pthread_mutex_unlock(&s->lock);
        if (s->ordered && job.kind != IMG_JOB_SKIP) {
            /* Read ahead of our turn, but write in order. */
            if (job.kind == IMG_JOB_DATA) {
                ret = img_convert_read(s, job.offset, buf, job.bytes);
                reading = true;
                pthread_mutex_lock(&s->lock);
                while (s->next_write != job.seq && !s->error) {
                    pthread_cond_wait(&s->turn, &s->lock);
                }
                pthread_mutex_unlock(&s->lock);
                if (ret == 0) {
                    reading = false;
                    ret = img_convert_write_sparse(s, job.offset, buf,
                                                   job.bytes);
                }
            } else {
                pthread_mutex_lock(&s->lock);
                while (s->next_write != job.seq && !s->error) {
                    pthread_cond_wait(&s->turn, &s->lock);
                }
                pthread_mutex_unlock(&s->lock);
                ret = img_convert_run_job(s, &job, buf, &reading);
            }
        } else {
            ret = img_convert_run_job(s, &job, buf, &reading);
        }
        pthread_mutex_lock(&s->lock);
        if (ret < 0) {
            img_convert_fail(s, "error while %s at byte %" PRIu64 ": %s",
                             reading ? "reading" : "writing", job.offset,
                             strerror(-ret));
        }
        if (s->ordered) {
            /* Jobs finish their writes in seq order: advance the turn. */
            while (s->next_write < job.seq) {
                pthread_cond_wait(&s->turn, &s->lock);
            }
            s->next_write = job.seq + 1;
            pthread_cond_broadcast(&s->turn);
        }
        s->done_bytes += job.bytes;
        img_progress_update(s->progress, s->done_bytes, s->target_size);
    }
    /* Wake writers waiting for a turn that an error cancelled. */
    pthread_cond_broadcast(&s->turn);
    pthread_mutex_unlock(&s->lock);
    free(buf);
    return NULL;
}

/* Run the copy with @nworkers threads; prints the error; 0 or 1. */
static int img_convert_copy(ImgConvert *s, int nworkers)
{
    pthread_t threads[IMG_CONVERT_MAX_WORKERS];
    int started = 0, ret;

    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->turn, NULL);
    for (int i = 0; i < nworkers; i++) {
        if (pthread_create(&threads[i], NULL, img_convert_worker, s)) {
            break;
        }
        started++;
    }
    if (!started) {
        img_convert_worker(s);
    }
    for (int i = 0; i < started; i++) {
        pthread_join(threads[i], NULL);
    }
    pthread_cond_destroy(&s->turn);
    pthread_mutex_destroy(&s->lock);
    if (s->error) {
        error_report("%s", s->error);
        return 1;
    }
    ret = blk_flush(s->target);
    if (ret < 0) {
        error_report("error while writing to output image file: %s",
                     strerror(-ret));
        return 1;
    }
    return 0;
}

/* Parsed command line. */
typedef struct ImgConvertArgs {
    const char *fmt, *out_fmt, *out_base, *out_base_fmt;
    char *options;
    bool compress, progress, quiet, skip_create, out_of_order;
    bool target_is_zero, copy_offload;
    int src_flags, dst_flags, workers;
    uint64_t min_sparse;
} ImgConvertArgs;

static int img_convert_parse(int argc, char **argv, ImgConvertArgs *a)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "force-share", no_argument, NULL, 'U' },
        { "target-is-zero", no_argument, NULL, IMG_OPT_TARGET_IS_ZERO },
        { NULL, 0, NULL, 0 },
    };
    uint64_t n;
    int c;

    while ((c = img_getopt(argc, argv, ":hf:O:B:CcF:o:S:pt:T:qnm:WUr:",
                           longopts)) != -1) {
        switch (c) {
        case 'h':
            img_help(stdout);
            return 0;
        case 'f':
            a->fmt = optarg;
            break;
        case 'O':
            a->out_fmt = optarg;
            break;
        case 'B':
            a->out_base = optarg;
            break;
        case 'F':
            a->out_base_fmt = optarg;
            break;
        case 'C':
            a->copy_offload = true;
            break;
        case 'c':
            a->compress = true;
            break;
        case 'o': {
            char *joined = a->options ? xasprintf("%s,%s", a->options, optarg)
                                      : xstrdup(optarg);

            free(a->options);
            a->options = joined;
            break;
        }
        case 'S':
            if (!img_parse_size(optarg, NULL, &n)) {
                error_report("Invalid buffer size for sparse output "
                             "specified. You may use k, M, G, T, P or E "
                             "suffixes for kilobytes, megabytes, gigabytes, "
                             "terabytes, petabytes and exabytes.");
                return 1;
            }
            if (n % BDRV_SECTOR_SIZE || n > IMG_CONVERT_MAX_SPARSE) {
                error_report("Invalid buffer size for sparse output "
                             "specified. Valid sizes are multiples of %u up "
                             "to %" PRIu64 ". Select 0 to disable sparse "
                             "detection (fully allocates output).",
                             BDRV_SECTOR_SIZE, IMG_CONVERT_MAX_SPARSE);
                return 1;
            }
            a->min_sparse = n;
            break;
        case 'p':
            a->progress = true;
            break;
        case 't':
            if (!img_parse_cache(optarg, &a->dst_flags, NULL)) {
                error_report("Invalid cache option: %s", optarg);
                return 1;
            }
            break;
        case 'T':
            if (!img_parse_cache(optarg, &a->src_flags, NULL)) {
                error_report("Invalid source cache option: %s", optarg);
                return 1;
            }
            break;
        case 'q':
            a->quiet = true;
            break;
        case 'n':
            a->skip_create = true;
            break;
        case 'm':
            if (!parse_uint64(optarg, &n) || n < 1 ||
                n > IMG_CONVERT_MAX_WORKERS) {
                error_report("Invalid number of coroutines. Allowed number "
                             "of coroutines is between 1 and %d",
                             IMG_CONVERT_MAX_WORKERS);
                return 1;
            }
            a->workers = (int)n;
            break;
        case 'W':
            a->out_of_order = true;
            break;
        case 'U':
            a->src_flags |= BDRV_O_FORCE_SHARE;
            break;
        case 'r':
            break;      /* rate limit: accepted, not applied */
        case IMG_OPT_TARGET_IS_ZERO:
            a->target_is_zero = true;
            break;
        default:
            return 1;
        }
    }
    return -1;
}

/* Create the target image (unless -n); 0 or 1 after printing. */
static int img_convert_create(const ImgConvertArgs *a, const char *out_name,
                              uint64_t size, BlockCreateOptions *opts)
{
    Error *err = NULL;

    opts->size = size;
    opts->has_size = true;
    if (a->out_base &&
        (!bdrv_create_options_set(opts, a->out_fmt, "backing_file",
                                  a->out_base, &err) ||
         !bdrv_create_options_set(opts, a->out_fmt, "backing_fmt",
                                  a->out_base_fmt, &err))) {
        error_free(err);
        error_report("Backing file not supported for file format '%s'",
                     a->out_fmt);
        return 1;
    }
    if (!bdrv_create_prepare(a->out_fmt, out_name, opts, false, &err) ||
        !bdrv_create(a->out_fmt, out_name, opts, &err)) {
        error_report("%s: error while converting %s: %s", out_name,
                     a->out_fmt, error_get_pretty(err));
        error_free(err);
        return 1;
    }
    return 0;
}

int img_convert(int argc, char **argv)
{
    ImgConvertArgs a = {
        .out_fmt = "raw", .min_sparse = 4096, .workers = 8,
        .dst_flags = BDRV_O_NO_FLUSH,   /* -t unsafe is convert's default */
    };
    ImgConvert s = { 0 };
    BlockCreateOptions opts;
    const BlockDriver *out_drv;
    const char *out_name;
    ImgProgress progress;
    BlockDriverInfo bdi;
    int64_t tlen;
    int ret = 1, n;

    bdrv_create_options_init(&opts);
    n = img_convert_parse(argc, argv, &a);
    if (n >= 0) {
        ret = n;
        goto out;
    }
    if (a.quiet) {
        a.progress = false;
    }
    s.src_num = argc - optind - 1;
    out_name = s.src_num >= 1 ? argv[argc - 1] : NULL;
    out_drv = bdrv_find_format(a.out_fmt);
    if (a.options && (strstr(a.options, "help") ||
                      strchr(a.options, '?'))) {
        if (!out_drv || !bdrv_create_options_help(a.out_fmt, stdout)) {
            error_report("Unknown file format '%s'", a.out_fmt);
            goto out;
        }
        ret = 0;
        goto out;
    }
    if (!out_name) {
        error_report("Must specify image file name");
        goto out;
    }
    if (a.copy_offload && a.compress) {
        error_report("Cannot enable copy offloading when -c is used");
        goto out;
    }
    if (a.target_is_zero && !a.skip_create) {
        error_report("--target-is-zero requires use of -n flag");
        goto out;
    }
    if (s.src_num > 1 && a.out_base) {
        error_report("Having a backing file for the target makes no sense "
                     "when concatenating multiple input images");
        goto out;
    }
    if (a.out_base && !a.out_base_fmt) {
        error_report("Use of backing file requires explicit backing format");
        goto out;
    }

    /* Sources. */
    s.src = XNEW_ARRAY(BlockBackend *, s.src_num);
    s.src_size = XNEW_ARRAY(uint64_t, s.src_num);
    for (int i = 0; i < s.src_num; i++) {
        int64_t len;

        s.src[i] = img_open(argv[optind + i], a.fmt, a.src_flags);
        if (!s.src[i]) {
            goto out;
        }
        len = blk_getlength(s.src[i]);
        if (len < 0) {
            error_report("Could not get size of %s: %s", argv[optind + i],
                         strerror((int)-len));
            goto out;
        }
        s.src_size[i] = len;
        s.total += len;
    }

    /* Target (qemu-img looks at the format once the sources are open). */
    if (!out_drv) {
        error_report("Unknown file format '%s'", a.out_fmt);
        goto out;
    }
    if (a.compress && !out_drv->pwrite_compressed) {
        error_report("Compression not supported for this file format");
        goto out;
    }
    if (a.options) {
        Error *err = NULL;

        if (!bdrv_create_options_parse(&opts, a.out_fmt, a.options, &err)) {
            error_report_err(err);
            goto out;
        }
    }
    if (a.compress && opts.preallocation &&
        strcmp(opts.preallocation, "off")) {
        error_report("Compression and preallocation not supported at the "
                     "same time");
        goto out;
    }
    if (!a.skip_create &&
        img_convert_create(&a, out_name, s.total, &opts)) {
        goto out;
    }
    s.target = img_open(out_name, a.out_fmt, BDRV_O_RDWR | a.dst_flags);
    if (!s.target) {
        goto out;
    }
    tlen = blk_getlength(s.target);
    if (tlen < 0 || (uint64_t)tlen < s.total) {
        error_report(tlen < 0 ? "Could not get size of the output image"
                              : "output file is smaller than input file");
        goto out;
    }
    if (a.target_is_zero && blk_bs(s.target)->backing) {
        error_report("Cannot use --target-is-zero when the destination image "
                     "has a backing file");
        goto out;
    }
    s.target_size = a.skip_create ? s.total : (uint64_t)tlen;
    s.min_sparse = a.min_sparse;
    s.compress = a.compress;
    s.top_only = a.out_base != NULL;
    s.zero_init = a.skip_create ? a.target_is_zero
                                : !blk_bs(s.target)->backing;
    s.ordered = !a.out_of_order && !a.compress;
    s.cluster_size = 0;
    if (a.compress) {
        if (bdrv_get_info(blk_bs(s.target), &bdi) < 0 || !bdi.cluster_size) {
            error_report("could not get block driver info");
            goto out;
        }
        s.cluster_size = bdi.cluster_size;
    }

    img_progress_init(&progress, a.progress, 1.0f);
    s.progress = &progress;
    ret = img_convert_copy(&s, a.workers);
    if (ret == 0) {
        img_progress_update(&progress, 1, 1);
    }
    img_progress_finish(&progress);

out:
    if (s.target) {
        blk_unref(s.target);
    }
    for (int i = 0; s.src && i < s.src_num; i++) {
        if (s.src[i]) {
            blk_unref(s.src[i]);
        }
    }
    free(s.src);
    free(s.src_size);
    free(s.error);
    bdrv_create_options_free(&opts);
    free(a.options);
    return ret;
}
