// A vmcore opened natively: its format, VMCOREINFO, the registers of every CPU and the kernel log, with no vmlinux and no external tool.

import { FileBytes, DumpError, type DumpBytes } from './source';
import { dumpKind, openPhysical, type DumpInfo } from './dump';
import { parseVmcoreInfo, type VmcoreInfo } from './vmcoreinfo';
import { prstatusRegisters, type CpuRegisters } from './notes';
import { kernelMemory, type KernelMemory } from './translate';
import { readKernelLog, formatLog, type KernelLog, type LogStyle } from './printk';
import { readKallsyms, type KernelSymbols } from './kallsyms';

export { DumpError } from './source';
export { dumpKind } from './dump';
export { formatLog, type KernelLog, type LogRecord, type LogStyle } from './printk';
export type { CpuRegisters } from './notes';

export interface Vmcore {
  path: string;
  dump: DumpInfo;
  vmcoreinfo: VmcoreInfo | null;
  /** Each CPU's registers at the crash (its NT_PRSTATUS note), in the dump's order. */
  cpus: CpuRegisters[];
  log: KernelLog | null;
  /** Why the log could not be read, when it could not. */
  logError: string | null;
  /** The kernel's symbols from the kallsyms tables in the dump (asked for, and when VMCOREINFO points at them). */
  symbols: KernelSymbols | null;
  /** Each CPU's stack from its RSP: the kernel code addresses on it, named (as crash's `bt -t` lists them), when symbols were read. */
  stacks: Array<{ cpu: number; entries: string[] }>;
}

/** x86_64's THREAD_SIZE (16 KiB) and IRQ stacks alike: the words from RSP to the end of its 16 KiB are read. */
const STACK_SIZE = 16 * 1024;
/** Entries listed per CPU at most. */
const STACK_ENTRIES = 24;
/** Where x86_64 maps modules. */
const MODULES_START = 0xffffffffc0000000n;
const MODULES_END = 0xffffffffff000000n;

/** The code addresses on a CPU's stack, from its RSP up: what it was running through, without a vmlinux. */
/** Whether an address lies in the x86_64 modules mapping area (module code and data). */
export function inModuleArea(address: bigint): boolean {
  return address >= MODULES_START && address < MODULES_END;
}

export function stackEntries(mem: KernelMemory, symbols: KernelSymbols, rsp: bigint): string[] {
  const top = (rsp | BigInt(STACK_SIZE - 1)) + 1n;
  if (top <= rsp || top - rsp > BigInt(STACK_SIZE)) return [];
  // Page by page up to the first that is not mapped (an IRQ stack's guard page, a page not in the dump).
  const parts: Buffer[] = [];
  for (let at = rsp & ~7n; at < top; ) {
    const next = (at | 0xfffn) + 1n < top ? (at | 0xfffn) + 1n : top;
    const b = mem.read(at, Number(next - at));
    if (!b) break;
    parts.push(b);
    at = next;
  }
  const words = Buffer.concat(parts);
  const out: string[] = [];
  for (let i = 0; i + 8 <= words.length && out.length < STACK_ENTRIES; i += 8) {
    const w = words.readBigUInt64LE(i);
    const s = symbols.lookup(w);
    // A return address points into code, past the start of its function.
    if (s && s.text && s.offset > 0) out.push(`${s.name}+0x${s.offset.toString(16)}`);
    else if (inModuleArea(w) && mem.vtop(w) !== null) out.push(`[module area ${w.toString(16)}]`);
  }
  return out;
}

/** The first bytes of a file, to tell a dump from a log. */
export function isVmcore(head: Buffer): boolean {
  const k = dumpKind(head);
  return k !== null;
}

/** Opens a dump and reads what it holds without symbols. Throws DumpError when it is no dump this reader opens. */
export function openVmcore(path: string, opts: { symbols?: boolean } = {}): Vmcore {
  const file: DumpBytes = new FileBytes(path);
  try {
    const kind = dumpKind(file.read(0, 64));
    if (kind === null) throw new DumpError(`${path}: not a vmcore (no ELF core, kdump or flattened makedumpfile signature)`);
    if ('refused' in kind) throw new DumpError(`${path}: ${kind.refused}`);
    const mem = openPhysical(file, kind.format);
    try {
      const vmcoreinfo = mem.info.vmcoreinfo !== null ? parseVmcoreInfo(mem.info.vmcoreinfo) : null;
      const cpus = prstatusRegisters(mem.info.notes);
      let log: KernelLog | null = null;
      let logError: string | null = null;
      let symbols: KernelSymbols | null = null;
      const stacks: Vmcore['stacks'] = [];
      if (!vmcoreinfo) logError = 'the dump has no VMCOREINFO note: the log cannot be found without a vmlinux (open it with crash)';
      else {
        try {
          const km = kernelMemory(mem, vmcoreinfo);
          try {
            log = readKernelLog(km, vmcoreinfo);
          } catch (e) {
            logError = (e as Error).message;
          }
          if (opts.symbols && vmcoreinfo.symbols.has('kallsyms_names')) {
            try {
              symbols = readKallsyms(km, vmcoreinfo);
            } catch {
              // Addresses stay unnamed.
            }
          }
          if (symbols) {
            for (const c of cpus) {
              const rsp = c.registers.RSP ? BigInt(`0x${c.registers.RSP}`) : 0n;
              if (rsp >= 0xffff800000000000n) stacks.push({ cpu: c.index, entries: stackEntries(km, symbols, rsp) });
            }
          }
        } catch (e) {
          logError = (e as Error).message;
        }
      }
      return { path, dump: mem.info, vmcoreinfo, cpus, log, logError, symbols, stacks };
    } finally {
      mem.close();
    }
  } catch (e) {
    file.close();
    if (e instanceof DumpError) throw e;
    throw new DumpError(`${path}: the dump could not be read: ${(e as Error).message}`);
  }
}

export function vmcoreLogLines(v: Vmcore, opts: { caller?: boolean; style?: LogStyle } = {}): string[] {
  return v.log ? formatLog(v.log, opts) : [];
}
