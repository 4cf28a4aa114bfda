/*
 * accel/tcg/tcg.h — Vireo's intermediate representation (IR).
 *
 * A frontend (target/ARCH/translate*.c) turns one translation block (TB) of
 * guest code into a list of IR ops in a TCGContext; the optimizer rewrites
 * the list; a backend (interp.c, later the x86-64 JIT) makes it executable.
 *
 * Values are temporaries of type I32 or I64 with distinct C handle types
 * (TCGv_i32, TCGv_i64), so mixing widths fails to compile. Kinds:
 *   global  a field of the CPU state struct (a guest register), addressed
 *           by its offset from the env pointer; always in memory at TB
 *           boundaries, at helper calls and when an op may fault;
 *   ebb     a scratch value that dies at the next label (end of its
 *           extended basic block): what tcg_temp_new_*() gives;
 *   tb      a scratch value that survives labels (tcg_temp_new_tb_*());
 *   const   an interned constant (tcg_constant_*()), never written.
 *
 * Ops are defined once in ir-ops.def. Constant op arguments (conditions,
 * MemOps, labels, offsets, helper descriptors) follow the temporaries in
 * op->args. Everything here lives in a TCGContext: there is no global
 * translation state, so each vCPU thread can own a context.
 */
#ifndef ACCEL_TCG_TCG_H
#define ACCEL_TCG_TCG_H

#include "util/osdep.h"
#include "util/typedefs.h"

typedef struct TCGContext TCGContext;
typedef struct TranslationBlock TranslationBlock;

/* --- op table --- */

enum {
    IR_OPF_SIDE_EFFECTS = 1 << 0,   /* never removed even if outputs dead */
    IR_OPF_MAY_FAULT    = 1 << 1,   /* may raise a guest exception */
    IR_OPF_CALL         = 1 << 2,   /* helper call: see TCGHelperInfo */
    IR_OPF_BB_START     = 1 << 3,   /* a label: starts a basic block */
    IR_OPF_BB_END       = 1 << 4,   /* a branch: ends a basic block */
    IR_OPF_BB_EXIT      = 1 << 5,   /* leaves the TB */
    IR_OPF_COND_BRANCH  = 1 << 6,   /* falls through when not taken */
    IR_OPF_I64_ONLY     = 1 << 7,   /* only exists with type I64 */
    IR_OPF_CONV         = 1 << 8,   /* input and output types differ */
    IR_OPF_UNTYPED      = 1 << 9,   /* has no meaningful type */
};

typedef enum TCGOpcode {
#define OP(name, nout, nin, nconst, flags) INDEX_op_##name,
#include "accel/tcg/ir-ops.def"
#undef OP
    NB_IR_OPS
} TCGOpcode;

typedef struct TCGOpDef {
    const char *name;
    int8_t nout;        /* -1: given by the call's helper */
    int8_t nin;
    uint8_t nconst;
    uint16_t flags;
} TCGOpDef;

extern const TCGOpDef tcg_op_defs[NB_IR_OPS];

/* --- value types, conditions, memory ops --- */

typedef enum TCGType {
    TCG_TYPE_I32,
    TCG_TYPE_I64,
} TCGType;

typedef enum TCGCond {
    TCG_COND_NEVER,
    TCG_COND_ALWAYS,
    TCG_COND_EQ,
    TCG_COND_NE,
    TCG_COND_LT,
    TCG_COND_GE,
    TCG_COND_LE,
    TCG_COND_GT,
    TCG_COND_LTU,
    TCG_COND_GEU,
    TCG_COND_LEU,
    TCG_COND_GTU,
} TCGCond;

TCGCond tcg_cond_invert(TCGCond c);     /* !(a c b) */
TCGCond tcg_cond_swap(TCGCond c);       /* b c' a == a c b */
const char *tcg_cond_name(TCGCond c);

/*
 * A guest memory access: log2 of the size, signedness, alignment rule.
 * Accesses are little-endian. Without MO_ALIGN an access may be
 * misaligned (and may cross pages); with it, a misaligned address raises
 * the target's address-misaligned exception.
 */
typedef enum MemOp {
    MO_8 = 0,
    MO_16 = 1,
    MO_32 = 2,
    MO_64 = 3,
    MO_SIZE = 3,
    MO_SIGN = 4,
    MO_ALIGN = 8,

    MO_UB = MO_8,
    MO_UW = MO_16,
    MO_UL = MO_32,
    MO_UQ = MO_64,
    MO_SB = MO_8 | MO_SIGN,
    MO_SW = MO_16 | MO_SIGN,
    MO_SL = MO_32 | MO_SIGN,
} MemOp;

static inline unsigned memop_size(MemOp op)
{
    return 1u << (op & MO_SIZE);
}

/* Read-modify-write operations of atomic_rmw. */
typedef enum TCGAtomicOp {
    TCG_ATOMIC_XCHG,
    TCG_ATOMIC_ADD,
    TCG_ATOMIC_AND,
    TCG_ATOMIC_OR,
    TCG_ATOMIC_XOR,
    TCG_ATOMIC_SMIN,
    TCG_ATOMIC_SMAX,
    TCG_ATOMIC_UMIN,
    TCG_ATOMIC_UMAX,
} TCGAtomicOp;

/* Barrier kinds for mb: which earlier accesses are ordered before which
 * later ones (a FENCE's predecessor/successor sets). */
typedef enum TCGBar {
    TCG_MO_LD_LD = 1,
    TCG_MO_ST_LD = 2,
    TCG_MO_LD_ST = 4,
    TCG_MO_ST_ST = 8,
    TCG_MO_ALL = 15,
} TCGBar;

/* Exit codes of exit_tb: why the TB returned to the CPU loop. */
typedef enum TBExit {
    TB_EXIT_NOCHAIN = 0,    /* next TB found by lookup */
    TB_EXIT_IDX0 = 1,       /* goto_tb slot 0 not yet linked */
    TB_EXIT_IDX1 = 2,       /* goto_tb slot 1 not yet linked */
    TB_EXIT_REQUESTED = 3,  /* exit_request was set at TB entry */
} TBExit;

/* --- helpers --- */

/* Argument/return kinds in a helper signature. */
typedef enum TCGHelperArg {
    TCG_HARG_VOID,          /* return only */
    TCG_HARG_I32,
    TCG_HARG_I64,
    TCG_HARG_ENV,           /* the CPUState pointer; no IR temp */
} TCGHelperArg;

enum {
    /* No side effects and no access to CPU state: may be removed when
     * unused and folded freely. */
    TCG_CALL_PURE = 1 << 0,
    /* Reads / writes guest globals through env. */
    TCG_CALL_READS_GLOBALS = 1 << 1,
    TCG_CALL_WRITES_GLOBALS = 1 << 2,
    /* May raise a guest exception (longjmp to the CPU loop). */
    TCG_CALL_MAY_RAISE = 1 << 3,
};

#define TCG_HELPER_MAX_ARGS 6

/*
 * One helper: a plain C function plus its descriptor. Helpers take and
 * return integers only (uint32_t / uint64_t) and optionally the env
 * pointer; a descriptor names them for -d op and tells the optimizer and
 * backends what a call clobbers. Descriptors are const objects defined
 * next to the helpers (target/ARCH/helper-table.c).
 */
typedef struct TCGHelperInfo {
    const char *name;
    void *func;
    uint8_t flags;
    uint8_t nargs;
    TCGHelperArg ret;
    TCGHelperArg args[TCG_HELPER_MAX_ARGS];
} TCGHelperInfo;

/* --- temporaries, labels, ops --- */

typedef enum TCGTempKind {
    TEMP_EBB,
    TEMP_TB,
    TEMP_GLOBAL,
    TEMP_CONST,
} TCGTempKind;

typedef struct TCGTemp {
    TCGType type;
    TCGTempKind kind;
    int32_t env_offset;     /* globals: field offset from env */
    uint64_t val;           /* constants */
    const char *name;       /* globals */
} TCGTemp;

/* Typed handles: index into TCGContext.temps. 0 is never a valid temp. */
typedef struct TCGv_i32 { uint32_t idx; } TCGv_i32;
typedef struct TCGv_i64 { uint32_t idx; } TCGv_i64;
typedef struct TCGLabel { uint32_t id; } TCGLabel;

#define TCG_MAX_OP_ARGS 10

typedef struct TCGOp {
    uint16_t opc;           /* TCGOpcode */
    uint8_t type;           /* TCGType */
    uint8_t nargs;          /* temps + constants actually used */
    uint8_t nout;
    uint8_t nin;
    uint64_t args[TCG_MAX_OP_ARGS];
} TCGOp;

/* Limits for one TB. The translator ends a TB early when near them. */
#define TCG_MAX_TEMPS 4096
#define TCG_MAX_OPS 8192
#define TCG_MAX_INSNS 512
#define TCG_MAX_LABELS 512

struct TCGContext {
    TCGTemp temps[TCG_MAX_TEMPS];
    unsigned nb_globals;    /* temps[1..nb_globals] are the globals */
    unsigned nb_temps;

    TCGOp *ops;
    unsigned nb_ops;
    unsigned ops_capacity;

    unsigned nb_labels;

    /* Constants interned for this TB: an open-addressed hash of temp
     * indices (0 = empty), cleared per TB. */
    unsigned nb_consts;
    uint32_t const_table[1024];

    /* Set when an IR limit was hit: the translator must end the TB. */
    bool overflow;
    Log *log;
    /* The frontend's per-context data (its globals), from tcg_init: one
     * malloc'ed block, freed with the context. */
    void *frontend;
};

/* Context lifecycle: globals survive tcg_context_reset(). */
TCGContext *tcg_context_new(Log *log);
void tcg_context_free(TCGContext *s);
/* Forget the last TB's ops, temps and labels (keep globals). */
void tcg_context_reset(TCGContext *s);

TCGv_i64 tcg_global_mem_new_i64(TCGContext *s, int32_t env_offset,
                                const char *name);
TCGv_i32 tcg_global_mem_new_i32(TCGContext *s, int32_t env_offset,
                                const char *name);

TCGv_i64 tcg_temp_new_i64(TCGContext *s);
TCGv_i32 tcg_temp_new_i32(TCGContext *s);
TCGv_i64 tcg_temp_new_tb_i64(TCGContext *s);
TCGv_i32 tcg_temp_new_tb_i32(TCGContext *s);
/* The interned constant temp holding @val (truncated for I32). */
uint32_t tcg_constant_idx(TCGContext *s, TCGType type, uint64_t val);
TCGv_i64 tcg_constant_i64(TCGContext *s, int64_t val);
TCGv_i32 tcg_constant_i32(TCGContext *s, int32_t val);

TCGLabel gen_new_label(TCGContext *s);

static inline TCGTemp *tcg_temp(TCGContext *s, uint32_t idx)
{
    return &s->temps[idx];
}

/* Append an op; @args holds temps (as indices) then constants. */
TCGOp *tcg_emit_op(TCGContext *s, TCGOpcode opc, TCGType type,
                   const uint64_t *args, unsigned nargs);

/* Emit a helper call. @ret is the output temp index or 0; @args are the
 * input temp indices for the non-env arguments, in order. */
void tcg_gen_call(TCGContext *s, const TCGHelperInfo *info, uint32_t ret,
                  const uint32_t *args, unsigned nargs);

/* Number of temps an op reads/writes (resolves calls). */
static inline unsigned tcg_op_nout(const TCGOp *op)
{
    return op->nout;
}
static inline unsigned tcg_op_nin(const TCGOp *op)
{
    return op->nin;
}
/* Index of the first constant argument. */
static inline unsigned tcg_op_const_base(const TCGOp *op)
{
    return op->nout + op->nin;
}

/*
 * Check the op list for structural errors (argument counts and types,
 * labels defined once and used, ebb temps not read across a label before
 * being written, constants never written). Returns false and fills *errp
 * with the first problem. Run in debug builds and by the unit tests.
 */
bool tcg_verify(TCGContext *s, Error **errp);

/* Print the op list as -d op / -d op_opt show it. */
void tcg_dump_ops(TCGContext *s, FILE *out);

/* The optimizer: constant folding and propagation, copy propagation,
 * dead-code removal (see optimize.c for the order of rewrites). */
void tcg_optimize(TCGContext *s);

#endif /* ACCEL_TCG_TCG_H */
