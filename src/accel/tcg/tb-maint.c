/*
 * accel/tcg/tb-maint.c — the translation cache: the TB region, lookup,
 * creation, chaining, invalidation and flushing.
 *
 * Keys. A TB is identified by (virtual PC, host page of its first byte,
 * flags, cflags). Pages are identified by their host address rather than
 * a guest physical address, so a RAM page mapped at two guest addresses
 * (aliases) is one page, and DMA writes reported by RAMBlock offset map
 * straight to it.
 *
 * Self-modifying code. Every page holding TBs has a PageDesc listing
 * them and its bit set in the RAMBlock's code bitmap; existing TLB write
 * entries for the page are marked TLB_NOTDIRTY, so the next guest store
 * takes the slow path, which invalidates the page's TBs (cputlb.c). DMA
 * writes arrive through the RAMBlock's code_write hook.
 *
 * Memory. TBs and their executable form come from one region, bump-
 * allocated and never freed one by one: invalidated TBs stay readable, so
 * a vCPU still running one is safe. When the region fills, the whole
 * cache is flushed, which only happens on the vCPU thread between TBs.
 *
 * All of this runs under accel->tb_lock, except region allocation, which
 * only the vCPU thread does.
 */
#include "accel/tcg/tcg-internal.h"
#include "util/error.h"
#include "util/log.h"

#include <sys/mman.h>
#include <unistd.h>

#define TB_HASH_BITS 16
#define PAGE_HASH_BITS 14

/* --- region --- */

/*
 * A region for host code: one memfd mapped read-write and read-execute,
 * so no page is writable and executable at once (W^X). If memfd is not
 * available, one read-write-execute mapping instead (delta 0).
 */
static bool region_map_exec(TCGAccel *accel)
{
    int fd = memfd_create("vireo-tb", MFD_CLOEXEC);
    void *rw, *rx;

    if (fd >= 0 && ftruncate(fd, accel->region_size) == 0) {
        rw = mmap(NULL, accel->region_size, PROT_READ | PROT_WRITE,
                  MAP_SHARED, fd, 0);
        rx = rw == MAP_FAILED ? MAP_FAILED
           : mmap(NULL, accel->region_size, PROT_READ | PROT_EXEC,
                  MAP_SHARED, fd, 0);
        if (rx != MAP_FAILED) {
            close(fd);
            accel->region = rw;
            accel->region_rx_delta = (uint8_t *)rx - (uint8_t *)rw;
            return true;
        }
        if (rw != MAP_FAILED) {
            munmap(rw, accel->region_size);
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    rw = mmap(NULL, accel->region_size, PROT_READ | PROT_WRITE | PROT_EXEC,
              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (rw == MAP_FAILED) {
        return false;
    }
    accel->region = rw;
    accel->region_rx_delta = 0;
    return true;
}

bool tb_maint_init(TCGAccel *accel, Error **errp)
{
    accel->region_size = accel->tb_size;
    if (accel->backend->exec_region) {
        if (!region_map_exec(accel)) {
            accel->region = NULL;
        }
    } else {
        accel->region = mmap(NULL, accel->region_size,
                             PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                             -1, 0);
        if (accel->region == MAP_FAILED) {
            accel->region = NULL;
        }
    }
    if (!accel->region) {
        error_setg_errno(errp, errno, "cannot allocate %" PRIu64
                         " MiB for translated code", accel->tb_size / MiB);
        return false;
    }
    pthread_mutex_init(&accel->tb_lock, NULL);
    accel->tb_hash_mask = (1u << TB_HASH_BITS) - 1;
    accel->tb_hash = XNEW_ARRAY(TranslationBlock *, accel->tb_hash_mask + 1);
    accel->page_hash_mask = (1u << PAGE_HASH_BITS) - 1;
    accel->page_hash = XNEW_ARRAY(PageDesc *, accel->page_hash_mask + 1);
    return true;
}

static void page_descs_free(TCGAccel *accel)
{
    for (size_t i = 0; i <= accel->page_hash_mask; i++) {
        PageDesc *pd = accel->page_hash[i];
        while (pd) {
            PageDesc *next = pd->next;
            free(pd);
            pd = next;
        }
        accel->page_hash[i] = NULL;
    }
}

void tb_maint_destroy(TCGAccel *accel)
{
    if (accel->region) {
        if (accel->region_rx_delta) {
            munmap(accel->region + accel->region_rx_delta,
                   accel->region_size);
        }
        munmap(accel->region, accel->region_size);
        accel->region = NULL;
    }
    if (accel->page_hash) {
        page_descs_free(accel);
    }
    free(accel->page_hash);
    free(accel->tb_hash);
    accel->page_hash = NULL;
    accel->tb_hash = NULL;
}

void *tb_region_alloc(TCGAccel *accel, size_t size)
{
    size_t at = ALIGN_UP(accel->region_used, 16);

    if (at + size > accel->region_size) {
        return NULL;
    }
    accel->region_used = at + size;
    return accel->region + at;
}

void *tb_region_tail(TCGAccel *accel, size_t *avail)
{
    size_t at = ALIGN_UP(accel->region_used, 16);

    *avail = at < accel->region_size ? accel->region_size - at : 0;
    return accel->region + at;
}

/* --- hashing --- */

static size_t tb_hash_index(TCGAccel *accel, uint64_t pc, uint64_t page,
                            uint32_t flags, uint32_t cflags)
{
    uint64_t h = pc * 0x9e3779b97f4a7c15ull;

    h ^= (page >> 12) * 0xc2b2ae3d27d4eb4full;
    h ^= ((uint64_t)flags << 32 | cflags) * 0x165667b19e3779f9ull;
    return (h ^ (h >> 29)) & accel->tb_hash_mask;
}

static size_t page_hash_index(TCGAccel *accel, uint64_t page)
{
    return ((page >> 12) * 0x9e3779b97f4a7c15ull >> 40) &
           accel->page_hash_mask;
}

static PageDesc *page_find(TCGAccel *accel, uint64_t page, bool create)
{
    size_t h = page_hash_index(accel, page);
    PageDesc *pd;

    for (pd = accel->page_hash[h]; pd; pd = pd->next) {
        if (pd->page == page) {
            return pd;
        }
    }
    if (!create) {
        return NULL;
    }
    pd = XNEW(PageDesc);
    pd->page = page;
    pd->next = accel->page_hash[h];
    accel->page_hash[h] = pd;
    return pd;
}

static void page_remove(TCGAccel *accel, PageDesc *victim)
{
    PageDesc **p = &accel->page_hash[page_hash_index(accel, victim->page)];

    for (; *p; p = &(*p)->next) {
        if (*p == victim) {
            *p = victim->next;
            free(victim);
            return;
        }
    }
}

bool tb_page_has_code(TCGAccel *accel, uint64_t page)
{
    bool found;

    pthread_mutex_lock(&accel->tb_lock);
    found = page_find(accel, page, false) != NULL;
    pthread_mutex_unlock(&accel->tb_lock);
    return found;
}

/* Tagged pointers: a TB plus a 1-bit slot (which page / which jump). */
static inline TranslationBlock *tag_tb(uintptr_t v)
{
    return (TranslationBlock *)(v & ~(uintptr_t)1);
}

static inline int tag_slot(uintptr_t v)
{
    return v & 1;
}

/* --- lookup --- */

static TranslationBlock *tb_hash_find(TCGAccel *accel, uint64_t pc,
                                      uint64_t page, uint32_t flags,
                                      uint32_t cflags)
{
    TranslationBlock *tb;

    pthread_mutex_lock(&accel->tb_lock);
    for (tb = accel->tb_hash[tb_hash_index(accel, pc, page, flags, cflags)];
         tb; tb = tb->hash_next) {
        if (tb->pc == pc && tb->page_addr[0] == page && tb->flags == flags &&
            tb->cflags == cflags) {
            break;
        }
    }
    pthread_mutex_unlock(&accel->tb_lock);
    return tb;
}

TranslationBlock *tb_lookup(CPUState *cpu, uint64_t pc, uint32_t flags,
                            uint32_t cflags)
{
    TCGCPUState *tc = tcg_cpu(cpu);
    unsigned h = tb_jmp_cache_index(pc);
    TranslationBlock *tb = tc->jmp_cache[h];
    const uint8_t *host;
    uint64_t page;

    if (tb && tb->pc == pc && tb->flags == flags && tb->cflags == cflags &&
        !atomic_load_explicit(&tb->invalid, memory_order_relaxed)) {
        return tb;
    }
    page = get_page_addr_code(cpu, pc, true, &host);
    if (page == (uint64_t)-1) {
        return NULL;
    }
    tb = tb_hash_find(tc->accel, pc, page, flags, cflags);
    if (!tb) {
        return NULL;
    }
    /* A TB spilling onto a second page is only valid if that page is
     * still mapped where it was when the TB was made. */
    if (tb->page_addr[1] != (uint64_t)-1) {
        uint64_t last = pc + tb->size - 1;
        if (get_page_addr_code(cpu, last, true, &host) != tb->page_addr[1]) {
            return NULL;
        }
    }
    tc->jmp_cache[h] = tb;
    return tb;
}

/* --- RAM blocks holding code --- */

/* DMA or a loader wrote [offset, offset+len) of @rb: drop stale TBs. */
static void tb_ram_code_write(void *opaque, RAMBlock *rb, uint64_t offset,
                              uint64_t len)
{
    TCGAccel *accel = opaque;
    uint64_t first = offset >> TCG_PAGE_BITS;
    uint64_t last = (offset + len - 1) >> TCG_PAGE_BITS;

    for (uint64_t pg = first; len && pg <= last; pg++) {
        if (rb->code_bitmap[pg / 64] & (1UL << (pg % 64))) {
            tb_invalidate_phys_page(accel, (uintptr_t)rb->host +
                                           (pg << TCG_PAGE_BITS));
            __atomic_fetch_and(&rb->code_bitmap[pg / 64],
                               ~(1UL << (pg % 64)), __ATOMIC_RELAXED);
        }
    }
}

void tb_watch_ram_block(TCGAccel *accel, RAMBlock *rb)
{
    if (rb->code_write == tb_ram_code_write ||
        accel->nr_ram_blocks == ARRAY_SIZE(accel->ram_blocks)) {
        return;
    }
    if (!rb->code_bitmap) {
        size_t pages = (rb->size + TCG_PAGE_SIZE - 1) >> TCG_PAGE_BITS;
        rb->code_bitmap = XNEW_ARRAY(unsigned long, (pages + 63) / 64);
    }
    rb->code_write_opaque = accel;
    rb->code_write = tb_ram_code_write;
    accel->ram_blocks[accel->nr_ram_blocks++] = rb;
}

/* Mark the host page as holding code in its RAM block's bitmap. */
static void tb_mark_code_page(TCGAccel *accel, uint64_t host_page)
{
    for (unsigned i = 0; i < accel->nr_ram_blocks; i++) {
        RAMBlock *rb = accel->ram_blocks[i];
        uint64_t base = (uintptr_t)rb->host;

        if (host_page >= base && host_page < base + rb->size) {
            uint64_t pg = (host_page - base) >> TCG_PAGE_BITS;
            __atomic_fetch_or(&rb->code_bitmap[pg / 64], 1UL << (pg % 64),
                              __ATOMIC_RELAXED);
            return;
        }
    }
}

/* --- creation --- */

static void tb_page_add(TCGAccel *accel, TranslationBlock *tb, int n)
{
    PageDesc *pd = page_find(accel, tb->page_addr[n], true);
    bool first = pd->first_tb == NULL;

    tb->page_next[n] = pd->first_tb;
    pd->first_tb = (TranslationBlock *)((uintptr_t)tb | n);
    if (first) {
        tb_mark_code_page(accel, tb->page_addr[n]);
        tlb_protect_code(accel, tb->page_addr[n]);
    }
}

static void tb_insert(TCGAccel *accel, TranslationBlock *tb)
{
    size_t h = tb_hash_index(accel, tb->pc, tb->page_addr[0], tb->flags,
                             tb->cflags);

    pthread_mutex_lock(&accel->tb_lock);
    tb->hash_next = accel->tb_hash[h];
    accel->tb_hash[h] = tb;
    tb_page_add(accel, tb, 0);
    if (tb->page_addr[1] != (uint64_t)-1) {
        tb_page_add(accel, tb, 1);
    }
    accel->nb_tbs++;
    pthread_mutex_unlock(&accel->tb_lock);
}

static void tb_log_ops(Log *log, TCGContext *s, const char *title,
                       uint64_t pc)
{
    log_lock(log);
    fprintf(log->file, "%s: [size=%u] 0x%016" PRIx64 "\n", title,
            s->nb_ops, pc);
    tcg_dump_ops(s, log->file);
    log_unlock(log);
}

TranslationBlock *tb_gen_code(CPUState *cpu, uint64_t pc, uint32_t flags,
                              uint32_t cflags)
{
    TCGAccel *accel = tcg_cpu(cpu)->accel;
    const TCGCPUOps *ops = cpu->ops->tcg_ops;
    TCGContext *s = accel->ctx;
    int max_insns = cflags & CF_COUNT_MASK;
    const uint8_t *host;
    uint64_t page = get_page_addr_code(cpu, pc, false, &host);
    TranslationBlock *tb;
    Error *err = NULL;
    bool flushed = false;
    int ret;

    if (!max_insns || max_insns > TCG_MAX_INSNS) {
        max_insns = TCG_MAX_INSNS;
    }
    if (accel->one_insn_per_tb) {
        max_insns = 1;
    }
    for (;;) {
        tb = tb_region_alloc(accel, sizeof(*tb));
        if (!tb) {
            tb_flush_now(accel);
            flushed = true;
            continue;
        }
        memset(tb, 0, sizeof(*tb));
        tb->pc = pc;
        tb->flags = flags;
        tb->cflags = cflags;
        tb->page_addr[0] = page;
        tb->page_addr[1] = (uint64_t)-1;

        tcg_context_reset(s);
        ops->translate_code(cpu, s, tb, max_insns);
        if (s->overflow && max_insns > 1) {
            max_insns = MAX(tb->icount / 2, 1);
            continue;
        }
        if (log_enabled(cpu->log, LOG_OP)) {
            tb_log_ops(cpu->log, s, "OP", pc);
        }
        tcg_optimize(s);
        if (log_enabled(cpu->log, LOG_OP_OPT)) {
            tb_log_ops(cpu->log, s, "OP after optimization", pc);
        }
        if (!tcg_verify(s, &err)) {
            /* A frontend bug: say where, and fail loudly in every build. */
            error_report("internal error: bad IR for TB at 0x%" PRIx64
                         ": %s", pc, error_get_pretty(err));
            abort();
        }
        ret = accel->backend->gen_code(accel, s, tb);
        if (ret == 0) {
            break;
        }
        if (ret == -ENOSPC && !flushed) {
            tb_flush_now(accel);
            flushed = true;
        } else {
            /* Too big for the backend (or for an empty region). */
            max_insns = MAX(tb->icount / 2, 1);
        }
    }
    if (((pc + tb->size - 1) & TCG_PAGE_MASK) != (pc & TCG_PAGE_MASK)) {
        tb->page_addr[1] = get_page_addr_code(cpu, pc + tb->size - 1, false,
                                              &host);
    }
    tb_insert(accel, tb);
    return tb;
}

/* --- chaining --- */

void tb_link_jump(TCGAccel *accel, TranslationBlock *tb, int n,
                  TranslationBlock *dest)
{
    pthread_mutex_lock(&accel->tb_lock);
    if (!tb->jmp_dest[n] && !atomic_load(&tb->invalid) &&
        !atomic_load(&dest->invalid)) {
        tb->jmp_next[n] = dest->jmp_incoming;
        dest->jmp_incoming = (uintptr_t)tb | n;
        accel->backend->set_jump(tb, n, dest);
        tb->jmp_dest[n] = dest;
    }
    pthread_mutex_unlock(&accel->tb_lock);
}

/* Remove slot @n of @src from its destination's incoming list. */
static void tb_unlink_outgoing(TCGAccel *accel, TranslationBlock *src, int n)
{
    TranslationBlock *dest = src->jmp_dest[n];
    uintptr_t *p;

    if (!dest) {
        return;
    }
    for (p = &dest->jmp_incoming; *p;
         p = &tag_tb(*p)->jmp_next[tag_slot(*p)]) {
        if (tag_tb(*p) == src && tag_slot(*p) == n) {
            *p = src->jmp_next[n];
            break;
        }
    }
    accel->backend->set_jump(src, n, NULL);
    src->jmp_dest[n] = NULL;
}

static void tb_page_remove(TCGAccel *accel, TranslationBlock *tb, int n)
{
    PageDesc *pd = page_find(accel, tb->page_addr[n], false);
    TranslationBlock **p;

    if (!pd) {
        return;
    }
    for (p = &pd->first_tb; *p;
         p = &tag_tb((uintptr_t)*p)->page_next[tag_slot((uintptr_t)*p)]) {
        if (tag_tb((uintptr_t)*p) == tb && tag_slot((uintptr_t)*p) == n) {
            *p = tb->page_next[n];
            break;
        }
    }
    if (!pd->first_tb) {
        page_remove(accel, pd);
    }
}

/* Invalidate @tb (tb_lock held); @keep_page: the page list being walked. */
static void tb_invalidate(TCGAccel *accel, TranslationBlock *tb,
                          int keep_page)
{
    TranslationBlock **p;

    atomic_store(&tb->invalid, true);
    p = &accel->tb_hash[tb_hash_index(accel, tb->pc, tb->page_addr[0],
                                      tb->flags, tb->cflags)];
    for (; *p; p = &(*p)->hash_next) {
        if (*p == tb) {
            *p = tb->hash_next;
            break;
        }
    }
    /* Every jump into this TB goes back to its exit path. */
    while (tb->jmp_incoming) {
        uintptr_t in = tb->jmp_incoming;
        TranslationBlock *src = tag_tb(in);
        int n = tag_slot(in);

        tb->jmp_incoming = src->jmp_next[n];
        accel->backend->set_jump(src, n, NULL);
        src->jmp_dest[n] = NULL;
    }
    tb_unlink_outgoing(accel, tb, 0);
    tb_unlink_outgoing(accel, tb, 1);
    for (int n = 0; n < 2; n++) {
        if (n != keep_page && tb->page_addr[n] != (uint64_t)-1) {
            tb_page_remove(accel, tb, n);
        }
    }
    accel->nb_invalidations++;
}

void tb_invalidate_phys_page(TCGAccel *accel, uint64_t page)
{
    PageDesc *pd;

    pthread_mutex_lock(&accel->tb_lock);
    pd = page_find(accel, page, false);
    if (pd) {
        uintptr_t cur = (uintptr_t)pd->first_tb;

        pd->first_tb = NULL;
        while (cur) {
            TranslationBlock *tb = tag_tb(cur);
            int n = tag_slot(cur);

            cur = (uintptr_t)tb->page_next[n];
            tb_invalidate(accel, tb, n);
        }
        page_remove(accel, pd);
    }
    pthread_mutex_unlock(&accel->tb_lock);
}

/* --- flushing --- */

void tb_flush_now(TCGAccel *accel)
{
    Machine *m = accel->machine;

    pthread_mutex_lock(&accel->tb_lock);
    memset(accel->tb_hash, 0,
           (accel->tb_hash_mask + 1) * sizeof(TranslationBlock *));
    page_descs_free(accel);
    accel->region_used = accel->region_reserved;
    accel->nb_tbs = 0;
    accel->nb_flushes++;
    for (unsigned i = 0; i < accel->nr_ram_blocks; i++) {
        RAMBlock *rb = accel->ram_blocks[i];
        size_t pages = (rb->size + TCG_PAGE_SIZE - 1) >> TCG_PAGE_BITS;
        memset(rb->code_bitmap, 0, (pages + 63) / 64 * sizeof(unsigned long));
    }
    for (unsigned i = 0; i < m->nr_cpus; i++) {
        TCGCPUState *tc = tcg_cpu(m->cpus[i]);
        if (tc) {
            memset(tc->jmp_cache, 0, sizeof(tc->jmp_cache));
        }
    }
    atomic_store(&accel->flush_requested, false);
    pthread_mutex_unlock(&accel->tb_lock);
    /* TLB_NOTDIRTY marks are now stale; the store slow path finds no
     * PageDesc and clears them lazily. */
    log_mask(&m->log, LOG_TB_STATS, "tb: flushed translation cache "
             "(flush #%" PRIu64 ")\n", accel->nb_flushes);
}

void tb_flush(CPUState *cpu)
{
    TCGCPUState *tc = tcg_cpu(cpu);

    /* Deferred to the CPU loop: the caller may be inside a TB. */
    atomic_store(&tc->accel->flush_requested, true);
    atomic_store(&cpu->exit_request, 1);
}

void tb_invalidate_phys_range(Machine *m, uint64_t start, uint64_t end)
{
    TCGAccel *accel = m->accel_state;
    AddressSpace *as = &m->address_space;

    for (uint64_t a = start & TCG_PAGE_MASK; a < end; a += TCG_PAGE_SIZE) {
        MemoryRegionSection sec;
        if (address_space_lookup(as, a, &sec) && memory_region_is_ram(sec.mr)) {
            uint8_t *host = memory_region_get_ram_ptr(sec.mr);
            uint64_t off = sec.offset_in_region + (a - sec.start);
            tb_invalidate_phys_page(accel, (uintptr_t)(host + off) &
                                           TCG_PAGE_MASK);
        }
    }
}
