#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""decodetree.py — generate instruction decoders and a disassembler table
from declarative .decode files.

The idea follows QEMU's decodetree (docs/devel/decodetree.rst): encodings
are written once, as bit patterns, and C is generated from them.  This is
Vireo's own, smaller implementation.  Python 3 standard library only; it
runs at build time and writes into the build directory.

Usage:
  decodetree.py [--prefix riscv] [--ctx-header H] [--funcs-header H]
                [--output-dir DIR | --check] FILE.decode...

All files are merged into one decoder per instruction width (16 and 32
bits; the width of a pattern is its number of bits).  Outputs, in DIR:
  PREFIX-decode.h       argument structs, trans_* prototypes, pattern ids,
                        DecodePatternInfo, DisasFields, decoder prototypes
  PREFIX-decode.c       PREFIX_decode32/16(ctx, insn): nested switches that
                        call trans_NAME(ctx, &args)
  PREFIX-disas-table.c  PREFIX_disas_decode32/16(insn, &fields) returning
                        the pattern id, and the pattern info table
With --check nothing is written: the files are only validated.
Errors are printed as "FILE:LINE: error: MESSAGE" and exit status is 1.

Syntax (one statement per line; '#' starts a comment; a trailing '\\'
continues a line; quoted strings may contain spaces and '#'):

  %NAME SEG... [!function=FN]        field.  SEG is POS:LEN or POS:sLEN
        (signed).  Segments are concatenated, the first one most
        significant; only the first may be signed.  FN is a pure
        "static inline int FN(int)" from the functions header, applied
        after extraction (e.g. to scale an offset).

  &NAME [MEMBER...]                  argument set: a C struct of ints
                                     "typedef struct {...} arg_NAME;"

  @NAME BITS... [ARG...] [ATTR...]   format: a reusable pattern shape
  NAME  BITS... [ARG...] [ATTR...]   pattern: one encoding of an insn

    BITS are strings of 0 1 (fixed) and . - (free); all BITS tokens of a
    line together give the width, 16 or 32 bits, most significant first.
    ARG is one of
      @FORMAT        use FORMAT's bits, argument set, fields and templates
      &ARGSET        the argument set to fill
      %FIELD         member FIELD gets field %FIELD
      M=%FIELD       member M gets field %FIELD
      M=NUMBER       member M gets a constant
    A pattern's own bits, fields and attributes add to or override its
    format's.  Every member of the argument set must get a value, and only
    members of it may be given one.  A pattern or format without fields
    uses the empty argument set.
    ATTR (patterns; !asm and !suffix also on formats):
      !trans=T       call trans_T (default: the pattern's name).  All
                     patterns calling one trans function share its
                     argument set; compressed patterns name their 32-bit
                     twin, e.g. "c_add ... !trans=add".
      !mnemonic=M    disassembly mnemonic (default: T with '_' -> '.')
      !asm="TPL"     operand template (default: the format's, else "")
      !suffix="TPL"  template appended to the mnemonic (e.g. "{aqrl}")

  A pattern named "reserved" marks encodings the spec reserves: it has no
  trans function and no pattern id; the decoder returns false and the
  disassembler -1 for it.  It is only useful inside a { } group.

  { ... }   overlap group: members may overlap and are tried in order; a
            trans function returning false falls through to the next one
            (the disassembler takes the first member whose bits match).
  [ ... ]   non-overlap group, only inside { }: its members must not
            overlap each other, and it is tried as one member.
  Outside { } groups, no two patterns may match the same instruction.

Template language (for the disassembler).  Text is copied; {OPERAND}
or {OPERAND:PRINTER} is replaced, OPERAND being an argument set member:
  r      integer register ABI name (zero, ra, sp, ... t6)
  f      FP register ABI name (ft0, ..., ft11)
  d      signed decimal
  x      hexadecimal, 0x prefix (shift amounts, as objdump prints them)
  hi     (value >> 12) & 0xfffff in hex (lui/auipc upper immediates)
  pcrel  pc + value as an absolute hex address (branch/jump targets)
  csr    CSR name, hex number if unknown
  rm     ",RM" rounding mode; nothing for dyn (7)
  rm0    ",RM" rounding mode; nothing for rne (0), for exact conversions
  fence  fence predecessor/successor set: subset of "iorw", or "0"
The default printer is r for rd, rs1, rs2 and d for anything else.
{aqrl} (no member) prints ".aq", ".rl", ".aqrl" or nothing from the
members aq and rl.  Use '{{' and '}}' for literal braces.
"""

import argparse
import os
import re
import shlex
import sys

PRINTERS = ("r", "f", "d", "x", "hi", "pcrel", "csr", "rm", "rm0", "fence")
DEFAULT_REG_FIELDS = ("rd", "rs1", "rs2")
WIDTHS = (16, 32)
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")


class DecodeError(Exception):
    def __init__(self, where, msg):
        super().__init__("%s: error: %s" % (where, msg))


class Field:
    def __init__(self, name, segs, func, where):
        self.name, self.segs, self.func, self.where = name, segs, func, where

    def top_bit(self):
        return max(pos + length for pos, length, _ in self.segs)

    def c_expr(self, insn, width):
        """C expression extracting this field from variable @insn."""
        parts = []
        shift = sum(length for _, length, _ in self.segs)
        for i, (pos, length, signed) in enumerate(self.segs):
            shift -= length
            fn = "dt_sextract" if signed else "dt_extract"
            if length == 32:
                e = "(int)%s" % insn
            else:
                e = "%s(%s, %d, %d)" % (fn, insn, pos, length)
            if shift:
                # Shift a signed top segment by multiplication-free cast to
                # keep it well defined for negative values.
                e = ("(int)((unsigned)%s << %d)" % (e, shift)) if signed \
                    else "(%s << %d)" % (e, shift)
            parts.append(e)
        e = " | ".join(parts)
        if self.func:
            e = "%s(%s)" % (self.func, e)
        return e


class ArgSet:
    def __init__(self, name, members, where):
        self.name, self.members, self.where = name, members, where


class Shape:
    """Common part of formats and patterns."""
    def __init__(self, name, where):
        self.name, self.where = name, where
        self.width = 0
        self.mask = 0
        self.match = 0
        self.argset = None
        self.assigns = {}       # member -> Field or int
        self.asm = None
        self.suffix = None


class Pattern(Shape):
    def __init__(self, name, where):
        super().__init__(name, where)
        self.trans = name
        self.mnemonic = None
        self.format = None
        self.reserved = name == "reserved"
        self.groups = []        # enclosing Group objects, outermost first
        self.pid = -1


class Group:
    def __init__(self, kind, where, parent):
        self.kind, self.where, self.parent = kind, where, parent
        self.members = []       # Pattern or Group
        self.index = 0          # overlap group number, 1-based

    # A group acts as one item in its parent's decision tree: the bits it
    # fixes are those all members fix to the same value.
    def patterns(self):
        for m in self.members:
            if isinstance(m, Group):
                yield from m.patterns()
            else:
                yield m


def item_mask_match(item):
    if isinstance(item, Pattern):
        return item.mask, item.match
    pats = list(item.patterns())
    mask = (1 << 32) - 1
    first = pats[0].match
    for p in pats:
        mask &= p.mask & ~(p.match ^ first)
    return mask, first & mask


def item_width(item):
    if isinstance(item, Pattern):
        return item.width
    return next(item.patterns()).width


def bits_str(mask, match, width):
    s = ""
    for b in range(width - 1, -1, -1):
        s += ("1" if match >> b & 1 else "0") if mask >> b & 1 else "."
    return s


class Parser:
    def __init__(self):
        self.fields = {}
        self.argsets = {"empty": ArgSet("empty", [], "<builtin>")}
        self.formats = {}
        self.patterns = []
        self.pattern_names = {}
        self.top = Group("top", "<top>", None)
        self.group_count = 0

    # ---- lexing ----
    def logical_lines(self, path):
        try:
            with open(path, encoding="utf-8") as f:
                raw = f.read().split("\n")
        except OSError as e:
            raise DecodeError(path, "cannot read: %s" % e.strerror)
        buf, start = "", 0
        for no, line in enumerate(raw, 1):
            if not buf:
                start = no
            if line.endswith("\\"):
                buf += line[:-1] + " "
                continue
            buf += line
            yield start, buf
            buf = ""
        if buf:
            yield start, buf

    def parse_file(self, path):
        stack = [self.top]
        for lineno, text in self.logical_lines(path):
            where = "%s:%d" % (path, lineno)
            try:
                toks = shlex.split(text, comments=True, posix=True)
            except ValueError as e:
                raise DecodeError(where, "cannot split line: %s" % e)
            if not toks:
                continue
            t = toks[0]
            if t in ("{", "["):
                if len(toks) != 1:
                    raise DecodeError(where, "'%s' must be alone on its line" % t)
                if t == "[" and stack[-1].kind != "{":
                    raise DecodeError(where, "'[' group only allowed inside '{'")
                g = Group(t, where, stack[-1])
                if t == "{":
                    self.group_count += 1
                    g.index = self.group_count
                stack[-1].members.append(g)
                stack.append(g)
            elif t in ("}", "]"):
                want = "{" if t == "}" else "["
                if len(toks) != 1:
                    raise DecodeError(where, "'%s' must be alone on its line" % t)
                if stack[-1].kind != want:
                    raise DecodeError(where, "unbalanced '%s'" % t)
                g = stack.pop()
                if not g.members:
                    raise DecodeError(g.where, "empty group")
                pats = list(g.patterns())
                for p in pats:
                    if p.width != pats[0].width:
                        raise DecodeError(p.where, "%d-bit pattern '%s' in a group of "
                                          "%d-bit patterns" % (p.width, p.name, pats[0].width))
            elif t[0] == "%":
                self.parse_field(toks, where)
            elif t[0] == "&":
                self.parse_argset(toks, where)
            elif t[0] == "@":
                self.parse_shape(toks, where, is_format=True)
            else:
                p = self.parse_shape(toks, where, is_format=False)
                p.groups = [g for g in stack[1:]]
                stack[-1].members.append(p)
        if len(stack) != 1:
            raise DecodeError(stack[-1].where, "group not closed at end of file")

    # ---- statements ----
    def check_name(self, name, what, where):
        if not IDENT.match(name):
            raise DecodeError(where, "invalid %s name '%s'" % (what, name))

    def parse_field(self, toks, where):
        name = toks[0][1:]
        self.check_name(name, "field", where)
        if name in self.fields:
            raise DecodeError(where, "duplicate field '%%%s' (first defined at %s)"
                              % (name, self.fields[name].where))
        segs, func = [], None
        for t in toks[1:]:
            if t.startswith("!function="):
                func = t[len("!function="):]
                self.check_name(func, "function", where)
                continue
            m = re.match(r"(\d+):(s?)(\d+)$", t)
            if not m:
                raise DecodeError(where, "bad field segment '%s' (want POS:LEN or POS:sLEN)" % t)
            pos, signed, length = int(m.group(1)), m.group(2) == "s", int(m.group(3))
            if length == 0:
                raise DecodeError(where, "field segment '%s' has zero length" % t)
            if pos + length > 32:
                raise DecodeError(where, "field segment '%s' extends beyond bit 31" % t)
            if signed and segs:
                raise DecodeError(where, "only the first segment of a field may be signed")
            segs.append((pos, length, signed))
        if not segs:
            raise DecodeError(where, "field '%%%s' has no segments" % name)
        if sum(s[1] for s in segs) > 32:
            raise DecodeError(where, "field '%%%s' is wider than 32 bits" % name)
        self.fields[name] = Field(name, segs, func, where)

    def parse_argset(self, toks, where):
        name = toks[0][1:]
        self.check_name(name, "argument set", where)
        if name in self.argsets:
            raise DecodeError(where, "duplicate argument set '&%s' (first defined at %s)"
                              % (name, self.argsets[name].where))
        members = []
        for t in toks[1:]:
            if t == "!extern":
                continue
            self.check_name(t, "argument set member", where)
            if t in members:
                raise DecodeError(where, "duplicate member '%s' in '&%s'" % (t, name))
            members.append(t)
        self.argsets[name] = ArgSet(name, members, where)

    def parse_number(self, s, where):
        try:
            return int(s, 0)
        except ValueError:
            raise DecodeError(where, "bad number '%s'" % s)

    def parse_shape(self, toks, where, is_format):
        name = toks[0][1:] if is_format else toks[0]
        self.check_name(name, "format" if is_format else "pattern", where)
        if is_format:
            if name in self.formats:
                raise DecodeError(where, "duplicate format '@%s' (first defined at %s)"
                                  % (name, self.formats[name].where))
            s = Shape(name, where)
        else:
            if name != "reserved" and name in self.pattern_names:
                raise DecodeError(where, "duplicate pattern '%s' (first defined at %s)"
                                  % (name, self.pattern_names[name].where))
            s = Pattern(name, where)
        i = 1
        bits = ""
        while i < len(toks) and re.match(r"[01.\-]+$", toks[i]):
            bits += toks[i]
            i += 1
        if len(bits) not in WIDTHS:
            raise DecodeError(where, "%s '%s' has %d bits; expected %s" % (
                "format" if is_format else "pattern", name, len(bits),
                " or ".join(str(w) for w in WIDTHS)))
        s.width = len(bits)
        own_mask = own_match = 0
        for c in bits:
            own_mask <<= 1
            own_match <<= 1
            if c in "01":
                own_mask |= 1
                own_match |= int(c)
        fmt = None
        own_argset = None
        own_assigns = {}
        attrs = {}
        for t in toks[i:]:
            if t[0] == "@":
                if fmt is not None or is_format:
                    raise DecodeError(where, "unexpected format reference '%s'" % t)
                if t[1:] not in self.formats:
                    raise DecodeError(where, "unknown format '%s'" % t)
                fmt = self.formats[t[1:]]
            elif t[0] == "&":
                if own_argset is not None:
                    raise DecodeError(where, "more than one argument set")
                if t[1:] not in self.argsets:
                    raise DecodeError(where, "unknown argument set '%s'" % t)
                own_argset = self.argsets[t[1:]]
            elif t[0] == "%":
                fname = t[1:]
                if fname not in self.fields:
                    raise DecodeError(where, "unknown field '%s'" % t)
                if fname in own_assigns:
                    raise DecodeError(where, "member '%s' assigned twice" % fname)
                own_assigns[fname] = self.fields[fname]
            elif t[0] == "!":
                m = re.match(r"!(asm|suffix|trans|mnemonic)=(.*)$", t, re.S)
                if not m:
                    raise DecodeError(where, "unknown attribute '%s'" % t)
                key, val = m.group(1), m.group(2)
                if is_format and key in ("trans", "mnemonic"):
                    raise DecodeError(where, "'!%s' is only allowed on patterns" % key)
                if key in attrs:
                    raise DecodeError(where, "attribute '!%s' given twice" % key)
                attrs[key] = val
            elif "=" in t:
                mem, val = t.split("=", 1)
                self.check_name(mem, "member", where)
                if mem in own_assigns:
                    raise DecodeError(where, "member '%s' assigned twice" % mem)
                if val.startswith("%"):
                    if val[1:] not in self.fields:
                        raise DecodeError(where, "unknown field '%s'" % val)
                    own_assigns[mem] = self.fields[val[1:]]
                else:
                    own_assigns[mem] = self.parse_number(val, where)
            else:
                raise DecodeError(where, "unexpected token '%s'" % t)

        # Combine with the format.
        if fmt is not None:
            if fmt.width != s.width:
                raise DecodeError(where, "pattern has %d bits but format '@%s' has %d"
                                  % (s.width, fmt.name, fmt.width))
            clash = own_mask & fmt.mask & (own_match ^ fmt.match)
            if clash:
                raise DecodeError(where, "fixed bits conflict with format '@%s' (bits 0x%x)"
                                  % (fmt.name, clash))
            s.mask = own_mask | fmt.mask
            s.match = own_match | fmt.match
            s.argset = own_argset or fmt.argset
            s.assigns = dict(fmt.assigns)
            s.assigns.update(own_assigns)
            s.asm = fmt.asm
            s.suffix = fmt.suffix
            s.format = fmt
        else:
            s.mask, s.match = own_mask, own_match
            s.argset = own_argset
            s.assigns = own_assigns
        if "asm" in attrs:
            s.asm = attrs["asm"]
        if "suffix" in attrs:
            s.suffix = attrs["suffix"]
        if s.argset is None:
            if s.assigns:
                raise DecodeError(where, "fields given but no argument set (&NAME)")
            s.argset = self.argsets["empty"]
        # Members and assignments must agree exactly.
        for mem, val in s.assigns.items():
            if mem not in s.argset.members:
                raise DecodeError(where, "'%s' is not a member of argument set '&%s'"
                                  % (mem, s.argset.name))
            if isinstance(val, Field) and val.top_bit() > s.width:
                raise DecodeError(where, "field '%%%s' reaches bit %d, beyond this %d-bit %s"
                                  % (val.name, val.top_bit() - 1, s.width,
                                     "format" if is_format else "pattern"))
        if not is_format:
            missing = [m for m in s.argset.members if m not in s.assigns]
            if missing and not s.reserved:
                raise DecodeError(where, "argument set '&%s' member(s) %s not assigned"
                                  % (s.argset.name, ", ".join(missing)))
        if is_format:
            for tpl in (s.asm, s.suffix):
                if tpl is not None:
                    check_template(tpl, s, where)
            self.formats[name] = s
            return s
        s.trans = attrs.get("trans", name)
        self.check_name(s.trans, "trans function", where)
        s.mnemonic = attrs.get("mnemonic", s.trans.replace("_", "."))
        if s.reserved:
            if "trans" in attrs:
                raise DecodeError(where, "a 'reserved' pattern has no trans function")
        else:
            self.pattern_names[name] = s
            for tpl in (s.asm, s.suffix):
                if tpl is not None:
                    check_template(tpl, s, where)
        self.patterns.append(s)
        return s


def parse_template(tpl):
    """Split a template into literal text and (operand, printer) tuples."""
    out, i, lit = [], 0, ""
    while i < len(tpl):
        c = tpl[i]
        if c == "{" and tpl.startswith("{{", i):
            lit += "{"
            i += 2
        elif c == "}" and tpl.startswith("}}", i):
            lit += "}"
            i += 2
        elif c == "{":
            j = tpl.find("}", i)
            if j < 0:
                raise ValueError("unterminated '{' in template")
            body = tpl[i + 1:j]
            name, _, printer = body.partition(":")
            if lit:
                out.append(lit)
                lit = ""
            out.append((name, printer))
            i = j + 1
        elif c == "}":
            raise ValueError("unmatched '}' in template")
        else:
            lit += c
            i += 1
    if lit:
        out.append(lit)
    return out


def check_template(tpl, pat, where):
    try:
        parts = parse_template(tpl)
    except ValueError as e:
        raise DecodeError(where, "bad template \"%s\": %s" % (tpl, e))
    for part in parts:
        if isinstance(part, str):
            continue
        name, printer = part
        if name == "aqrl" and printer == "":
            for m in ("aq", "rl"):
                if m not in pat.argset.members:
                    raise DecodeError(where, "template operand {aqrl} needs member '%s'" % m)
            continue
        if name not in pat.argset.members:
            raise DecodeError(where, "template operand '{%s}' is not a member of '&%s'"
                              % (name, pat.argset.name))
        if printer and printer not in PRINTERS:
            raise DecodeError(where, "template operand '{%s:%s}': unknown printer '%s'"
                              % (name, printer, printer))


def check_overlaps(pats):
    """No two patterns may overlap unless their innermost common group is a
    { } group."""
    for i, a in enumerate(pats):
        for b in pats[i + 1:]:
            if a.width != b.width:
                continue
            if (a.match ^ b.match) & a.mask & b.mask:
                continue
            common = None
            for ga, gb in zip(a.groups, b.groups):
                if ga is not gb:
                    break
                common = ga
            if common is not None and common.kind == "{":
                continue
            raise DecodeError(b.where, "pattern '%s' overlaps pattern '%s' at %s "
                              "(put both in a { } group if that is intended)"
                              % (b.name, a.name, a.where))


# ---------------------------------------------------------------------------
# Code generation

class Gen:
    def __init__(self, parser, prefix, ctx_header, funcs_header):
        self.p = parser
        self.prefix = prefix
        self.PREFIX = prefix.upper()
        self.ctx_header = ctx_header
        self.funcs_header = funcs_header
        self.real = [p for p in parser.patterns if not p.reserved]
        for i, p in enumerate(self.real):
            p.pid = i
        # trans name -> argset; consistency check
        self.trans = {}
        self.trans_order = []
        for p in self.real:
            prev = self.trans.get(p.trans)
            if prev is None:
                self.trans[p.trans] = p
                self.trans_order.append(p.trans)
            elif prev.argset is not p.argset:
                raise DecodeError(p.where, "trans_%s takes '&%s' at %s but '&%s' here"
                                  % (p.trans, prev.argset.name, prev.where, p.argset.name))
        self.used_argsets = []
        for p in self.real:
            if p.argset not in self.used_argsets:
                self.used_argsets.append(p.argset)
        members = set()
        for a in self.p.argsets.values():
            members.update(a.members)
        self.all_members = sorted(members)
        self.extractors = {}    # key -> (name, argset, assigns)

    def header_include(self):
        """The generated header, as the other generated files include it:
        next to the translator's header (e.g. "target/riscv/riscv-decode.h";
        the build directory mirrors the source tree)."""
        d = os.path.dirname(self.ctx_header)
        return (d + "/" if d else "") + self.prefix + "-decode.h"

    def pat_id(self, p):
        return "%s_PAT_%s" % (self.PREFIX, p.name.upper())

    def trans_id(self, t):
        return "%s_TRANS_%s" % (self.PREFIX, t.upper())

    # ---- header ----
    def header(self):
        guard = "%s_DECODE_H" % self.PREFIX
        o = []
        o.append("/* Generated by scripts/decodetree.py from %s. Do not edit. */"
                 % ", ".join(self.sources()))
        o.append("#ifndef %s\n#define %s\n" % (guard, guard))
        o.append("#include <stdbool.h>\n#include <stdint.h>\n")
        o.append("typedef struct DisasContext DisasContext;\n")
        o.append("/* Argument sets. */")
        for a in self.p.argsets.values():
            if a.members:
                o.append("typedef struct { int %s; } arg_%s;" % (", ".join(a.members), a.name))
            else:
                o.append("typedef struct { int unused_; } arg_%s;" % a.name)
        o.append("\n/* One argument type per trans function. */")
        for t in self.trans_order:
            a = self.trans[t].argset
            if t != a.name:
                o.append("typedef arg_%s arg_%s;" % (a.name, t))
        o.append("\n/* Translator entry points: return false for \"not mine / illegal\". */")
        for t in self.trans_order:
            o.append("bool trans_%s(DisasContext *ctx, arg_%s *a);" % (t, t))
        o.append("\n/* Pattern ids, in .decode file order. */")
        o.append("enum {")
        for p in self.real:
            o.append("    %s, /* %d-bit, %s */" % (self.pat_id(p), p.width,
                                                   short_where(p.where)))
        o.append("    %s_PAT_COUNT\n};\n" % self.PREFIX)
        o.append("/* Trans function ids (patterns sharing a trans share its id). */")
        o.append("enum {")
        for t in self.trans_order:
            o.append("    %s," % self.trans_id(t))
        o.append("    %s_TRANS_COUNT\n};\n" % self.PREFIX)
        o.append("""/* What the generator knows about one pattern. */
typedef struct DecodePatternInfo {
    const char *name;       /* pattern name in the .decode file */
    const char *mnemonic;   /* disassembly mnemonic */
    const char *suffix;     /* template appended to the mnemonic ("" if none) */
    const char *asm_tpl;    /* operand template ("" if none) */
    const char *where;      /* "file:line" of the pattern */
    uint32_t mask;          /* fixed bits */
    uint32_t match;         /* their values */
    uint16_t trans;         /* %s_TRANS_* id */
    uint8_t width;          /* 16 or 32 */
    uint8_t group;          /* innermost { } group number, 0 if none */
} DecodePatternInfo;

extern const DecodePatternInfo %s_decode_patterns[];
extern const unsigned %s_decode_pattern_count;
""" % (self.PREFIX, self.prefix, self.prefix))
        o.append("/* Every argument set member, for decoding without a DisasContext. */")
        o.append("typedef struct DisasFields {")
        o.append("    int %s;" % ", ".join(self.all_members) if self.all_members else "    int unused_;")
        o.append("} DisasFields;\n")
        o.append("""/* Name -> offset of each DisasFields member (for templates). */
typedef struct DisasFieldName {
    const char *name;
    unsigned offset;
} DisasFieldName;
extern const DisasFieldName %s_disas_field_names[];
extern const unsigned %s_disas_field_count;
""" % (self.prefix, self.prefix))
        o.append("""/*
 * Decode @insn and call its trans_* function.  Returns false when no
 * pattern matches, the encoding is reserved, or trans_* returned false.
 */
bool %s_decode32(DisasContext *ctx, uint32_t insn);
bool %s_decode16(DisasContext *ctx, uint16_t insn);

/*
 * Decode @insn without translating: fill *@out (members the pattern does
 * not use are 0) and return the pattern id, or -1 if none matches.
 */
int %s_disas_decode32(uint32_t insn, DisasFields *out);
int %s_disas_decode16(uint16_t insn, DisasFields *out);
""" % (self.prefix, self.prefix, self.prefix, self.prefix))
        o.append("#endif /* %s */" % guard)
        return "\n".join(o) + "\n"

    def sources(self):
        seen = []
        for p in self.p.patterns:
            f = p.where.rsplit(":", 1)[0]
            if os.path.basename(f) not in seen:
                seen.append(os.path.basename(f))
        return seen

    # ---- shared C preamble ----
    def banner(self, what):
        return ("/* Generated by scripts/decodetree.py (%s) from %s.\n"
                " * Do not edit: change the .decode files. */\n"
                "#include <stdbool.h>\n#include <stdint.h>"
                % (what, ", ".join(self.sources())))

    def helpers(self):
        return """static inline int dt_extract(uint32_t insn, int pos, int len)
{
    return (int)((insn >> pos) & ((1u << len) - 1));
}

static inline int dt_sextract(uint32_t insn, int pos, int len)
{
    return (int)(insn << (32 - pos - len)) >> (32 - len);
}
"""

    def extractor(self, p, disas):
        """Name of a static function filling p's arguments (one per distinct
        argument/field combination)."""
        key = (disas, p.width, p.argset.name,
               tuple(sorted((k, v.name if isinstance(v, Field) else v)
                            for k, v in p.assigns.items())))
        if key not in self.extractors:
            base = p.format.name if p.format is not None and \
                p.assigns == p.format.assigns else p.argset.name
            name = "extract%d_%s" % (p.width, base)
            used = {v[0] for k, v in self.extractors.items() if k[0] == disas}
            n = name
            k = 2
            while n in used:
                n = "%s_%d" % (name, k)
                k += 1
            self.extractors[key] = (n, p)
        return self.extractors[key][0]

    def emit_extractors(self, disas):
        o = []
        for key, (name, p) in self.extractors.items():
            if key[0] != disas:
                continue
            if disas:
                o.append("static void %s(DisasFields *a, uint32_t insn)\n{" % name)
            else:
                o.append("static void %s(arg_%s *a, uint32_t insn)\n{" % (name, p.argset.name))
            if not p.assigns:
                o.append("    (void)a;\n    (void)insn;")
            for mem in p.argset.members:
                v = p.assigns[mem]
                e = v.c_expr("insn", p.width) if isinstance(v, Field) else str(v)
                o.append("    a->%s = %s;" % (mem, e))
            o.append("}\n")
        return o

    def emit_leaf(self, p, known, ind, disas, in_group, o):
        rest = p.mask & ~known
        o.append("%s/* %s %s %s */" % (ind, bits_str(p.mask, p.match, p.width),
                                        p.name, short_where(p.where)))
        if rest:
            o.append("%sif ((insn & 0x%08x) == 0x%08x) {" % (ind, rest, p.match & rest))
            body = ind + "    "
        else:
            body = ind
        if p.reserved:
            o.append("%sreturn %s;" % (body, "-1" if disas else "false"))
        elif disas:
            o.append("%s%s(out, insn);" % (body, self.extractor(p, True)))
            o.append("%sreturn %s;" % (body, self.pat_id(p)))
        else:
            fn = self.extractor(p, False)
            o.append("%s%s(&u.f_%s, insn);" % (body, fn, p.argset.name))
            o.append("%sDECODE_NOTE_PATTERN(ctx, %s);" % (body, self.pat_id(p)))
            call = "trans_%s(ctx, &u.f_%s)" % (p.trans, p.argset.name)
            if in_group:
                o.append("%sif (%s) {\n%s    return true;\n%s}" % (body, call, body, body))
            else:
                o.append("%sreturn %s;" % (body, call))
        if rest:
            o.append("%s}" % ind)

    def emit_item(self, item, known, ind, disas, in_group, o):
        if isinstance(item, Pattern):
            self.emit_leaf(item, known, ind, disas, in_group, o)
            return
        if item.kind == "[":
            self.emit_tree(item.members, known, ind, disas, True, o)
            return
        # Overlap group: try members in order.
        o.append("%s/* { group %s */" % (ind, short_where(item.where)))
        gmask, gmatch = item_mask_match(item)
        rest = gmask & ~known
        if rest:
            o.append("%sif ((insn & 0x%08x) == 0x%08x) {" % (ind, rest, gmatch & rest))
            inner = ind + "    "
            known |= gmask
        else:
            inner = ind
        for m in item.members:
            self.emit_item(m, known, inner, disas, True, o)
        if rest:
            o.append("%s}" % ind)
        o.append("%s/* } */" % ind)

    def emit_tree(self, items, known, ind, disas, in_group, o):
        if len(items) == 1:
            self.emit_item(items[0], known, ind, disas, in_group, o)
            return
        common = (1 << 32) - 1
        for it in items:
            common &= item_mask_match(it)[0]
        common &= ~known
        if common == 0:
            # Disjoint but without a shared discriminating bit: test each.
            for it in items:
                self.emit_item(it, known, ind, disas, in_group, o)
            return
        parts = {}
        for it in items:
            v = item_mask_match(it)[1] & common
            parts.setdefault(v, []).append(it)
        width = item_width(items[0])
        o.append("%sswitch (insn & 0x%08x) {" % (ind, common))
        for v in sorted(parts):
            o.append("%scase 0x%08x:" % (ind, v))
            o.append("%s    /* %s */" % (ind, bits_str(common, v, width)))
            self.emit_tree(parts[v], known | common, ind + "    ", disas, in_group, o)
            if not o[-1].startswith(ind + "    return "):
                o.append("%s    break;" % ind)
        o.append("%s}" % ind)

    def decoder_fn(self, width, disas):
        items = [m for m in self.p.top.members if item_width(m) == width]
        itype = "uint32_t" if width == 32 else "uint16_t"
        o = []
        if disas:
            o.append("int %s_disas_decode%d(%s insn_in, DisasFields *out)\n{" %
                     (self.prefix, width, itype))
            o.append("    uint32_t insn = insn_in;\n")
            o.append("    memset(out, 0, sizeof(*out));")
        else:
            o.append("bool %s_decode%d(DisasContext *ctx, %s insn_in)\n{" %
                     (self.prefix, width, itype))
            o.append("    uint32_t insn = insn_in;")
            sets = []
            for p in self.real:
                if p.width == width and p.argset not in sets:
                    sets.append(p.argset)
            if sets:
                o.append("    union {")
                for a in sets:
                    o.append("        arg_%s f_%s;" % (a.name, a.name))
                o.append("    } u;\n")
        if items:
            self.emit_tree(items, 0, "    ", disas, False, o)
        else:
            o.append("    (void)insn;")
        o.append("    return %s;\n}\n" % ("-1" if disas else "false"))
        return o

    def decode_c(self):
        head = ['#include "%s"' % self.ctx_header,
                '#include "%s"' % self.header_include(),
                '#include "%s"' % self.funcs_header,
                "",
                "/* The translator may define this to record executed patterns. */",
                "#ifndef DECODE_NOTE_PATTERN",
                "#define DECODE_NOTE_PATTERN(ctx, id) do { } while (0)",
                "#endif",
                ""]
        fns = []
        for w in (32, 16):
            fns.extend(self.decoder_fn(w, False))
        return "\n".join([self.banner("decoder")] + head + [self.helpers()] +
                         self.emit_extractors(False) + fns) + "\n"

    def disas_c(self):
        head = ['#include <stddef.h>', '#include <string.h>',
                '#include "%s"' % self.header_include(),
                '#include "%s"' % self.funcs_header, ""]
        fns = []
        for w in (32, 16):
            fns.extend(self.decoder_fn(w, True))
        tab = ["const DecodePatternInfo %s_decode_patterns[] = {" % self.prefix]
        for p in self.real:
            g = [x for x in p.groups if x.kind == "{"]
            tab.append("    [%s] = { %s, %s, %s, %s, %s, 0x%08x, 0x%08x, %s, %d, %d }," % (
                self.pat_id(p), c_str(p.name), c_str(p.mnemonic), c_str(p.suffix or ""),
                c_str(p.asm or ""), c_str(short_where(p.where)), p.mask, p.match,
                self.trans_id(p.trans), p.width, g[-1].index if g else 0))
        tab.append("};")
        tab.append("const unsigned %s_decode_pattern_count = %s_PAT_COUNT;\n" %
                   (self.prefix, self.PREFIX))
        tab.append("const DisasFieldName %s_disas_field_names[] = {" % self.prefix)
        for m in self.all_members:
            tab.append("    { \"%s\", offsetof(DisasFields, %s) }," % (m, m))
        tab.append("};")
        tab.append("const unsigned %s_disas_field_count = %d;" %
                   (self.prefix, len(self.all_members)))
        return "\n".join([self.banner("disassembler table")] + head + [self.helpers()] +
                         self.emit_extractors(True) + fns + tab) + "\n"


def short_where(where):
    """"dir/file.decode:12" -> "file.decode:12" for generated comments."""
    return os.path.basename(where)


def c_str(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def main(argv):
    ap = argparse.ArgumentParser(description="generate decoders from .decode files")
    ap.add_argument("--prefix", default="riscv")
    ap.add_argument("--ctx-header", default="target/riscv/translate-internal.h")
    ap.add_argument("--funcs-header", default="target/riscv/decode-funcs.h")
    ap.add_argument("--output-dir")
    ap.add_argument("--check", action="store_true", help="validate only")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args(argv)
    if not args.check and not args.output_dir:
        ap.error("need --output-dir or --check")
    parser = Parser()
    try:
        for f in args.files:
            parser.parse_file(f)
        check_overlaps(parser.patterns)
        gen = Gen(parser, args.prefix, args.ctx_header, args.funcs_header)
        h = gen.header()
        c = gen.decode_c()
        d = gen.disas_c()
    except DecodeError as e:
        print(e, file=sys.stderr)
        return 1
    if args.check:
        return 0
    os.makedirs(args.output_dir, exist_ok=True)
    for name, text in (("-decode.h", h), ("-decode.c", c), ("-disas-table.c", d)):
        path = os.path.join(args.output_dir, args.prefix + name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
