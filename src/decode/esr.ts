// Decodes an arm64 Exception Syndrome Register value (`ESR = 0x96000045`, `Internal error: Oops: 96000045`) into what the exception was.

import {
  BRK_IMMEDIATES, DATA_ABORT_FIELDS, ESR_EC_SHIFT, ESR_IL_BIT, FAULT_STATUS_CODES, FAULT_STATUS_MEANINGS, esrAccess, esrClass, type EsrClassKind,
} from '../knowledge/arm64-esr';
import { hex, note, tx, type Note, type Text, type TextLang } from '../knowledge/text';
import { parseHexValue } from './common';

export interface EsrDecode {
  kind: 'esr';
  value: string;
  ec: number;
  /** The kernel's name for the class (`DABT (current EL)`), or `UNRECOGNIZED EC`. */
  ecName: string;
  classKind: EsrClassKind | 'unknown';
  /** Taken from user space (lower EL) rather than from the kernel. */
  fromUser: boolean | null;
  /** IL: 32-bit instruction (1) or 16-bit (0). */
  il: 32 | 16;
  iss: string;
  /** Fault status code of a data or instruction abort, with the kernel's name. */
  fsc: { code: number; name: string; level: number | null } | null;
  /** Data-abort fields as `Data abort info:` prints them; null for other classes. */
  dataAbort: { isv: number; sas: number | null; sse: number | null; srt: number | null; sf: number | null; ar: number | null; set: number; fnv: number; ea: number; cm: number; s1ptw: number; wnr: number } | null;
  /** What the faulting access was: read, write, instruction fetch, or null when this is no abort. */
  access: 'read' | 'write' | 'exec' | null;
  notes: Note[];
  summary: Text;
}

function field(v: bigint, f: { shift: number; bits: number }): number {
  return Number((v >> BigInt(f.shift)) & ((1n << BigInt(f.bits)) - 1n));
}

export function decodeEsr(value: string | bigint): EsrDecode {
  const v = typeof value === 'string' ? parseHexValue(value, 'ESR') : value;
  const esr = v & 0xffffffffn;
  const ec = Number((esr >> BigInt(ESR_EC_SHIFT)) & 0x3fn);
  const cls = esrClass(ec);
  const il: 32 | 16 = ((esr >> BigInt(ESR_IL_BIT)) & 1n) === 1n ? 32 : 16;
  const iss = esr & ((1n << 25n) - 1n);
  const isAbort = cls?.kind === 'data-abort' || cls?.kind === 'instruction-abort';
  const fscRow = isAbort ? FAULT_STATUS_CODES[Number(iss & 0x3fn)] : null;
  const F = DATA_ABORT_FIELDS;
  let dataAbort: EsrDecode['dataAbort'] = null;
  if (cls?.kind === 'data-abort') {
    const isv = field(esr, F.ISV);
    dataAbort = {
      isv,
      sas: isv ? field(esr, F.SAS) : null, sse: isv ? field(esr, F.SSE) : null, srt: isv ? field(esr, F.SRT) : null, sf: isv ? field(esr, F.SF) : null, ar: isv ? field(esr, F.AR) : null,
      set: field(esr, F.SET), fnv: field(esr, F.FnV), ea: field(esr, F.EA), cm: field(esr, F.CM), s1ptw: field(esr, F.S1PTW), wnr: field(esr, F.WnR),
    };
  }
  const access = esrAccess(esr);
  const notes: Note[] = [];
  if (cls) notes.push(note(`ec-${cls.kind}`, cls.meaning.en, cls.meaning.zh));
  else notes.push(note('ec-unknown', `EC 0x${ec.toString(16)} is not an exception class the kernel names`, `EC 0x${ec.toString(16)} 不是内核认识的异常类别`));
  if (ec === 0x3c) {
    const imm = Number(iss & 0xffffn);
    const brk = BRK_IMMEDIATES.find((b) => imm >= b.from && imm <= b.to);
    if (brk) notes.push(note('brk', `BRK #0x${imm.toString(16)}: ${brk.what.en}`, `BRK #0x${imm.toString(16)}：${brk.what.zh}`));
  }
  if (fscRow) {
    const m = FAULT_STATUS_MEANINGS[fscRow.kind];
    notes.push(note(`fsc-${fscRow.kind}`, `FSC 0x${fscRow.code.toString(16).padStart(2, '0')} ${fscRow.name}: ${m.en}`, `FSC 0x${fscRow.code.toString(16).padStart(2, '0')} ${fscRow.name}：${m.zh}`));
  }
  if (dataAbort) {
    if (dataAbort.cm) notes.push(note('cm', 'CM = 1: a cache maintenance instruction faulted (WnR is then 1 without a write)', 'CM = 1：出错的是缓存维护指令（此时 WnR 为 1 但并没有写）'));
    if (dataAbort.s1ptw) notes.push(note('s1ptw', 'S1PTW = 1: the fault was on a stage-2 translation of a stage-1 page-table walk (a hypervisor problem)', 'S1PTW = 1：错误发生在一级页表遍历的二级转换上（hypervisor 的问题）'));
    if (dataAbort.ea) notes.push(note('ea', 'EA = 1: an external abort, reported by the memory system', 'EA = 1：外部中止，由内存系统报告'));
    if (dataAbort.fnv) notes.push(note('fnv', 'FnV = 1: FAR is not valid, the fault address printed may be meaningless', 'FnV = 1：FAR 无效，打印的出错地址可能没有意义'));
    if (dataAbort.isv && dataAbort.sas !== null && dataAbort.srt !== null) notes.push(note('isv', `ISV = 1: a ${1 << dataAbort.sas}-byte access through register x${dataAbort.srt}`, `ISV = 1：通过寄存器 x${dataAbort.srt} 的 ${1 << dataAbort.sas} 字节访问`));
  }
  const what = access === 'write' ? tx('write', '写') : access === 'read' ? tx('read', '读') : access === 'exec' ? tx('instruction fetch', '取指令') : null;
  const name = cls?.name ?? 'UNRECOGNIZED EC';
  const valueStr = hex(esr, 8);
  return {
    kind: 'esr', value: valueStr, ec, ecName: name, classKind: cls?.kind ?? 'unknown', fromUser: cls ? cls.lowerEl : null, il, iss: hex(iss, 8), fsc: fscRow ? { code: fscRow.code, name: fscRow.name, level: fscRow.level } : null, dataAbort, access, notes,
    summary: tx(
      `${valueStr}: EC 0x${ec.toString(16).padStart(2, '0')} ${name}${what ? `, ${access === 'exec' ? 'an' : 'a'} ${what.en}` : ''}${fscRow ? `, ${fscRow.name}` : ''}`,
      `${valueStr}：EC 0x${ec.toString(16).padStart(2, '0')} ${name}${what ? `，${what.zh}访问` : ''}${fscRow ? `，${fscRow.name}` : ''}`,
    ),
  };
}

export function esrLines(r: EsrDecode, lang: TextLang): string[] {
  const zh = lang === 'zh';
  const out = [r.summary[lang]];
  out.push(`  EC = 0x${r.ec.toString(16).padStart(2, '0')}: ${r.ecName}, IL = ${r.il} bits`);
  if (r.dataAbort) {
    const d = r.dataAbort;
    out.push(`  SET = ${d.set}, FnV = ${d.fnv}`, `  EA = ${d.ea}, S1PTW = ${d.s1ptw}`);
    out.push(d.isv ? `  ISV = 1, SAS = ${d.sas}, SSE = ${d.sse}, SRT = ${d.srt}, SF = ${d.sf}, AR = ${d.ar}` : `  ISV = 0, ISS = ${r.iss}`);
    out.push(`  CM = ${d.cm}, WnR = ${d.wnr}`);
  } else {
    out.push(`  ISS = ${r.iss}`);
  }
  if (r.fsc) out.push(`  ${zh ? '错误状态' : 'FSC'} = 0x${r.fsc.code.toString(16).padStart(2, '0')}: ${r.fsc.name}`);
  for (const n of r.notes) out.push('→ ' + n[lang]);
  return out;
}
