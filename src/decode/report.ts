// The decoded facts of one report: its faulting instruction (x86 bytes or A64 words, tied to the registers), the access it made, and where the fault address lies.

import type { CodeBytes, DecodedCode, FaultInfo, Registers } from '../model/types';
import { decodeA64, describeA64, type A64Instruction } from './a64';
import { decodeAddr } from './addr';
import { decodeCode } from './code';
import { note, tx, type Note } from '../knowledge/text';

/** The words of an arm `Code:` line, rebuilt from its little-endian bytes. */
function wordsOf(code: CodeBytes): { words: number[]; fault: number } | null {
  if (code.unit !== 4 || code.bytes.length % 4 !== 0) return null;
  const words: number[] = [];
  for (let i = 0; i < code.bytes.length; i += 4) words.push((code.bytes[i] | (code.bytes[i + 1] << 8) | (code.bytes[i + 2] << 16) | (code.bytes[i + 3] << 24)) >>> 0);
  return { words, fault: code.fault >= 0 ? Math.floor(code.fault / 4) : -1 };
}

function regValue(regs: Record<string, string>, name: string | null): bigint | null {
  if (!name) return null;
  const key = name === 'sp' ? 'SP' : /^[xw](\d{1,2})$/.test(name) ? `X${name.slice(1)}` : name.toUpperCase();
  const v = regs[key];
  return v && /^[0-9a-f]{1,16}$/i.test(v) ? BigInt('0x' + v) : null;
}

/** Decodes the faulting A64 word of a `Code:` line and ties its base register to the register dump. */
export function decodeA64Fault(code: CodeBytes, regs: Record<string, string>, faultAddress: string | null, release: string | null): DecodedCode | null {
  const w = wordsOf(code);
  if (!w || w.fault < 0 || w.fault >= w.words.length) return null;
  const ins: A64Instruction = decodeA64(w.words[w.fault]);
  const what = describeA64(ins);
  const notes: Note[] = [];
  if (ins.cls === 'unknown') {
    return { att: ins.text, intel: ins.text, arch: 'aarch64', class: ins.cls, base: null, transfer: null, access: null, summary: tx(`faulting instruction: ${ins.text} — ${what.en}`, `出错指令：${ins.text}——${what.zh}`), notes, line: code.line };
  }
  const base = regValue(regs, ins.base);
  let regText = tx('', '');
  if (ins.base && base !== null) {
    const name = ins.base.toUpperCase();
    const value = base.toString(16).padStart(16, '0');
    let where = tx('', '');
    try {
      const d = decodeAddr(base, { release, arch: 'aarch64' });
      where = tx(` (${d.regionText.en})`, `（${d.regionText.zh}）`);
    } catch {
      // an unreadable value is simply not placed
    }
    regText = tx(`; ${name} = ${value}${where.en}`, `；${name} = ${value}${where.zh}`);
    if (ins.offset !== null && !ins.index && ins.access) {
      const ea = (base + BigInt(ins.offset)) & ((1n << 64n) - 1n);
      const eaText = ea.toString(16).padStart(16, '0');
      const fa = faultAddress ? BigInt('0x' + faultAddress) : null;
      const matches = fa !== null && fa >= ea && fa < ea + BigInt(Math.max(1, (ins.size ?? 1) * (ins.transfer2 ? 2 : 1)));
      notes.push(
        note('a64-ea', `the access goes to ${eaText}${fa !== null ? (matches ? ', which is the fault address' : `, not the fault address ${faultAddress}`) : ''}`, `访问地址为 ${eaText}${fa !== null ? (matches ? '，正是出错地址' : `，与出错地址 ${faultAddress} 不符`) : ''}`),
      );
    }
  }
  if (ins.cls === 'brk') notes.push(note('a64-brk', what.en, what.zh));
  return {
    att: ins.text, intel: ins.text, arch: 'aarch64', class: ins.cls, base: ins.base, transfer: ins.transfer, access: ins.access,
    summary: tx(`faulting instruction: ${ins.text} — ${what.en}${regText.en}`, `出错指令：${ins.text}——${what.zh}${regText.zh}`),
    notes, line: code.line,
  };
}

/** Disassembles a report's `Code:` for its architecture; null for other architectures or bytes that do not decode. */
export function decodeFaultingInstruction(code: CodeBytes | null, regs: Registers | null, release: string | null, arch: string | null, faultAddress: string | null): DecodedCode | null {
  if (!code || code.fault < 0 || code.bytes.length > 256) return null;
  if (arch === 'aarch64' && code.unit === 4) return decodeA64Fault(code, regs?.values ?? {}, faultAddress, release);
  // Unknown arch: try x86 (by far the most common); a known other arch prints other code.
  if (code.unit !== 1 || (arch !== null && arch !== 'x86_64')) return null;
  try {
    const d = decodeCode({ bytes: code.bytes, fault: code.fault }, { regs: regs?.values ?? {}, faultAddress: faultAddress ?? undefined, release });
    if (!d.faulting) return null;
    const mem = d.memory.find((m) => m.matchesFaultAddress === true) ?? d.memory[0];
    return {
      att: d.faulting.att, intel: d.faulting.intel, arch: 'x86_64', access: mem ? (mem.access === 'none' ? null : mem.access) : null,
      summary: d.summary, notes: d.notes.map((n) => ({ en: n.en, zh: n.zh })), line: code.line,
    };
  } catch {
    return null;
  }
}

/**
 * Completes a report's fault facts from the decoded instruction and the address layouts: the access
 * kind when no error code or syndrome said it, and the region of the fault address for the
 * report's architecture and version (arm64's layout for arm64, never x86's).
 */
export function completeFault(fault: FaultInfo, instruction: DecodedCode | null, release: string | null, arch: string | null): void {
  if (!fault.access && instruction?.access) {
    fault.access = instruction.access === 'read-write' ? 'write' : instruction.access;
    fault.accessSource = 'instruction';
    fault.accessLine = instruction.line;
  }
  if (fault.address && (arch === null || arch === 'x86_64' || arch === 'aarch64')) {
    try {
      const d = decodeAddr(fault.address, { release, arch });
      fault.region = { id: d.region, layout: d.layout, text: d.regionText };
    } catch {
      fault.region = null;
    }
  }
}
