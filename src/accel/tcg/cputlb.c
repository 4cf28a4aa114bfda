/*
 * accel/tcg/cputlb.c — the softmmu TLB: filling, flushing, and the slow
 * paths of guest loads, stores and atomics.
 *
 * Fast path (in the backends): index the MMU mode's table by page number,
 * compare the tag for the access with the page-aligned address, add the
 * entry's addend. Everything else lands here: misses (ask the target's
 * tlb_fill to walk its page tables), MMIO (dispatch under the big lock),
 * stores to pages holding translated code (invalidate those TBs first),
 * ROM (drop the write), accesses crossing a page (split into bytes), and
 * alignment faults for MO_ALIGN accesses.
 *
 * Every entry's tags use TLB_INVALID for "no such access": a cleared entry
 * has all three tags set to TLB_INVALID, and a page without write
 * permission has addr_write = TLB_INVALID.
 */
#include "accel/tcg/tcg-internal.h"
#include "accel/tcg/ir-semantics.h"
#include "core/main-loop.h"
#include "util/log.h"

/* --- setup and flushing --- */

static void tlb_clear_entry(CPUTLBEntry *e)
{
    e->addr_read = e->addr_write = e->addr_code = TLB_INVALID;
    e->addend = 0;
}

void tlb_init_cpu(CPUState *cpu)
{
    for (unsigned m = 0; m < TCG_NB_MMU_MODES; m++) {
        cpu->tlb[m].table = XNEW_ARRAY(CPUTLBEntry, TCG_TLB_SIZE);
        cpu->tlb[m].full = XNEW_ARRAY(CPUTLBEntryFull, TCG_TLB_SIZE);
        for (unsigned i = 0; i < TCG_TLB_SIZE; i++) {
            tlb_clear_entry(&cpu->tlb[m].table[i]);
        }
    }
}

void tlb_destroy_cpu(CPUState *cpu)
{
    for (unsigned m = 0; m < TCG_NB_MMU_MODES; m++) {
        free(cpu->tlb[m].table);
        free(cpu->tlb[m].full);
        cpu->tlb[m].table = NULL;
        cpu->tlb[m].full = NULL;
    }
}

static void jmp_cache_clear(CPUState *cpu)
{
    TCGCPUState *tc = tcg_cpu(cpu);

    if (tc) {
        memset(tc->jmp_cache, 0, sizeof(tc->jmp_cache));
    }
}

void tlb_flush_by_mmuidx(CPUState *cpu, uint16_t idxmap)
{
    for (unsigned m = 0; m < TCG_NB_MMU_MODES; m++) {
        if ((idxmap & (1u << m)) && cpu->tlb[m].table) {
            for (unsigned i = 0; i < TCG_TLB_SIZE; i++) {
                tlb_clear_entry(&cpu->tlb[m].table[i]);
            }
        }
    }
    /* Virtual-to-physical mappings changed: cached PC lookups too. */
    jmp_cache_clear(cpu);
    log_mask(cpu->log, LOG_MMU, "tlb: flush mmu map 0x%x (cpu %u)\n",
             idxmap, cpu->index);
}

void tlb_flush(CPUState *cpu)
{
    tlb_flush_by_mmuidx(cpu, (1u << TCG_NB_MMU_MODES) - 1);
}

static bool tlb_entry_is_page(const CPUTLBEntry *e, uint64_t page)
{
    return ((e->addr_read & (TCG_PAGE_MASK | TLB_INVALID)) == page) ||
           ((e->addr_write & (TCG_PAGE_MASK | TLB_INVALID)) == page) ||
           ((e->addr_code & (TCG_PAGE_MASK | TLB_INVALID)) == page);
}

void tlb_flush_page(CPUState *cpu, uint64_t vaddr)
{
    uint64_t page = vaddr & TCG_PAGE_MASK;
    TCGCPUState *tc = tcg_cpu(cpu);

    for (unsigned m = 0; m < TCG_NB_MMU_MODES; m++) {
        CPUTLBEntry *e;
        if (!cpu->tlb[m].table) {
            continue;
        }
        e = &cpu->tlb[m].table[tlb_index(vaddr)];
        if (tlb_entry_is_page(e, page)) {
            tlb_clear_entry(e);
        }
    }
    if (tc) {
        /* The jump cache keeps a page's entries together (tb-maint.c). */
        unsigned base = ((vaddr >> TCG_PAGE_BITS) & 63) << 6;
        memset(&tc->jmp_cache[base], 0, 64 * sizeof(tc->jmp_cache[0]));
    }
}

void tlb_flush_all_cpus(Machine *m)
{
    for (unsigned i = 0; i < m->nr_cpus; i++) {
        tlb_flush(m->cpus[i]);
    }
}

/* --- filling --- */

/* Send accesses to a page with watchpoints to the slow path. */
static void tlb_set_watchpoint_flags(CPUState *cpu, CPUTLBEntry *e,
                                     uint64_t vpage)
{
    int watched = tcg_debug_tlb_flags(cpu, vpage);

    if ((watched & BP_MEM_READ) && e->addr_read != TLB_INVALID) {
        e->addr_read |= TLB_WATCHPOINT;
    }
    if ((watched & BP_MEM_WRITE) && e->addr_write != TLB_INVALID) {
        e->addr_write |= TLB_WATCHPOINT;
    }
}

void tlb_set_page(CPUState *cpu, uint64_t vaddr, uint64_t paddr, int prot,
                  int mmu_idx, uint64_t size)
{
    uint64_t vpage = vaddr & TCG_PAGE_MASK;
    uint64_t ppage = paddr & TCG_PAGE_MASK;
    unsigned idx = tlb_index(vaddr);
    CPUTLBEntry *e = &cpu->tlb[mmu_idx].table[idx];
    CPUTLBEntryFull *f = &cpu->tlb[mmu_idx].full[idx];
    MemoryRegionSection sec;
    uint64_t flags = 0, write_flags = 0;

    memset(f, 0, sizeof(*f));
    f->phys_page = ppage;
    f->prot = prot;
    if (!address_space_lookup(cpu->as, ppage, &sec) ||
        sec.start + sec.size < ppage + TCG_PAGE_SIZE) {
        /* Unmapped, or a device smaller than a page: every access goes
         * through dispatch, which finds the right region (or none). */
        flags = TLB_MMIO;
        f->mr = NULL;
    } else if (memory_region_is_ram(sec.mr)) {
        uint8_t *host = memory_region_get_ram_ptr(sec.mr);
        uint64_t off = sec.offset_in_region + (ppage - sec.start);
        RAMBlock *rb = sec.mr->ram_block;

        f->mr = sec.mr;
        f->mr_offset = off;
        f->ram_block = rb;
        if (rb && tcg_cpu(cpu)) {
            tb_watch_ram_block(tcg_cpu(cpu)->accel, rb);
        }
        f->ram_offset = off;
        e->addend = (uintptr_t)(host + off) - vpage;
        if (sec.mr->kind == MR_ROM) {
            write_flags = TLB_DISCARD_WRITE;
        } else if (rb && rb->code_bitmap &&
                   (rb->code_bitmap[(off >> TCG_PAGE_BITS) / 64] >>
                    ((off >> TCG_PAGE_BITS) % 64) & 1)) {
            write_flags = TLB_NOTDIRTY;
        }
    } else {
        f->mr = sec.mr;
        f->mr_offset = sec.offset_in_region + (ppage - sec.start);
        flags = TLB_MMIO;
    }
    if (size < TCG_PAGE_SIZE) {
        /* A sub-page mapping (a small PMP region): good for one access. */
        flags |= TLB_INVALID;
    }
    e->addr_read = (prot & PAGE_READ) ? vpage | flags : TLB_INVALID;
    e->addr_code = (prot & PAGE_EXEC) ? vpage | flags : TLB_INVALID;
    e->addr_write = (prot & PAGE_WRITE) ? vpage | flags | write_flags
                                        : TLB_INVALID;
    tlb_set_watchpoint_flags(cpu, e, vpage);
    log_mask(cpu->log, LOG_MMU, "tlb: cpu %u mmu %d: 0x%016" PRIx64
             " -> 0x%016" PRIx64 " prot %c%c%c%s\n", cpu->index, mmu_idx,
             vpage, ppage, prot & PAGE_READ ? 'r' : '-',
             prot & PAGE_WRITE ? 'w' : '-', prot & PAGE_EXEC ? 'x' : '-',
             flags & TLB_MMIO ? " mmio" : "");
}

/* Does @tag map @addr's page for use (ignoring the use-once flag only
 * when @after_fill)? */
static inline bool tlb_hit(uint64_t tag, uint64_t addr, bool after_fill)
{
    uint64_t mask = TCG_PAGE_MASK | (after_fill ? 0 : TLB_INVALID);

    if (tag == TLB_INVALID) {
        return false;
    }
    return (tag & mask) == (addr & TCG_PAGE_MASK);
}

static uint64_t tlb_tag(const CPUTLBEntry *e, MMUAccessType access)
{
    return access == MMU_DATA_LOAD ? e->addr_read
         : access == MMU_DATA_STORE ? e->addr_write : e->addr_code;
}

/* Find (filling if needed) the entry for one access; may raise. */
static CPUTLBEntry *tlb_entry_for(CPUState *cpu, uint64_t addr,
                                  unsigned size, MMUAccessType access,
                                  int mmu_idx, uintptr_t ra, bool probe,
                                  uint64_t *tag)
{
    CPUTLBEntry *e = &cpu->tlb[mmu_idx].table[tlb_index(addr)];

    *tag = tlb_tag(e, access);
    if (tlb_hit(*tag, addr, false)) {
        return e;
    }
    if (!cpu->ops->tcg_ops->tlb_fill(cpu, addr, size, access, mmu_idx, probe,
                                     ra)) {
        return NULL;
    }
    e = &cpu->tlb[mmu_idx].table[tlb_index(addr)];
    *tag = tlb_tag(e, access);
    if (!tlb_hit(*tag, addr, true)) {
        return NULL;    /* the target mapped it without this permission */
    }
    return e;
}

uint64_t get_page_addr_code(CPUState *cpu, uint64_t pc, bool probe,
                            const uint8_t **host)
{
    int mmu_idx = cpu->ops->tcg_ops->mmu_index(cpu, true);
    CPUTLBEntry *e;
    CPUTLBEntryFull *f;
    uint64_t tag;

    e = tlb_entry_for(cpu, pc, 1, MMU_INST_FETCH, mmu_idx, 0, probe, &tag);
    if (!e) {
        return (uint64_t)-1;
    }
    f = &cpu->tlb[mmu_idx].full[tlb_index(pc)];
    if (tag & TLB_MMIO) {
        /*
         * The page is not all RAM, but the code may be in a RAM part of
         * it (spike's HTIF registers share a page with the program). Code
         * in RAM is translated from the RAM's host mapping; code in a
         * device (or nothing) is an instruction access fault, as real
         * hardware gives for a bus error.
         */
        uint64_t paddr = f->phys_page | (pc & ~TCG_PAGE_MASK);
        MemoryRegionSection sec;

        if (address_space_lookup(cpu->as, paddr, &sec) &&
            memory_region_is_ram(sec.mr)) {
            uint8_t *p = (uint8_t *)memory_region_get_ram_ptr(sec.mr) +
                         sec.offset_in_region + (paddr - sec.start);
            *host = p - (pc & ~TCG_PAGE_MASK);
            return (uintptr_t)*host;
        }
        if (probe) {
            return (uint64_t)-1;
        }
        cpu->ops->tcg_ops->do_transaction_failed(
            cpu, paddr, pc, 4, MMU_INST_FETCH, mmu_idx, MEMTX_DECODE_ERROR,
            0);
    }
    *host = (const uint8_t *)(uintptr_t)((pc & TCG_PAGE_MASK) + e->addend);
    return (uintptr_t)*host;
}

void tlb_protect_code(TCGAccel *accel, uint64_t host_page)
{
    Machine *m = accel->machine;

    for (unsigned i = 0; i < m->nr_cpus; i++) {
        CPUState *cpu = m->cpus[i];
        for (unsigned mode = 0; mode < TCG_NB_MMU_MODES; mode++) {
            CPUTLBEntry *t = cpu->tlb[mode].table;
            if (!t) {
                continue;
            }
            for (unsigned k = 0; k < TCG_TLB_SIZE; k++) {
                uint64_t w = t[k].addr_write;
                if (w != TLB_INVALID && !(w & TLB_MMIO) &&
                    (w & TCG_PAGE_MASK) + t[k].addend == host_page) {
                    t[k].addr_write = w | TLB_NOTDIRTY;
                }
            }
        }
    }
}

/* --- MMIO --- */

static MemTxResult mmio_access(CPUState *cpu, CPUTLBEntryFull *f,
                               uint64_t addr, uint64_t *val, unsigned size,
                               bool is_write)
{
    MainLoop *loop = cpu->machine->loop;
    bool locked = bql_held_by_me(loop);
    uint64_t paddr = f->phys_page | (addr & ~TCG_PAGE_MASK);
    MemTxResult r;

    if (!locked) {
        bql_lock(loop);
    }
    if (f->mr) {
        r = is_write
            ? memory_region_dispatch_write(f->mr, f->mr_offset +
                                           (addr & ~TCG_PAGE_MASK), *val, size)
            : memory_region_dispatch_read(f->mr, f->mr_offset +
                                          (addr & ~TCG_PAGE_MASK), val, size);
    } else {
        r = is_write ? address_space_store(cpu->as, paddr, size, *val)
                     : address_space_load(cpu->as, paddr, size, val);
    }
    if (!locked) {
        bql_unlock(loop);
    }
    return r;
}

static void NORETURN raise_bus_error(CPUState *cpu, CPUTLBEntryFull *f,
                                     uint64_t addr, unsigned size,
                                     MMUAccessType access, int mmu_idx,
                                     MemTxResult r, uintptr_t ra)
{
    cpu->ops->tcg_ops->do_transaction_failed(
        cpu, f->phys_page | (addr & ~TCG_PAGE_MASK), addr, size, access,
        mmu_idx, r, ra);
}

/* --- loads and stores that missed the fast path --- */

static uint64_t load_one(CPUState *cpu, uint64_t addr, unsigned size,
                         int mmu_idx, uintptr_t ra)
{
    uint64_t tag, val = 0;
    CPUTLBEntry *e = tlb_entry_for(cpu, addr, size, MMU_DATA_LOAD, mmu_idx,
                                   ra, false, &tag);
    CPUTLBEntryFull *f = &cpu->tlb[mmu_idx].full[tlb_index(addr)];

    if (tag & TLB_WATCHPOINT) {
        tcg_debug_check_watchpoint(cpu, addr, size, MMU_DATA_LOAD, ra);
    }
    if (tag & TLB_MMIO) {
        MemTxResult r = mmio_access(cpu, f, addr, &val, size, false);
        if (r != MEMTX_OK) {
            raise_bus_error(cpu, f, addr, size, MMU_DATA_LOAD, mmu_idx, r,
                            ra);
        }
        return val;
    }
    memcpy(&val, (void *)(uintptr_t)(addr + e->addend), size);
    return val;
}

uint64_t tlb_load_slow(CPUState *cpu, uint64_t addr, MemOp memop,
                       int mmu_idx, uintptr_t ra)
{
    unsigned size = memop_size(memop);
    uint64_t val = 0;

    if ((memop & MO_ALIGN) && (addr & (size - 1))) {
        cpu->ops->tcg_ops->do_unaligned_access(cpu, addr, MMU_DATA_LOAD,
                                               mmu_idx, ra);
    }
    if (((addr & ~TCG_PAGE_MASK) + size) > TCG_PAGE_SIZE) {
        /* Crossing a page: byte by byte, little-endian. */
        for (unsigned i = 0; i < size; i++) {
            val |= load_one(cpu, addr + i, 1, mmu_idx, ra) << (8 * i);
        }
    } else {
        val = load_one(cpu, addr, size, mmu_idx, ra);
    }
    return ir_memop_extend(memop, val);
}

/* A store reached a page holding TBs: drop them, then allow fast stores. */
static void notdirty_write(CPUState *cpu, CPUTLBEntry *e, CPUTLBEntryFull *f,
                           uint64_t addr)
{
    TCGAccel *accel = tcg_cpu(cpu)->accel;
    uint64_t host_page = (addr & TCG_PAGE_MASK) + e->addend;
    RAMBlock *rb = f->ram_block;

    tb_invalidate_phys_page(accel, host_page);
    if (rb && rb->code_bitmap) {
        uint64_t pg = f->ram_offset >> TCG_PAGE_BITS;
        __atomic_fetch_and(&rb->code_bitmap[pg / 64], ~(1UL << (pg % 64)),
                           __ATOMIC_RELAXED);
    }
    e->addr_write &= ~(uint64_t)TLB_NOTDIRTY;
}

static void store_one(CPUState *cpu, uint64_t addr, uint64_t val,
                      unsigned size, int mmu_idx, uintptr_t ra)
{
    uint64_t tag;
    CPUTLBEntry *e = tlb_entry_for(cpu, addr, size, MMU_DATA_STORE, mmu_idx,
                                   ra, false, &tag);
    CPUTLBEntryFull *f = &cpu->tlb[mmu_idx].full[tlb_index(addr)];

    if (tag & TLB_WATCHPOINT) {
        tcg_debug_check_watchpoint(cpu, addr, size, MMU_DATA_STORE, ra);
    }
    if (tag & TLB_MMIO) {
        MemTxResult r = mmio_access(cpu, f, addr, &val, size, true);
        if (r != MEMTX_OK) {
            raise_bus_error(cpu, f, addr, size, MMU_DATA_STORE, mmu_idx, r,
                            ra);
        }
        return;
    }
    if (tag & TLB_DISCARD_WRITE) {
        log_guest(cpu->log, LOG_GUEST_ERROR, "write to ROM at 0x%" PRIx64
                  " ignored\n", f->phys_page | (addr & ~TCG_PAGE_MASK));
        return;
    }
    if (tag & TLB_NOTDIRTY) {
        notdirty_write(cpu, e, f, addr);
    }
    memcpy((void *)(uintptr_t)(addr + e->addend), &val, size);
}

void tlb_store_slow(CPUState *cpu, uint64_t addr, uint64_t val, MemOp memop,
                    int mmu_idx, uintptr_t ra)
{
    unsigned size = memop_size(memop);

    if ((memop & MO_ALIGN) && (addr & (size - 1))) {
        cpu->ops->tcg_ops->do_unaligned_access(cpu, addr, MMU_DATA_STORE,
                                               mmu_idx, ra);
    }
    if (((addr & ~TCG_PAGE_MASK) + size) > TCG_PAGE_SIZE) {
        /* Check both pages before writing anything, so a fault on the
         * second leaves memory untouched. */
        uint64_t tag;
        uint64_t second = (addr + size - 1) & TCG_PAGE_MASK;
        tlb_entry_for(cpu, addr, 1, MMU_DATA_STORE, mmu_idx, ra, false, &tag);
        tlb_entry_for(cpu, second, 1, MMU_DATA_STORE, mmu_idx, ra, false,
                      &tag);
        for (unsigned i = 0; i < size; i++) {
            store_one(cpu, addr + i, val >> (8 * i), 1, mmu_idx, ra);
        }
        return;
    }
    store_one(cpu, addr, val, size, mmu_idx, ra);
}

static uint64_t host_atomic(void *p, unsigned size, bool cmpxchg,
                            TCGAtomicOp op, MemOp memop, uint64_t cmp,
                            uint64_t val)
{
    /* A compare-and-swap loop makes every operation (min/max too) atomic
     * with respect to other vCPU threads. */
    uint64_t old = 0, new;

    for (;;) {
        memcpy(&old, p, size);
        new = cmpxchg ? val : ir_atomic_apply(op, memop, old, val);
        if (cmpxchg && (old != (cmp & (size == 8 ? ~0ULL
                                               : (1ULL << (8 * size)) - 1)))) {
            return old;
        }
        switch (size) {
        case 4: {
            uint32_t expect = old;
            if (__atomic_compare_exchange_n((uint32_t *)p, &expect,
                                            (uint32_t)new, false,
                                            __ATOMIC_SEQ_CST,
                                            __ATOMIC_SEQ_CST)) {
                return old;
            }
            break;
        }
        case 8: {
            uint64_t expect = old;
            if (__atomic_compare_exchange_n((uint64_t *)p, &expect, new,
                                            false, __ATOMIC_SEQ_CST,
                                            __ATOMIC_SEQ_CST)) {
                return old;
            }
            break;
        }
        default:
            memcpy(p, &new, size);
            return old;
        }
    }
}

uint64_t tlb_atomic_slow(CPUState *cpu, uint64_t addr, MemOp memop,
                         int mmu_idx, bool cmpxchg, TCGAtomicOp op,
                         uint64_t cmp, uint64_t val, uintptr_t ra)
{
    unsigned size = memop_size(memop);
    CPUTLBEntry *e;
    CPUTLBEntryFull *f;
    uint64_t tag, old = 0;

    if (addr & (size - 1)) {
        /* Atomics are always naturally aligned (a misaligned AMO is an
         * address-misaligned fault on RISC-V and most others). */
        cpu->ops->tcg_ops->do_unaligned_access(cpu, addr, MMU_DATA_STORE,
                                               mmu_idx, ra);
    }
    /* An atomic needs both read and write permission; a store fault wins. */
    tlb_entry_for(cpu, addr, size, MMU_DATA_LOAD, mmu_idx, ra, false, &tag);
    if (tag & TLB_WATCHPOINT) {
        tcg_debug_check_watchpoint(cpu, addr, size, MMU_DATA_LOAD, ra);
    }
    e = tlb_entry_for(cpu, addr, size, MMU_DATA_STORE, mmu_idx, ra, false,
                      &tag);
    if (tag & TLB_WATCHPOINT) {
        tcg_debug_check_watchpoint(cpu, addr, size, MMU_DATA_STORE, ra);
    }
    f = &cpu->tlb[mmu_idx].full[tlb_index(addr)];
    if (tag & (TLB_MMIO | TLB_DISCARD_WRITE)) {
        /* Not RAM: a plain read-modify-write under the big lock. */
        MainLoop *loop = cpu->machine->loop;
        bool locked = bql_held_by_me(loop);
        MemTxResult r;
        uint64_t new;

        if (!locked) {
            bql_lock(loop);
        }
        r = mmio_access(cpu, f, addr, &old, size, false);
        if (r == MEMTX_OK) {
            new = cmpxchg ? (old == (cmp & ((size == 8) ? ~0ULL
                                            : (1ULL << (8 * size)) - 1))
                             ? val : old)
                          : ir_atomic_apply(op, memop, old, val);
            if (!(tag & TLB_DISCARD_WRITE)) {
                r = mmio_access(cpu, f, addr, &new, size, true);
            }
        }
        if (!locked) {
            bql_unlock(loop);
        }
        if (r != MEMTX_OK) {
            raise_bus_error(cpu, f, addr, size, MMU_DATA_STORE, mmu_idx, r,
                            ra);
        }
    } else {
        if (tag & TLB_NOTDIRTY) {
            notdirty_write(cpu, e, f, addr);
        }
        old = host_atomic((void *)(uintptr_t)(addr + e->addend), size,
                          cmpxchg, op, memop, cmp, val);
    }
    return ir_memop_extend(memop, old);
}

/* --- for helpers --- */

uint64_t cpu_ld_mmu(CPUState *cpu, uint64_t addr, MemOp memop, int mmu_idx,
                    uintptr_t ra)
{
    return tlb_load_slow(cpu, addr, memop, mmu_idx, ra);
}

void cpu_st_mmu(CPUState *cpu, uint64_t addr, uint64_t val, MemOp memop,
                int mmu_idx, uintptr_t ra)
{
    tlb_store_slow(cpu, addr, val, memop, mmu_idx, ra);
}

void *probe_access(CPUState *cpu, uint64_t addr, unsigned size,
                   MMUAccessType access, int mmu_idx, uintptr_t ra)
{
    uint64_t tag;
    CPUTLBEntry *e = tlb_entry_for(cpu, addr, size, access, mmu_idx, ra,
                                   false, &tag);

    if (tag & TLB_WATCHPOINT) {
        tcg_debug_check_watchpoint(cpu, addr, size, access, ra);
    }
    if (tag & (TLB_MMIO | (access == MMU_DATA_STORE ? TLB_DISCARD_WRITE : 0))) {
        return NULL;
    }
    if (access == MMU_DATA_STORE && (tag & TLB_NOTDIRTY)) {
        notdirty_write(cpu, e, &cpu->tlb[mmu_idx].full[tlb_index(addr)],
                       addr);
    }
    return (void *)(uintptr_t)(addr + e->addend);
}

/* --- physical accesses (page-table walks) --- */

static void *phys_ram_ptr(CPUState *cpu, uint64_t paddr, unsigned size)
{
    MemoryRegionSection sec;

    if (!address_space_lookup(cpu->as, paddr, &sec) ||
        !memory_region_is_ram(sec.mr) ||
        paddr + size > sec.start + sec.size) {
        return NULL;
    }
    return (uint8_t *)memory_region_get_ram_ptr(sec.mr) +
           sec.offset_in_region + (paddr - sec.start);
}

static MemTxResult phys_locked(CPUState *cpu, uint64_t paddr, unsigned size,
                               uint64_t *val, bool is_write)
{
    MainLoop *loop = cpu->machine->loop;
    bool locked = bql_held_by_me(loop);
    MemTxResult r;

    if (!locked) {
        bql_lock(loop);
    }
    r = is_write ? address_space_store(cpu->as, paddr, size, *val)
                 : address_space_load(cpu->as, paddr, size, val);
    if (!locked) {
        bql_unlock(loop);
    }
    return r;
}

MemTxResult cpu_physical_load(CPUState *cpu, uint64_t paddr, unsigned size,
                              uint64_t *val)
{
    void *p = phys_ram_ptr(cpu, paddr, size);

    if (p) {
        *val = 0;
        if (size == 8) {
            *val = __atomic_load_n((uint64_t *)p, __ATOMIC_RELAXED);
        } else {
            memcpy(val, p, size);
        }
        return MEMTX_OK;
    }
    return phys_locked(cpu, paddr, size, val, false);
}

MemTxResult cpu_physical_store(CPUState *cpu, uint64_t paddr, unsigned size,
                               uint64_t val)
{
    void *p = phys_ram_ptr(cpu, paddr, size);

    if (p) {
        memcpy(p, &val, size);
        return MEMTX_OK;
    }
    return phys_locked(cpu, paddr, size, &val, true);
}

MemTxResult cpu_physical_cmpxchg64(CPUState *cpu, uint64_t paddr,
                                   uint64_t expected, uint64_t desired,
                                   uint64_t *actual)
{
    void *p = phys_ram_ptr(cpu, paddr, 8);
    MemTxResult r;

    if (p && !(paddr & 7)) {
        uint64_t e = expected;
        __atomic_compare_exchange_n((uint64_t *)p, &e, desired, false,
                                    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        *actual = e;
        return MEMTX_OK;
    }
    r = phys_locked(cpu, paddr, 8, actual, false);
    if (r == MEMTX_OK && *actual == expected) {
        r = phys_locked(cpu, paddr, 8, &desired, true);
    }
    return r;
}
