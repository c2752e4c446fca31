// Disassembles an oops "Code:" line around the <xx> fault marker (like scripts/decodecode) and ties the faulting instruction's memory operand to the registers.

import { codeTokens } from '../parse/details';
import type * as Iced from 'iced-x86';
import type { KernelRelease } from '../knowledge/release';
import { addr16, note, tx, type Note, type Text, type TextLang } from '../knowledge/text';
import { decodeAddr, type AddrDecode } from './addr';
import { DecodeInputError, releaseOption } from './common';
import { decodeA64 } from './a64';
import { decodeA64Fault } from './report';

export interface CodeBytes {
  bytes: number[];
  /** Index of the byte marked <xx> (or (xx)): where RIP points. */
  fault: number;
}

export interface CodeOptions {
  /** Register values as printed (RAX: ..., R08/R8: ...), names in any case. */
  regs?: Record<string, string>;
  /** CR2 / "unable to handle ... at ADDRESS". */
  faultAddress?: string;
  /** RIP of the faulting instruction, to print real addresses. */
  rip?: string;
  release?: string | KernelRelease | null;
}

export interface DecodedInstruction {
  /** Offset in the Code: bytes. */
  offset: number;
  /** Address when RIP is known, else null. */
  address: string | null;
  bytes: string;
  /** AT&T syntax, as objdump and crash `dis` print it. */
  att: string;
  intel: string;
  faulting: boolean;
}

export interface MemoryOperand {
  /** "[rcx+0x8]". */
  text: string;
  access: 'read' | 'write' | 'read-write' | 'none';
  size: number;
  base: string | null;
  index: string | null;
  scale: number;
  displacement: string;
  segment: string | null;
  /** Effective address when every register in it is known. */
  effectiveAddress: string | null;
  baseValue: string | null;
  baseRegion: AddrDecode | null;
  effectiveRegion: AddrDecode | null;
  /** Effective address equals (or its access covers) the fault address. */
  matchesFaultAddress: boolean | null;
}

export interface CodeDecode {
  kind: 'code';
  /** The instruction set: x86_64 bytes, or A64 words (`d503233f a9be7bfd (b9400000)`). */
  arch?: 'x86_64' | 'aarch64';
  bytes: string;
  fault: number;
  /** Instructions before the fault, from the first start offset whose decoding lands exactly on the marker. */
  before: DecodedInstruction[];
  /** Offset in the bytes where the "before" decoding starts; null when none lands on the fault. */
  beforeStart: number | null;
  faulting: DecodedInstruction | null;
  after: DecodedInstruction[];
  memory: MemoryOperand[];
  notes: Note[];
  summary: Text;
}

/** Reads "Code: 48 8b ... <8b> 51 18 ..." (timestamps and "Code:" optional) into bytes and the fault index. */
export function parseCodeLine(line: string): CodeBytes {
  const text = line.replace(/^.*?\bCode:\s*/, '').replace(/[?\u00a0]/g, ' ').trim();
  if (/Bad RIP value|Unable to access opcode bytes/i.test(text)) throw new DecodeInputError(`the Code: line has no bytes ("${text}")`);
  const bytes: number[] = [];
  let fault = -1;
  for (const tok of codeTokens(text)) {
    if (tok.hex === null) throw new DecodeInputError(`cannot read "${tok.text}" in the Code: line`);
    // arm64-style words are not x86 code bytes.
    if (tok.hex.length !== 2) throw new DecodeInputError(`"${tok.text}" is not a byte: the Code: line should be x86 bytes like "48 8b 51 18 <8b> ..."`);
    if (tok.marked) {
      if (fault >= 0) throw new DecodeInputError('the Code: line marks more than one byte');
      fault = bytes.length;
    }
    bytes.push(parseInt(tok.hex, 16));
  }
  if (!bytes.length) throw new DecodeInputError('no bytes in the Code: line');
  if (fault < 0) throw new DecodeInputError('the Code: line has no <xx> marker for the faulting byte');
  return { bytes, fault };
}

type IcedModule = typeof Iced;
let icedModule: IcedModule | null = null;

/** The wasm disassembler, loaded on first use so that other commands do not pay for it. */
function iced(): IcedModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!icedModule) icedModule = require('iced-x86') as IcedModule;
  return icedModule;
}

interface Tools {
  ic: IcedModule;
  att: Iced.Formatter;
  intel: Iced.Formatter;
  info: Iced.InstructionInfoFactory;
}

function tools(): Tools {
  const ic = iced();
  const att = new ic.Formatter(ic.FormatterSyntax.Gas);
  const intel = new ic.Formatter(ic.FormatterSyntax.Intel);
  for (const f of [att, intel]) {
    f.uppercaseHex = false;
    f.hexPrefix = '0x';
    f.hexSuffix = '';
    f.branchLeadingZeros = false;
    f.smallHexNumbersInDecimal = false;
  }
  intel.memorySizeOptions = ic.MemorySizeOptions.Always;
  return { ic, att, intel, info: new ic.InstructionInfoFactory() };
}

function decodeRun(t: Tools, bytes: Uint8Array, start: number, stopAt: number | null, base: bigint, limit: number): { list: Array<{ ins: Iced.Instruction; offset: number }>; end: number; invalid: boolean } {
  const d = new t.ic.Decoder(64, bytes.subarray(start), t.ic.DecoderOptions.None);
  d.ip = base + BigInt(start);
  const list: Array<{ ins: Iced.Instruction; offset: number }> = [];
  let invalid = false;
  let pos = start;
  while (d.canDecode && list.length < limit) {
    if (stopAt !== null && pos >= stopAt) break;
    const ins = d.decode();
    if (ins.isInvalid) {
      invalid = true;
      // A truncated last instruction at the end of the bytes is not an error, only a cut.
      ins.free();
      break;
    }
    list.push({ ins, offset: pos });
    pos += ins.length;
  }
  d.free();
  return { list, end: pos, invalid };
}

function describe(t: Tools, ins: Iced.Instruction, offset: number, bytes: Uint8Array, ripKnown: boolean, faulting: boolean): DecodedInstruction {
  return {
    offset,
    address: ripKnown ? addr16(ins.ip) : null,
    bytes: Array.from(bytes.subarray(offset, offset + ins.length), (b) => b.toString(16).padStart(2, '0')).join(' '),
    att: t.att.format(ins),
    intel: t.intel.format(ins),
    faulting,
  };
}

const MASK64 = (1n << 64n) - 1n;

/** Register values by lower-case name, with R08 -> r8 and 32/16/8-bit views derived from the full register. */
function registerFile(regs: Record<string, string> | undefined): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const [k, v] of Object.entries(regs ?? {})) {
    const name = k.toLowerCase().replace(/^r0(\d)$/, 'r$1');
    const m = /^(?:0x)?([0-9a-f]{1,16})$/i.exec(v.trim());
    if (m) out.set(name, BigInt('0x' + m[1]));
  }
  return out;
}

function regValue(t: Tools, reg: Iced.Register, file: Map<string, bigint>): bigint | null {
  if (reg === t.ic.Register.None) return null;
  const full = t.ic.RegisterExt.fullRegister(reg);
  const name = t.intel.formatRegister(full);
  const v = file.get(name);
  if (v === undefined) return null;
  const size = t.ic.RegisterExt.size(reg);
  return size >= 8 ? v : v & ((1n << BigInt(size * 8)) - 1n);
}

function accessOf(t: Tools, a: Iced.OpAccess): MemoryOperand['access'] {
  const A = t.ic.OpAccess;
  if (a === A.Read || a === A.CondRead) return 'read';
  if (a === A.Write || a === A.CondWrite) return 'write';
  if (a === A.ReadWrite || a === A.ReadCondWrite) return 'read-write';
  return 'none';
}

function memoryOperands(t: Tools, ins: Iced.Instruction, file: Map<string, bigint>, faultAddress: bigint | null, release: KernelRelease | null, ripKnown: boolean): MemoryOperand[] {
  const ipRelative = ins.isIpRelMemoryOperand;
  const info = t.info.info(ins);
  const used = info.usedMemory() as Iced.UsedMemory[];
  const out: MemoryOperand[] = [];
  for (const u of used) {
    const access = accessOf(t, u.access);
    if (access === 'none') continue; // lea and friends compute, they do not touch memory
    const baseReg = u.base === t.ic.Register.None ? null : t.intel.formatRegister(u.base);
    const indexReg = u.index === t.ic.Register.None ? null : t.intel.formatRegister(u.index);
    const segReg = u.segment === t.ic.Register.None || u.segment === t.ic.Register.DS || u.segment === t.ic.Register.SS ? null : t.intel.formatRegister(u.segment);
    const disp = u.displacement & MASK64;
    const signedDisp = disp >= 1n << 63n ? disp - (1n << 64n) : disp;
    const ripRel = ipRelative || u.base === t.ic.Register.RIP;
    const parts: string[] = [];
    if (baseReg && !ripRel) parts.push(baseReg);
    if (indexReg) parts.push(u.scale > 1 ? `${indexReg}*${u.scale}` : indexReg);
    let text = parts.join('+');
    if (ripRel) text = ripKnown ? `rip-relative 0x${addr16(disp)}` : `rip+0x${(ins.memoryDisplacement - ins.nextIP & MASK64).toString(16)}`;
    else if (signedDisp !== 0n || !text) text += signedDisp < 0n ? `-0x${(-signedDisp).toString(16)}` : `${text ? '+' : ''}0x${signedDisp.toString(16)}`;
    text = `${segReg ? segReg + ':' : ''}[${text}]`;

    const baseVal = ripRel ? null : baseReg ? regValue(t, u.base, file) : null;
    const idxVal = indexReg ? regValue(t, u.index, file) : null;
    let ea: bigint | null = null;
    if (ripRel) ea = ripKnown ? disp : null; // iced resolves rip-relative operands to the absolute target
    else if ((!baseReg || baseVal !== null) && (!indexReg || idxVal !== null) && !segReg) {
      ea = ((baseVal ?? 0n) + (idxVal ?? 0n) * BigInt(u.scale) + disp) & MASK64;
    }
    const size = t.ic.MemorySizeExt.size(u.memorySize);
    let matches: boolean | null = null;
    if (faultAddress !== null && ea !== null) matches = faultAddress >= ea && faultAddress < ea + BigInt(Math.max(1, size));
    out.push({
      text, access, size, base: baseReg, index: indexReg, scale: u.scale, displacement: signedDisp < 0n ? `-0x${(-signedDisp).toString(16)}` : `0x${signedDisp.toString(16)}`,
      segment: segReg,
      effectiveAddress: ea === null ? null : addr16(ea),
      baseValue: baseVal === null ? null : addr16(baseVal),
      baseRegion: baseVal === null ? null : decodeAddr(baseVal, { release }),
      effectiveRegion: ea === null || ripRel ? null : decodeAddr(ea, { release }),
      matchesFaultAddress: matches,
    });
  }
  info.free();
  return out;
}

/** An arm64 Code: line (8-digit words, the faulting one in parentheses), decoded word by word. */
function decodeA64Line(text: string, opts: CodeOptions): CodeDecode {
  const tokens = codeTokens(text);
  const words: number[] = [];
  let fault = -1;
  for (const tok of tokens) {
    if (tok.hex === null || tok.hex.length !== 8) throw new DecodeInputError(`"${tok.text}" is not an instruction word: an arm64 Code: line is words like "d503233f a9be7bfd (b9400000)"`);
    if (tok.marked) fault = words.length;
    words.push(Number.parseInt(tok.hex, 16) >>> 0);
  }
  if (fault < 0) throw new DecodeInputError('the Code: line has no (xxxxxxxx) marker for the faulting word');
  const bytes: number[] = [];
  for (const w of words) bytes.push(w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24);
  const regs: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.regs ?? {})) regs[k.toUpperCase()] = v.replace(/^0x/i, '');
  const release = releaseOption(opts.release);
  const d = decodeA64Fault({ bytes, fault: fault * 4, unit: 4, line: 0 }, regs, opts.faultAddress?.replace(/^0x/i, '') ?? null, release?.raw ?? null);
  const row = (w: number, i: number): DecodedInstruction => ({ offset: i * 4, address: null, bytes: w.toString(16).padStart(8, '0'), att: decodeA64(w).text, intel: decodeA64(w).text, faulting: i === fault });
  return {
    kind: 'code', arch: 'aarch64', bytes: tokens.map((t) => t.text).join(' '), fault: fault * 4,
    before: words.slice(0, fault).map(row), beforeStart: 0, faulting: row(words[fault], fault), after: words.slice(fault + 1).map((w, i) => row(w, fault + 1 + i)),
    memory: [], notes: (d?.notes ?? []).map((n, i) => note(`a64-${i}`, n.en, n.zh)),
    summary: d?.summary ?? tx('the faulting word does not decode', '出错的指令字无法解码'),
  };
}

/** Disassembles a Code: line (or its parsed bytes) around the faulting byte: x86 bytes, or arm64 words. */
export function decodeCode(input: string | CodeBytes, opts: CodeOptions = {}): CodeDecode {
  if (typeof input === 'string') {
    const text = input.replace(/^.*?\bCode:\s*/, '').replace(/[?\u00a0]/g, ' ').trim();
    const toks = codeTokens(text);
    if (toks.length > 0 && toks.every((t) => t.hex !== null && t.hex.length === 8)) return decodeA64Line(text, opts);
  }
  const code = typeof input === 'string' ? parseCodeLine(input) : input;
  if (code.fault < 0 || code.fault >= code.bytes.length) throw new DecodeInputError('the fault marker is outside the bytes');
  const release = releaseOption(opts.release);
  const file = registerFile(opts.regs);
  const regRip = opts.regs ? Object.entries(opts.regs).find(([k]) => k.toLowerCase() === 'rip')?.[1] : undefined;
  let rip = opts.rip ? parseRip(opts.rip) : null;
  if (rip === null && regRip) {
    try {
      rip = parseRip(regRip);
    } catch {
      rip = null; // "RIP: 0010:func+0x1ec/0x250" carries no address
    }
  }
  const faultAddress = opts.faultAddress ? BigInt('0x' + opts.faultAddress.trim().replace(/^0x/i, '')) : null;
  const bytes = Uint8Array.from(code.bytes);
  const base = rip !== null ? (rip - BigInt(code.fault)) & MASK64 : 0n;
  const t = tools();
  const notes: Note[] = [];
  const freeList: Iced.Instruction[] = [];

  try {
    // Forward from the fault: the faulting instruction and a few after it.
    const fwd = decodeRun(t, bytes, code.fault, null, base, 6);
    freeList.push(...fwd.list.map((x) => x.ins));
    const faultIns = fwd.list[0] ?? null;
    const faulting = faultIns ? describe(t, faultIns.ins, faultIns.offset, bytes, rip !== null, true) : null;
    const after = fwd.list.slice(1).map((x) => describe(t, x.ins, x.offset, bytes, rip !== null, false));

    // Backward: the first start offset whose decoding lands exactly on the fault, with nothing invalid.
    let before: DecodedInstruction[] = [];
    let beforeStart: number | null = null;
    for (let start = 0; start < code.fault; start++) {
      const run = decodeRun(t, bytes, start, code.fault, base, 64);
      freeList.push(...run.list.map((x) => x.ins));
      if (!run.invalid && run.end === code.fault) {
        beforeStart = start;
        before = run.list.map((x) => describe(t, x.ins, x.offset, bytes, rip !== null, false));
        break;
      }
    }

    let memory: MemoryOperand[] = [];
    if (faultIns) memory = memoryOperands(t, faultIns.ins, file, faultAddress, release, rip !== null);
    if (!faulting) {
      notes.push(note('no-instruction', 'the bytes at the marker do not decode as an x86-64 instruction: RIP points into data, or the code was overwritten', '标记处的字节无法解码成 x86-64 指令：RIP 指向了数据区，或者代码被改写了'));
    } else if (faulting.intel.startsWith('ud2')) {
      notes.push(note('ud2', 'ud2: this is a BUG()/WARN() trap, not a bad memory access', 'ud2：这是 BUG()/WARN() 的陷阱指令，不是内存访问出错'));
    }
    for (const m of memory) notes.push(...memoryNotes(m, faultAddress));
    if (faultAddress !== null && memory.length && memory.every((m) => m.matchesFaultAddress === false)) {
      notes.push(note('fault-mismatch', `no memory operand of this instruction computes the fault address ${addr16(faultAddress)}: the registers may be from another frame, or the fault came from an implicit access (stack push, string instruction)`, `该指令的内存操作数算出来都不是出错地址 ${addr16(faultAddress)}：寄存器可能来自别的栈帧，或者出错的是隐式访问（压栈、串指令）`));
    }
    if (beforeStart === null && code.fault > 0) {
      notes.push(note('no-alignment', 'no start offset before the marker decodes cleanly up to it: the bytes before the fault are shown undecoded', '标记之前找不到能恰好对齐到出错字节的起始偏移：出错之前的字节无法可靠反汇编'));
    }
    const hexBytes = code.bytes.map((b, i) => (i === code.fault ? `<${b.toString(16).padStart(2, '0')}>` : b.toString(16).padStart(2, '0'))).join(' ');
    return {
      kind: 'code', bytes: hexBytes, fault: code.fault, before, beforeStart, faulting, after, memory, notes,
      summary: summarize(faulting, memory),
    };
  } finally {
    for (const ins of freeList) ins.free();
  }
}

function parseRip(s: string): bigint {
  // "0010:smp_call_function_many+0x1ec/0x250" has no address; "ffffffff81098a68" does.
  const m = /(?:^|:)\s*(?:0x)?([0-9a-f]{8,16})\b/i.exec(s.trim());
  if (!m) throw new DecodeInputError(`cannot read RIP "${s}" as an address`);
  return BigInt('0x' + m[1]);
}

function memoryNotes(m: MemoryOperand, faultAddress: bigint | null): Note[] {
  const out: Note[] = [];
  const verbEn = m.access === 'write' ? 'writes' : m.access === 'read-write' ? 'reads and writes' : 'reads';
  const verbZh = m.access === 'write' ? '写' : m.access === 'read-write' ? '读写' : '读';
  let en = `${verbEn} ${m.text} (${m.size} bytes)`;
  let zh = `${verbZh} ${m.text}（${m.size} 字节）`;
  if (m.base && m.baseValue && m.baseRegion) {
    en += `; ${m.base.toUpperCase()} = ${m.baseValue} is in the ${m.baseRegion.summary.en.replace(/^[0-9a-f]+: /, '')}`;
    zh += `；${m.base.toUpperCase()} = ${m.baseValue}，${m.baseRegion.summary.zh.replace(/^[0-9a-f]+：/, '')}`;
  }
  if (m.effectiveAddress && m.effectiveAddress !== m.baseValue) {
    en += `; effective address ${m.effectiveAddress}`;
    zh += `；实际访问地址 ${m.effectiveAddress}`;
  }
  if (m.matchesFaultAddress === true) {
    en += `, which is the fault address`;
    zh += `，正是出错地址`;
  } else if (m.matchesFaultAddress === false && faultAddress !== null) {
    en += `, not the fault address ${addr16(faultAddress)}`;
    zh += `，与出错地址 ${addr16(faultAddress)} 不符`;
  }
  if (m.segment === 'gs') {
    en += ' (per-CPU data through %gs)';
    zh += '（通过 %gs 访问 per-CPU 数据）';
  }
  out.push(note(`mem-${m.access}`, en, zh));
  if (m.baseRegion) {
    const extra = m.baseRegion.notes[0];
    if (extra) out.push(note(`base-${extra.id}`, `${m.base!.toUpperCase()}: ${extra.en}`, `${m.base!.toUpperCase()}：${extra.zh}`));
  }
  return out;
}

function summarize(faulting: DecodedInstruction | null, memory: MemoryOperand[]): Text {
  if (!faulting) return tx('the faulting bytes do not decode', '出错字节无法解码');
  const m = memory[0];
  if (!m) return tx(`faulting instruction: ${faulting.att}`, `出错指令：${faulting.att}`);
  const verbEn = m.access === 'write' ? 'writes' : 'reads';
  const verbZh = m.access === 'write' ? '写' : '读';
  const reg = m.base && m.baseValue ? tx(`; ${m.base.toUpperCase()} = ${m.baseValue}`, `；${m.base.toUpperCase()} = ${m.baseValue}`) : tx('', '');
  return tx(`faulting instruction: ${faulting.att} — ${verbEn} ${m.text}${reg.en}`, `出错指令：${faulting.att}——${verbZh} ${m.text}${reg.zh}`);
}

export function codeLines(r: CodeDecode, lang: TextLang): string[] {
  const zh = lang === 'zh';
  const out = [r.summary[lang]];
  const fmt = (i: DecodedInstruction): string => `  ${i.faulting ? '=>' : '  '} ${i.address ?? `+${String(i.offset).padStart(2, '0')}`}  ${i.bytes.padEnd(24)} ${i.att}`;
  if (r.beforeStart !== null && r.beforeStart > 0) out.push(`  ${zh ? `（从第 ${r.beforeStart} 字节开始解码）` : `(decoding from byte ${r.beforeStart})`}`);
  for (const i of r.before) out.push(fmt(i));
  if (r.faulting) out.push(fmt(r.faulting));
  for (const i of r.after) out.push(fmt(i));
  for (const n of r.notes) out.push('→ ' + n[lang]);
  return out;
}
