// A vmcore opened natively: its format, VMCOREINFO, the registers of every CPU and the kernel log, with no vmlinux and no external tool.

import { FileBytes, DumpError, type DumpBytes } from './source';
import { dumpKind, openPhysical, type DumpInfo } from './dump';
import { parseVmcoreInfo, type VmcoreInfo } from './vmcoreinfo';
import { prstatusRegisters, type CpuRegisters } from './notes';
import { kernelMemory } from './translate';
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
        } catch (e) {
          logError = (e as Error).message;
        }
      }
      return { path, dump: mem.info, vmcoreinfo, cpus, log, logError, symbols };
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
