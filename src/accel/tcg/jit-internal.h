/*
 * accel/tcg/jit-internal.h — what the JIT's two halves share: the
 * register allocator and code-generation driver (jit-regalloc.c, target
 * independent) and the host backend (x86_64.c: op descriptors, emitters,
 * prologue, calls, the softmmu fast path).
 *
 * The allocator walks the optimized op list once, keeping for every temp
 * where its value is (a host register, its memory home, or a known
 * constant) and whether memory is up to date. Memory homes: globals live
 * in env (the CPUState, in a fixed host register), other temps get 8-byte
 * slots in a stack frame the prologue reserves. Each op's descriptor
 * (JitOpDef) says in a constraint string which registers or constants
 * its operands may use; the allocator satisfies it, then calls the
 * descriptor's emitter with the chosen registers.
 *
 * Constraint letters (one comma-separated group per operand, outputs
 * first, as in ir-ops.def):
 *   r      any allocatable register
 *   a c d  rax, rcx, rdx only (the x86 backend's fixed-register ops)
 *   q      any register except rax and rdx
 *   i      any constant of the op's type may be passed as immediate
 *   e      a constant that fits a sign-extended 32-bit immediate (any
 *          constant for i32 ops)
 *   Z      the constant zero
 *   0..9   (input) same register as that output; the input's register
 *          is overwritten, so a still-live input is copied first
 *   &      (output) must not share a register with any input
 *   *      (input) the code clobbers this register
 */
#ifndef ACCEL_TCG_JIT_INTERNAL_H
#define ACCEL_TCG_JIT_INTERNAL_H

#include "accel/tcg/tcg-internal.h"
#include "accel/tcg/x86_64-asm.h"

#define JIT_NB_REGS 16
typedef uint16_t JitRegSet;

/* Spill slots in the prologue's stack frame. */
#define JIT_FRAME_SLOTS 256

/* Where a temp's value is. */
enum {
    JIT_VAL_DEAD,       /* no value (ebb temp not yet written / dead) */
    JIT_VAL_REG,        /* in host register .reg */
    JIT_VAL_MEM,        /* in its memory home only */
    JIT_VAL_CONST,      /* the constant .cval (not materialised) */
};

typedef struct JitTemp {
    uint8_t kind;       /* TCGTempKind */
    uint8_t type;       /* TCGType */
    uint8_t val;        /* JIT_VAL_* */
    int8_t reg;
    bool coherent;      /* the memory home holds the value */
    bool has_home;      /* mem_base/mem_off are valid */
    int8_t mem_base;    /* env register (globals) or rsp (slots) */
    int32_t mem_off;
    uint64_t cval;
} JitTemp;

/* Constant kinds a constraint admits. */
enum {
    JIT_CT_CONST_ANY = 1 << 0,  /* i */
    JIT_CT_CONST_S32 = 1 << 1,  /* e */
    JIT_CT_CONST_ZERO = 1 << 2, /* Z */
};

typedef struct JitConstraint {
    JitRegSet regs;
    uint8_t ct;
    int8_t alias;       /* input: output index sharing its register */
    bool newreg;        /* output: must not overlap inputs */
    bool consumed;      /* input: clobbered by the code */
} JitConstraint;

/* One operand as the emitter sees it. */
typedef struct JitArg {
    int8_t reg;         /* host register, or -1 for a constant */
    bool is_const;
    uint64_t val;       /* the constant (canonical for the op's type) */
} JitArg;

typedef struct JitContext JitContext;

typedef void JitEmitFn(JitContext *s, const TCGOp *op, const JitArg *args,
                       const int *scratch);

/* One IR op's host implementation (x86_64.c fills a table of these). */
typedef struct JitOpDef {
    const char *constraints;
    JitRegSet clobbers;     /* fixed registers the code destroys */
    uint8_t nscratch;       /* extra registers the emitter needs */
    JitEmitFn *emit;
} JitOpDef;

/* A parsed descriptor. */
typedef struct JitOpInfo {
    const JitOpDef *def;
    uint8_t nout, nin;
    JitConstraint ct[TCG_MAX_OP_ARGS];
    uint8_t order[TCG_MAX_OP_ARGS];    /* inputs, most constrained first */
} JitOpInfo;

/* Host features found with cpuid at start-up. */
typedef struct JitHostFeatures {
    bool lzcnt;
    bool bmi1;          /* andn, tzcnt */
    bool bmi2;          /* shlx, sarx, shrx */
    bool popcnt;
} JitHostFeatures;

/* A code position inside the TB being generated (for TB-map lookups). */
typedef struct JitTBMapEntry {
    uintptr_t start;    /* execution address of the TB's code */
    uint32_t size;
    TranslationBlock *tb;
} JitTBMapEntry;

/* The per-accelerator JIT state (TCGAccel.backend_state). */
typedef struct JitState {
    JitHostFeatures host;
    JitOpInfo ops[NB_IR_OPS];
    /* Common code at the start of the region. */
    uintptr_t (*enter)(CPUState *cpu, const void *code);
    uintptr_t epilogue;         /* execution address: return (rax) */
    /* Slow paths of guest loads and stores (tlb_load_slow/tlb_store_slow,
     * or the checking mode's logging versions). */
    const void *ld_slow;
    const void *st_slow;
    intptr_t rx_delta;          /* execution = write address + delta */
    /* Host code positions of every TB, in address order (the region is
     * bump-allocated), for fault_position; reset by a flush. */
    JitTBMapEntry *map;
    size_t map_len, map_cap;
    uint64_t map_flushes;
    /* Checking mode (jit-check.c), NULL when off. */
    struct JitCheck *check;
    /* capstone handle for -d out_asm (0: none). */
    size_t capstone;
} JitState;

/* The JIT's header for a TB (TranslationBlock.code). */
typedef struct JitTB {
    uint8_t *code_rw;           /* write-side address of the code */
    uintptr_t code_rx;          /* where it executes */
    uint32_t code_size;
    uint32_t jmp_off[2];        /* goto_tb slots: offsets of their rel32 */
} JitTB;

/* A forward reference to a label. */
typedef struct JitReloc {
    uint32_t label;
    uint32_t at;                /* offset of the rel32 */
} JitReloc;

/* An out-of-line slow path of a guest load or store. */
typedef struct JitSlowPath {
    const TCGOp *op;
    uint32_t jump_at;           /* offset of the fast path's jne rel32 */
    uint32_t return_at;         /* offset to continue at */
    JitArg data;                /* value loaded (reg) or stored */
    int8_t addr;                /* address register */
    JitRegSet save;             /* caller-saved registers live across */
} JitSlowPath;

struct JitContext {
    TCGContext *s;
    TCGAccel *accel;
    JitState *js;
    TranslationBlock *tb;
    X86Buf code;
    bool overflow;              /* ran out of room in the region */
    bool too_big;               /* ran out of frame slots */
    bool unreachable;           /* after a branch or exit, before a label */
    bool check_stores;          /* checking mode: stores take the slow path */

    JitTemp *temps;
    uint32_t reg_to_temp[JIT_NB_REGS];
    JitRegSet locked;           /* registers the current op holds */
    /* Per op: bit i set when argument i dies there. */
    uint16_t *dead;
    unsigned op_index;

    /* Labels: offset once bound, and pending references. */
    int32_t *label_off;
    JitReloc *relocs;
    unsigned nb_relocs, relocs_cap;

    JitSlowPath *slow;
    unsigned nb_slow, slow_cap;

    /* Spill slots in use. */
    uint64_t slot_used[JIT_FRAME_SLOTS / 64];

    TBInsnStart *starts;
    unsigned nb_starts;
    uint32_t slow_start;        /* offset where the slow paths begin */
    uint32_t jmp_off[2];
};

/* --- target hooks (x86_64.c) --- */

/* The allocatable registers, most preferred first, and the clobber set. */
extern const int8_t jit_reg_alloc_order[];
extern const unsigned jit_reg_alloc_order_len;
extern const JitRegSet jit_call_clobbered;
extern const int8_t jit_call_arg_regs[TCG_HELPER_MAX_ARGS];
#define JIT_REG_ENV     X86_RBP
#define JIT_REG_SP      X86_RSP
#define JIT_REG_RET     X86_RAX
#define JIT_ALL_REGS    ((JitRegSet)(0xffff & ~(1u << X86_RSP) & \
                                      ~(1u << X86_RBP)))

/* The descriptor of @opc for these host features (NULL: special op). */
const JitOpDef *jit_tgt_op_def(const JitHostFeatures *host, TCGOpcode opc);
/* Parse one constraint letter into @ct; false if unknown. */
bool jit_tgt_parse_constraint(char c, JitConstraint *ct);

void jit_tgt_mov(JitContext *s, TCGType type, int dst, int src);
void jit_tgt_movi(JitContext *s, TCGType type, int reg, uint64_t val);
void jit_tgt_ld(JitContext *s, TCGType type, int reg, int base, int32_t off);
void jit_tgt_st(JitContext *s, TCGType type, int reg, int base, int32_t off);
void jit_tgt_sti(JitContext *s, TCGType type, uint64_t val, int base,
                 int32_t off);
/* Jump to @label: jcc is a JCC_* condition, or -1 for always. */
void jit_tgt_jump_label(JitContext *s, int jcc, uint32_t label);
void jit_tgt_goto_tb(JitContext *s, int slot);
void jit_tgt_exit_tb(JitContext *s, uintptr_t val);
void jit_tgt_goto_ptr(JitContext *s);
/* Call @func; the arguments are already in place. */
void jit_tgt_call(JitContext *s, const void *func);
/* reg = execution address of the next instruction (a return address
 * inside the current guest instruction's code). */
void jit_tgt_lea_here(JitContext *s, int reg);
void jit_tgt_mb(JitContext *s, unsigned bar);
/* Emit the out-of-line slow paths at the end of the TB. */
void jit_tgt_emit_slow_paths(JitContext *s);

/* --- allocator services for emitters (jit-regalloc.c) --- */

/* Record a rel32 at the current position - 4 referring to @label. */
void jit_label_ref(JitContext *s, uint32_t label);
/* Room check: false (and overflow set) when fewer than @n bytes remain. */
bool jit_room(JitContext *s, size_t n);
/* Registers holding values that must survive the current op. */
JitRegSet jit_live_regs(JitContext *s);
/* Queue a slow path. */
JitSlowPath *jit_new_slow_path(JitContext *s);

/* The code generator itself (the backend's gen_code). */
int jit_gen_code(TCGAccel *accel, TCGContext *s, TranslationBlock *tb);

/* x86_64.c: state and common code. */
bool jit_init(TCGAccel *accel, Error **errp);
void jit_destroy(TCGAccel *accel);
/* After generating @tb: record it for fault_position, dump -d out_asm. */
void jit_tb_done(JitContext *s, JitTB *jtb);

/* Slow-path entry points the generated code calls (x86_64.c). */
uint64_t jit_atomic_cmpxchg(CPUState *cpu, uint64_t addr, uint64_t cmp,
                            uint64_t val, uint32_t oi, uintptr_t ra);
uint64_t jit_atomic_rmw(CPUState *cpu, uint64_t addr, uint64_t val,
                        uint32_t oi, uintptr_t ra);
uintptr_t jit_lookup_tb_ptr(CPUState *cpu);

/* jit-check.c: the checking mode's record of guest stores. Before a store
 * of @size bytes at @addr (an atomic when @atomic) that the JIT is about
 * to make through a slow path: remember the old bytes, or note that the
 * run cannot be replayed (MMIO). May raise like the store itself. */
void jit_check_note_store(CPUState *cpu, uint64_t addr, unsigned size,
                          int mmu_idx, bool atomic, uintptr_t ra);

#endif /* ACCEL_TCG_JIT_INTERNAL_H */
