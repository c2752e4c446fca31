// A small table-driven A64 decoder for the words of an arm64 `Code:` line: loads, stores, pairs, exclusives, acquire/release, atomics and branches; anything else is said to be unknown.

export type A64Class =
  | 'load' | 'store' | 'load-pair' | 'store-pair' | 'load-exclusive' | 'store-exclusive' | 'load-acquire' | 'store-release' | 'atomic' | 'compare-and-swap'
  | 'load-literal' | 'branch' | 'branch-link' | 'branch-register' | 'branch-link-register' | 'return' | 'compare-branch' | 'test-branch' | 'cond-branch'
  | 'brk' | 'hint' | 'unknown';

export interface A64Instruction {
  word: number;
  cls: A64Class;
  /** Assembly as objdump prints it, or `.inst 0x...` when unknown. */
  text: string;
  /** Base register of a memory access (`x0`, `sp`), or of an indirect branch. */
  base: string | null;
  /** The register written by a load, or stored by a store (`w0`, `x1`); the tested register of cbz/tbz. */
  transfer: string | null;
  /** Second transfer register of a pair. */
  transfer2: string | null;
  /** Byte offset added to the base before the access (0 for post-index), when it is an immediate. */
  offset: number | null;
  /** Index register of a register-offset access. */
  index: string | null;
  /** Bytes accessed (per register). */
  size: number | null;
  writeback: 'pre' | 'post' | null;
  /** What the instruction does to memory. */
  access: 'read' | 'write' | 'read-write' | null;
}

const COND = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'];

function bits(w: number, hi: number, lo: number): number {
  return (w >>> lo) & ((1 << (hi - lo + 1)) - 1);
}

function sext(v: number, width: number): number {
  const sign = 1 << (width - 1);
  return (v & (sign - 1)) - (v & sign);
}

/** x0..x30, with 31 as sp (base registers) or xzr (data registers). */
function xreg(n: number, sp: boolean): string {
  return n === 31 ? (sp ? 'sp' : 'xzr') : `x${n}`;
}
function wreg(n: number): string {
  return n === 31 ? 'wzr' : `w${n}`;
}
function gpr(n: number, wide: boolean, sp = false): string {
  return wide ? xreg(n, sp) : n === 31 && sp ? 'wsp' : wreg(n);
}
function fpreg(n: number, size: number): string {
  return `${['b', 'h', 's', 'd', 'q'][Math.log2(size)] ?? 'v'}${n}`;
}
const hexImm = (v: number): string => (v < 0 ? `#-0x${(-v).toString(16)}` : `#0x${v.toString(16)}`);

function unknown(word: number): A64Instruction {
  return { word, cls: 'unknown', text: `.inst 0x${word.toString(16).padStart(8, '0')}`, base: null, transfer: null, transfer2: null, offset: null, index: null, size: null, writeback: null, access: null };
}

function mem(word: number, cls: A64Class, mnemonic: string, rt: string, base: string, offset: number | null, size: number, writeback: 'pre' | 'post' | null, access: A64Instruction['access'], extra: Partial<A64Instruction> = {}): A64Instruction {
  const off = offset ?? 0;
  let addr: string;
  if (writeback === 'pre') addr = `[${base}, ${hexImm(off)}]!`;
  else if (writeback === 'post') addr = `[${base}], ${hexImm(off)}`;
  else addr = off ? `[${base}, ${hexImm(off)}]` : `[${base}]`;
  if (extra.index) addr = `[${base}, ${extra.index}]`;
  const regs = extra.transfer2 ? `${rt}, ${extra.transfer2}` : rt;
  return { word, cls, text: `${mnemonic} ${regs}, ${addr}`, base, transfer: rt, transfer2: null, offset: writeback === 'post' ? 0 : offset, index: null, size, writeback, access, ...extra };
}

/** Load/store register (unsigned immediate, unscaled, pre/post-index, register offset). */
function loadStore(word: number): A64Instruction | null {
  const size = bits(word, 31, 30);
  const v = bits(word, 26, 26);
  const opc = bits(word, 23, 22);
  const rn = bits(word, 9, 5);
  const rt = bits(word, 4, 0);
  let bytes = 1 << size;
  let load = opc !== 0;
  let signed = false;
  let wide = size === 3;
  let suffix = size === 0 ? 'b' : size === 1 ? 'h' : '';
  if (v) {
    // SIMD&FP: opc bit 1 with size 0 is the 128-bit form.
    if (size === 0 && opc >= 2) bytes = 16;
    load = (opc & 1) === 1;
    suffix = '';
  } else if (opc >= 2) {
    if (size === 3) return null; // PRFM: no access
    signed = true;
    load = true;
    wide = opc === 2;
    suffix = size === 0 ? 'sb' : size === 1 ? 'sh' : 'sw';
    if (size === 2 && opc === 3) return null;
  }
  const reg = v ? fpreg(rt, bytes) : gpr(rt, wide || (signed && opc === 2));
  const base = xreg(rn, true);
  const cls: A64Class = load ? 'load' : 'store';
  const access = load ? 'read' : 'write';
  if (((word & 0x3b000000) >>> 0) === 0x39000000) {
    return mem(word, cls, `${load ? 'ldr' : 'str'}${suffix}`, reg, base, bits(word, 21, 10) * bytes, bytes, null, access);
  }
  if (((word & 0x3b200c00) >>> 0) === 0x38200800) {
    const rm = bits(word, 20, 16);
    const option = bits(word, 15, 13);
    const s = bits(word, 12, 12);
    const idx = `${option & 1 ? xreg(rm, false) : wreg(rm)}${option === 3 ? '' : option === 2 ? ', uxtw' : option === 6 ? ', sxtw' : option === 7 ? ', sxtx' : ''}${s ? `${option === 3 ? ', lsl' : ''} #${Math.log2(bytes)}` : ''}`;
    return mem(word, cls, `${load ? 'ldr' : 'str'}${suffix}`, reg, base, null, bytes, null, access, { index: idx });
  }
  if (((word & 0x3b200000) >>> 0) === 0x38000000) {
    const imm = sext(bits(word, 20, 12), 9);
    const mode = bits(word, 11, 10);
    if (mode === 0) return mem(word, cls, `${load ? 'ldur' : 'stur'}${suffix}`, reg, base, imm, bytes, null, access);
    if (mode === 2) return mem(word, cls, `${load ? 'ldtr' : 'sttr'}${suffix}`, reg, base, imm, bytes, null, access);
    return mem(word, cls, `${load ? 'ldr' : 'str'}${suffix}`, reg, base, imm, bytes, mode === 1 ? 'post' : 'pre', access);
  }
  return null;
}

function pair(word: number): A64Instruction | null {
  const opc = bits(word, 31, 30);
  const v = bits(word, 26, 26);
  const mode = bits(word, 24, 23);
  const load = bits(word, 22, 22) === 1;
  const imm7 = sext(bits(word, 21, 15), 7);
  const rt2 = bits(word, 14, 10);
  const rn = bits(word, 9, 5);
  const rt = bits(word, 4, 0);
  if (opc === 3) return null;
  const bytes = v ? 4 << opc : opc === 2 ? 8 : 4;
  const signed = !v && opc === 1;
  if (!v && opc === 1 && !load) return null;
  const wide = !v && (opc === 2 || signed);
  const r = (n: number): string => (v ? fpreg(n, bytes) : gpr(n, wide));
  const mnemonic = `${load ? 'ld' : 'st'}${mode === 0 ? 'np' : 'p'}${signed ? 'sw' : ''}`;
  const wb = mode === 1 ? 'post' : mode === 3 ? 'pre' : null;
  return mem(word, load ? 'load-pair' : 'store-pair', mnemonic, r(rt), xreg(rn, true), imm7 * bytes, bytes, wb, load ? 'read' : 'write', { transfer2: r(rt2) });
}

/** LDXR/STXR/LDAXR/STLXR (and pairs), LDAR/STLR, CAS. */
function exclusive(word: number): A64Instruction | null {
  const size = bits(word, 31, 30);
  const o2 = bits(word, 23, 23);
  const l = bits(word, 22, 22);
  const o1 = bits(word, 21, 21);
  const rs = bits(word, 20, 16);
  const o0 = bits(word, 15, 15);
  const rt2 = bits(word, 14, 10);
  const rn = bits(word, 9, 5);
  const rt = bits(word, 4, 0);
  const bytes = 1 << size;
  const suffix = size === 0 ? 'b' : size === 1 ? 'h' : '';
  const wide = size === 3;
  const base = xreg(rn, true);
  const reg = gpr(rt, wide);
  if (o2 === 0 && o1 === 0) {
    if (l) return { ...mem(word, 'load-exclusive', `ld${o0 ? 'a' : ''}xr${suffix}`, reg, base, null, bytes, null, 'read') };
    const status = wreg(rs);
    const m = mem(word, 'store-exclusive', `st${o0 ? 'l' : ''}xr${suffix}`, reg, base, null, bytes, null, 'write');
    return { ...m, text: `st${o0 ? 'l' : ''}xr${suffix} ${status}, ${reg}, [${base}]` };
  }
  if (o2 === 0 && o1 === 1 && size >= 2) {
    const w = size === 3;
    const r2 = gpr(rt2, w);
    if (l) return { ...mem(word, 'load-exclusive', `ld${o0 ? 'a' : ''}xp`, gpr(rt, w), base, null, bytes, null, 'read'), transfer2: r2, text: `ld${o0 ? 'a' : ''}xp ${gpr(rt, w)}, ${r2}, [${base}]` };
    return { ...mem(word, 'store-exclusive', `st${o0 ? 'l' : ''}xp`, gpr(rt, w), base, null, bytes, null, 'write'), transfer2: r2, text: `st${o0 ? 'l' : ''}xp ${wreg(rs)}, ${gpr(rt, w)}, ${r2}, [${base}]` };
  }
  if (o2 === 1 && o1 === 0) {
    if (l) return mem(word, 'load-acquire', `lda${o0 ? '' : 'l'}r${suffix}`, reg, base, null, bytes, null, 'read');
    return mem(word, 'store-release', `stl${o0 ? '' : 'l'}r${suffix}`, reg, base, null, bytes, null, 'write');
  }
  if (o2 === 1 && o1 === 1 && rt2 === 31) {
    const m = mem(word, 'compare-and-swap', `cas${l ? 'a' : ''}${o0 ? 'l' : ''}${suffix}`, reg, base, null, bytes, null, 'read-write');
    return { ...m, text: `cas${l ? 'a' : ''}${o0 ? 'l' : ''}${suffix} ${gpr(rs, wide)}, ${reg}, [${base}]` };
  }
  return null;
}

const ATOMIC_OPS = ['ldadd', 'ldclr', 'ldeor', 'ldset', 'ldsmax', 'ldsmin', 'ldumax', 'ldumin'];

/** ARMv8.1 LSE atomics: LDADD, LDCLR, LDEOR, LDSET, ..., SWP. */
function atomic(word: number): A64Instruction | null {
  if ((word & 0x3f200c00) !== 0x38200000) return null;
  const size = bits(word, 31, 30);
  const a = bits(word, 23, 23);
  const r = bits(word, 22, 22);
  const rs = bits(word, 20, 16);
  const o3 = bits(word, 15, 15);
  const opc = bits(word, 14, 12);
  const rn = bits(word, 9, 5);
  const rt = bits(word, 4, 0);
  const bytes = 1 << size;
  const wide = size === 3;
  const suffix = `${a ? 'a' : ''}${r ? 'l' : ''}${size === 0 ? 'b' : size === 1 ? 'h' : ''}`;
  let name: string;
  if (o3 === 0) name = ATOMIC_OPS[opc];
  else if (opc === 0) name = 'swp';
  else return null;
  const base = xreg(rn, true);
  const m = mem(word, 'atomic', name + suffix, gpr(rt, wide), base, null, bytes, null, 'read-write');
  return { ...m, text: `${name}${suffix} ${gpr(rs, wide)}, ${gpr(rt, wide)}, [${base}]` };
}

const HINTS: Readonly<Record<number, string>> = { 0xd503201f: 'nop', 0xd503203f: 'yield', 0xd503205f: 'wfe', 0xd503207f: 'wfi', 0xd503233f: 'paciasp', 0xd50323bf: 'autiasp', 0xd503241f: 'bti', 0xd503245f: 'bti c', 0xd503249f: 'bti j', 0xd50324df: 'bti jc', 0xd503229f: 'csdb', 0xd503231f: 'paciaz', 0xd503239f: 'autiaz' };

function branch(word: number): A64Instruction | null {
  const none = { base: null, transfer: null, transfer2: null, offset: null, index: null, size: null, writeback: null, access: null } as const;
  if (((word & 0x7c000000) >>> 0) === 0x14000000) {
    const off = sext(bits(word, 25, 0), 26) * 4;
    const link = bits(word, 31, 31) === 1;
    return { word, cls: link ? 'branch-link' : 'branch', text: `${link ? 'bl' : 'b'} .${off < 0 ? '' : '+'}${off}`, ...none, offset: off };
  }
  if (((word & 0xff000010) >>> 0) === 0x54000000) {
    const off = sext(bits(word, 23, 5), 19) * 4;
    return { word, cls: 'cond-branch', text: `b.${COND[bits(word, 3, 0)]} .${off < 0 ? '' : '+'}${off}`, ...none, offset: off };
  }
  if (((word & 0x7e000000) >>> 0) === 0x34000000) {
    const off = sext(bits(word, 23, 5), 19) * 4;
    const reg = gpr(bits(word, 4, 0), bits(word, 31, 31) === 1);
    return { word, cls: 'compare-branch', text: `${bits(word, 24, 24) ? 'cbnz' : 'cbz'} ${reg}, .${off < 0 ? '' : '+'}${off}`, ...none, transfer: reg, offset: off };
  }
  if (((word & 0x7e000000) >>> 0) === 0x36000000) {
    const off = sext(bits(word, 18, 5), 14) * 4;
    const bit = (bits(word, 31, 31) << 5) | bits(word, 23, 19);
    const reg = gpr(bits(word, 4, 0), bit >= 32);
    return { word, cls: 'test-branch', text: `${bits(word, 24, 24) ? 'tbnz' : 'tbz'} ${reg}, #${bit}, .${off < 0 ? '' : '+'}${off}`, ...none, transfer: reg, offset: off };
  }
  if (((word & 0xfe1f0000) >>> 0) === 0xd61f0000) {
    const opc = bits(word, 24, 21);
    const op3 = bits(word, 15, 10);
    const rn = xreg(bits(word, 9, 5), false);
    const pac = op3 === 2 || op3 === 3 ? (op3 === 2 ? 'aa' : 'ab') : '';
    if (op3 !== 0 && !pac) return null;
    if (opc === 0 || opc === 8) return { word, cls: 'branch-register', text: `br${pac}${pac && opc === 0 ? 'z' : ''} ${rn}`, ...none, base: rn };
    if (opc === 1 || opc === 9) return { word, cls: 'branch-link-register', text: `blr${pac}${pac && opc === 1 ? 'z' : ''} ${rn}`, ...none, base: rn };
    if (opc === 2) return { word, cls: 'return', text: pac ? `ret${pac}` : rn === 'x30' ? 'ret' : `ret ${rn}`, ...none, base: pac ? 'x30' : rn };
  }
  if (((word & 0xffe0001f) >>> 0) === 0xd4200000) {
    const imm = bits(word, 20, 5);
    return { word, cls: 'brk', text: `brk #0x${imm.toString(16)}`, ...none, offset: imm };
  }
  if (HINTS[word >>> 0]) return { word, cls: 'hint', text: HINTS[word >>> 0], ...none };
  return null;
}

/** Decodes one A64 instruction word; unknown encodings come back as class 'unknown', never guessed. */
export function decodeA64(word: number): A64Instruction {
  const w = word >>> 0;
  const op0 = bits(w, 28, 25);
  let ins: A64Instruction | null = null;
  // Loads and stores: op0 = x1x0.
  if ((op0 & 0b0101) === 0b0100) {
    if (((w & 0x3f000000) >>> 0) === 0x08000000) ins = exclusive(w);
    else if (((w & 0x3a000000) >>> 0) === 0x28000000) ins = pair(w);
    else if (((w & 0x3b000000) >>> 0) === 0x18000000) {
      const off = sext(bits(w, 23, 5), 19) * 4;
      const opc = bits(w, 31, 30);
      const reg = bits(w, 26, 26) ? fpreg(bits(w, 4, 0), 4 << opc) : gpr(bits(w, 4, 0), opc !== 0);
      ins = opc === 3 ? null : { word: w, cls: 'load-literal', text: `ldr${opc === 2 && !bits(w, 26, 26) ? 'sw' : ''} ${reg}, .${off < 0 ? '' : '+'}${off}`, base: 'pc', transfer: reg, transfer2: null, offset: off, index: null, size: bits(w, 26, 26) ? 4 << opc : opc === 0 ? 4 : 8, writeback: null, access: 'read' };
    } else ins = atomic(w) ?? loadStore(w);
  } else if ((op0 & 0b1110) === 0b1010) {
    ins = branch(w);
  }
  return ins ?? unknown(w);
}

/** What the instruction does, in words, for the summary of a `Code:` line. */
export function describeA64(ins: A64Instruction): { en: string; zh: string } {
  const at = ins.base ? `[${ins.base}${ins.index ? `, ${ins.index}` : ins.offset ? `, ${hexImm(ins.offset)}` : ''}]` : '';
  switch (ins.cls) {
    case 'load': case 'load-pair': case 'load-exclusive': case 'load-acquire': case 'load-literal':
      return { en: `loads ${ins.size ?? '?'} bytes into ${ins.transfer}${ins.transfer2 ? ` and ${ins.transfer2}` : ''} from ${at || 'a PC-relative address'}`, zh: `从 ${at || 'PC 相对地址'} 读 ${ins.size ?? '?'} 字节到 ${ins.transfer}${ins.transfer2 ? ` 和 ${ins.transfer2}` : ''}` };
    case 'store': case 'store-pair': case 'store-exclusive': case 'store-release':
      return { en: `stores ${ins.transfer}${ins.transfer2 ? ` and ${ins.transfer2}` : ''} (${ins.size ?? '?'} bytes) to ${at}`, zh: `把 ${ins.transfer}${ins.transfer2 ? ` 和 ${ins.transfer2}` : ''}（${ins.size ?? '?'} 字节）写到 ${at}` };
    case 'atomic': case 'compare-and-swap':
      return { en: `atomically reads and writes ${ins.size ?? '?'} bytes at ${at}`, zh: `原子地读写 ${at} 处的 ${ins.size ?? '?'} 字节` };
    case 'branch-register': case 'branch-link-register':
      return { en: `jumps to the address in ${ins.base} (an indirect call or jump)`, zh: `跳转到 ${ins.base} 中的地址（间接调用或跳转）` };
    case 'return':
      return { en: `returns to the address in ${ins.base}`, zh: `返回到 ${ins.base} 中的地址` };
    case 'brk':
      return { en: 'a BRK trap: BUG()/WARN() or a sanitizer check, not a bad memory access', zh: 'BRK 陷阱：BUG()/WARN() 或检查器触发，不是内存访问出错' };
    case 'unknown':
      return { en: 'an instruction this decoder does not know (it decodes loads, stores and branches only)', zh: '本解码器不认识的指令（只解码读写和跳转指令）' };
    default:
      return { en: `a ${ins.cls.replace(/-/g, ' ')}`, zh: ins.cls };
  }
}
