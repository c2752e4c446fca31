// arm64 Exception Syndrome Register: exception classes, fault status codes and data-abort fields (arch/arm64/include/asm/esr.h, arch/arm64/mm/fault.c).

import { tx, type Text } from './text';

export type EsrClassKind = 'data-abort' | 'instruction-abort' | 'alignment' | 'breakpoint' | 'serror' | 'undefined' | 'trap' | 'syscall' | 'other';

export interface EsrClass {
  ec: number;
  /** The kernel's own name, as `EC = 0x25: DABT (current EL)` prints it (esr_class_str[]). */
  name: string;
  kind: EsrClassKind;
  /** The exception was taken from EL0 (user space) rather than from the kernel itself. */
  lowerEl: boolean;
  meaning: Text;
}

const c = (ec: number, name: string, kind: EsrClassKind, lowerEl: boolean, en: string, zh: string): EsrClass => ({ ec, name, kind, lowerEl, meaning: tx(en, zh) });

/** ESR_ELx.EC, bits [31:26]. */
export const ESR_CLASSES: readonly EsrClass[] = [
  c(0x00, 'Unknown/Uncategorized', 'undefined', false, 'an undefined instruction (also BUG() on old kernels and corrupted code)', '未定义指令（老内核的 BUG()，或代码被破坏）'),
  c(0x01, 'WFI/WFE', 'trap', false, 'a trapped WFI/WFE', '被捕获的 WFI/WFE'),
  c(0x03, 'CP15 MCR/MRC', 'trap', true, 'an AArch32 coprocessor access', 'AArch32 协处理器访问'),
  c(0x04, 'CP15 MCRR/MRRC', 'trap', true, 'an AArch32 coprocessor access', 'AArch32 协处理器访问'),
  c(0x05, 'CP14 MCR/MRC', 'trap', true, 'an AArch32 debug coprocessor access', 'AArch32 调试协处理器访问'),
  c(0x06, 'CP14 LDC/STC', 'trap', true, 'an AArch32 debug coprocessor access', 'AArch32 调试协处理器访问'),
  c(0x07, 'ASIMD', 'trap', false, 'FP/SIMD used while disabled (kernel-mode NEON outside kernel_neon_begin()?)', '在禁用状态下使用了 FP/SIMD（内核里在 kernel_neon_begin() 之外用了 NEON？）'),
  c(0x08, 'CP10 MRC/VMRS', 'trap', true, 'an AArch32 VMRS access', 'AArch32 VMRS 访问'),
  c(0x09, 'PAC', 'trap', false, 'a pointer-authentication instruction trapped', '指针认证指令被捕获'),
  c(0x0c, 'CP14 MCRR/MRRC', 'trap', true, 'an AArch32 debug coprocessor access', 'AArch32 调试协处理器访问'),
  c(0x0d, 'BTI', 'trap', false, 'a branch target identification failure: an indirect branch landed on an instruction that is not a valid target (corrupted function pointer?)', '分支目标识别失败：间接跳转落在非法目标上（函数指针被破坏？）'),
  c(0x0e, 'PSTATE.IL', 'trap', false, 'an illegal execution state', '非法执行状态'),
  c(0x11, 'SVC (AArch32)', 'syscall', true, 'an AArch32 system call', 'AArch32 系统调用'),
  c(0x12, 'HVC (AArch32)', 'syscall', true, 'an AArch32 hypervisor call', 'AArch32 hypervisor 调用'),
  c(0x13, 'SMC (AArch32)', 'syscall', true, 'an AArch32 secure monitor call', 'AArch32 安全监控调用'),
  c(0x15, 'SVC (AArch64)', 'syscall', true, 'a system call', '系统调用'),
  c(0x16, 'HVC (AArch64)', 'syscall', false, 'a hypervisor call', 'hypervisor 调用'),
  c(0x17, 'SMC (AArch64)', 'syscall', false, 'a secure monitor call (to firmware)', '安全监控调用（进入固件）'),
  c(0x18, 'MSR/MRS (AArch64)', 'trap', false, 'a trapped system-register access', '被捕获的系统寄存器访问'),
  c(0x19, 'SVE', 'trap', false, 'SVE used while disabled', '在禁用状态下使用了 SVE'),
  c(0x1a, 'ERET/ERETAA/ERETAB', 'trap', false, 'a trapped exception return', '被捕获的异常返回'),
  c(0x1c, 'FPAC', 'trap', false, 'a pointer-authentication failure: a signed return address or pointer was corrupted', '指针认证失败：签名的返回地址或指针被破坏'),
  c(0x1d, 'SME', 'trap', false, 'SME used while disabled', '在禁用状态下使用了 SME'),
  c(0x1f, 'EL3 IMP DEF', 'other', false, 'an implementation-defined exception to EL3', '进入 EL3 的实现相关异常'),
  c(0x20, 'IABT (lower EL)', 'instruction-abort', true, 'an instruction fetch fault from user space', '用户态取指令出错'),
  c(0x21, 'IABT (current EL)', 'instruction-abort', false, 'the kernel fetched an instruction from a bad address: a jump through a corrupted function pointer, a freed module\'s code, or a non-executable page', '内核从坏地址取指令：通过被破坏的函数指针跳转、已卸载模块的代码，或不可执行的页'),
  c(0x22, 'PC Alignment', 'alignment', false, 'the PC is misaligned: a jump through a corrupted pointer', 'PC 未对齐：通过被破坏的指针跳转'),
  c(0x24, 'DABT (lower EL)', 'data-abort', true, 'a data access fault from user space', '用户态数据访问出错'),
  c(0x25, 'DABT (current EL)', 'data-abort', false, 'the kernel\'s own load or store faulted', '内核自己的读写访问出错'),
  c(0x26, 'SP Alignment', 'alignment', false, 'the stack pointer is misaligned: a corrupted or overflowed stack', '栈指针未对齐：栈被破坏或溢出'),
  c(0x28, 'FP (AArch32)', 'trap', true, 'an AArch32 floating-point exception', 'AArch32 浮点异常'),
  c(0x2c, 'FP (AArch64)', 'trap', false, 'a floating-point exception', '浮点异常'),
  c(0x2f, 'SError', 'serror', false, 'an asynchronous external abort (SError): usually a bus or memory error reported by hardware, or a device access to a powered-down or unclocked block', '异步外部中止（SError）：通常是硬件报告的总线或内存错误，或访问了掉电/未开时钟的设备'),
  c(0x30, 'Breakpoint (lower EL)', 'breakpoint', true, 'a hardware breakpoint in user space', '用户态硬件断点'),
  c(0x31, 'Breakpoint (current EL)', 'breakpoint', false, 'a hardware breakpoint in the kernel', '内核硬件断点'),
  c(0x32, 'Software Step (lower EL)', 'breakpoint', true, 'single-stepping user space', '用户态单步'),
  c(0x33, 'Software Step (current EL)', 'breakpoint', false, 'single-stepping the kernel', '内核单步'),
  c(0x34, 'Watchpoint (lower EL)', 'breakpoint', true, 'a watchpoint hit in user space', '用户态观察点命中'),
  c(0x35, 'Watchpoint (current EL)', 'breakpoint', false, 'a watchpoint hit in the kernel', '内核观察点命中'),
  c(0x38, 'BKPT (AArch32)', 'breakpoint', true, 'an AArch32 BKPT instruction', 'AArch32 BKPT 指令'),
  c(0x3a, 'Vector catch (AArch32)', 'breakpoint', true, 'an AArch32 vector catch', 'AArch32 向量捕获'),
  c(0x3c, 'BRK (AArch64)', 'breakpoint', false, 'a BRK instruction: BUG(), WARN() or a KASAN/UBSAN/CFI trap in the kernel', 'BRK 指令：内核里的 BUG()、WARN() 或 KASAN/UBSAN/CFI 陷阱'),
];

export type FaultStatusKind = 'address-size' | 'translation' | 'access-flag' | 'permission' | 'external' | 'tag-check' | 'table-walk' | 'parity' | 'alignment' | 'tlb-conflict' | 'atomic' | 'implementation' | 'domain' | 'unknown';

export interface FaultStatus {
  code: number;
  /** The kernel's own name (fault_info[].name). */
  name: string;
  kind: FaultStatusKind;
  /** Translation table level, when the code has one. */
  level: number | null;
}

function fsc(code: number): FaultStatus {
  const lvl = code & 3;
  if (code <= 0x03) return { code, name: code === 0 ? 'ttbr address size fault' : `level ${lvl} address size fault`, kind: 'address-size', level: code === 0 ? null : lvl };
  if (code <= 0x07) return { code, name: `level ${lvl} translation fault`, kind: 'translation', level: lvl };
  if (code >= 0x09 && code <= 0x0b) return { code, name: `level ${lvl} access flag fault`, kind: 'access-flag', level: lvl };
  if (code >= 0x0d && code <= 0x0f) return { code, name: `level ${lvl} permission fault`, kind: 'permission', level: lvl };
  if (code === 0x10) return { code, name: 'synchronous external abort', kind: 'external', level: null };
  if (code === 0x11) return { code, name: 'synchronous tag check fault', kind: 'tag-check', level: null };
  if (code >= 0x14 && code <= 0x17) return { code, name: `level ${lvl} (translation table walk)`, kind: 'table-walk', level: lvl };
  if (code === 0x18) return { code, name: 'synchronous parity or ECC error', kind: 'parity', level: null };
  if (code >= 0x1c && code <= 0x1f) return { code, name: `level ${lvl} synchronous parity error (translation table walk)`, kind: 'parity', level: lvl };
  if (code === 0x21) return { code, name: 'alignment fault', kind: 'alignment', level: null };
  if (code === 0x30) return { code, name: 'TLB conflict abort', kind: 'tlb-conflict', level: null };
  if (code === 0x31) return { code, name: 'Unsupported atomic hardware update fault', kind: 'atomic', level: null };
  if (code === 0x34) return { code, name: 'implementation fault (lockdown abort)', kind: 'implementation', level: null };
  if (code === 0x35) return { code, name: 'implementation fault (unsupported exclusive)', kind: 'implementation', level: null };
  if (code === 0x3d) return { code, name: 'section domain fault', kind: 'domain', level: null };
  if (code === 0x3e) return { code, name: 'page domain fault', kind: 'domain', level: null };
  return { code, name: `unknown ${code}`, kind: 'unknown', level: null };
}

/** DFSC/IFSC, ISS bits [5:0] of a data or instruction abort: all 64 codes, as the kernel's fault_info[] names them. */
export const FAULT_STATUS_CODES: readonly FaultStatus[] = Array.from({ length: 64 }, (_, i) => fsc(i));

export const FAULT_STATUS_MEANINGS: Readonly<Record<FaultStatusKind, Text>> = {
  'address-size': tx('the address is wider than the configured address size: a corrupted (not just stale) pointer', '地址超出了配置的地址位宽：指针被破坏（不只是过期）'),
  translation: tx('nothing is mapped there (no page-table entry at that level): a NULL, stale or wild pointer, or freed vmalloc/module memory', '那里没有映射（该级页表项不存在）：空指针、过期指针或野指针，或已释放的 vmalloc/模块内存'),
  'access-flag': tx('the page is mapped but its access flag is clear (normally handled silently): a page-table problem', '页已映射但访问标志位未置位（通常会被静默处理）：页表有问题'),
  permission: tx('the page is mapped but the access is not allowed: a write to read-only data (rodata, text, a write-protected page), execution of a non-executable page, or a user page touched outside uaccess (PAN)', '页已映射但不允许这种访问：写只读数据（rodata、代码段、写保护页）、执行不可执行页，或在 uaccess 之外访问用户页（PAN）'),
  external: tx('the memory system returned an error: a device register read when the device is off or unclocked, or a hardware memory error', '内存系统返回错误：设备掉电或未开时钟时读了寄存器，或者硬件内存错误'),
  'tag-check': tx('an MTE tag mismatch: use-after-free or out-of-bounds access caught by memory tagging', 'MTE 标签不匹配：内存标签捕获到的释放后使用或越界访问'),
  'table-walk': tx('an external abort while walking the page tables: corrupted page tables or a hardware error', '遍历页表时发生外部中止：页表被破坏或硬件错误'),
  parity: tx('a parity/ECC error: hardware', '奇偶校验/ECC 错误：硬件问题'),
  alignment: tx('a misaligned access to device memory or by an exclusive/atomic instruction', '对设备内存或原子/独占指令的未对齐访问'),
  'tlb-conflict': tx('a TLB conflict: a page-table update without the required break-before-make', 'TLB 冲突：更新页表时没有遵守 break-before-make'),
  atomic: tx('an unsupported atomic update of the page tables', '不支持的页表原子更新'),
  implementation: tx('an implementation-defined fault', '实现相关的错误'),
  domain: tx('a domain fault (AArch32)', '域错误（AArch32）'),
  unknown: tx('a reserved fault status code', '保留的错误状态码'),
};

/** ISS fields of a data abort (ESR_ELx_ISV, SAS, SSE, SRT, SF, AR, FnV, EA, CM, S1PTW, WnR). */
export const DATA_ABORT_FIELDS = {
  ISV: { shift: 24, bits: 1 },
  SAS: { shift: 22, bits: 2 },
  SSE: { shift: 21, bits: 1 },
  SRT: { shift: 16, bits: 5 },
  SF: { shift: 15, bits: 1 },
  AR: { shift: 14, bits: 1 },
  SET: { shift: 11, bits: 2 },
  FnV: { shift: 10, bits: 1 },
  EA: { shift: 9, bits: 1 },
  CM: { shift: 8, bits: 1 },
  S1PTW: { shift: 7, bits: 1 },
  WnR: { shift: 6, bits: 1 },
} as const;

export const ESR_EC_SHIFT = 26;
export const ESR_IL_BIT = 25;

export function esrClass(ec: number): EsrClass | null {
  return ESR_CLASSES.find((e) => e.ec === ec) ?? null;
}

/** What a kernel-mode ESR says about the faulting access: read, write, instruction fetch, or none (not an abort). */
export function esrAccess(esr: bigint): 'read' | 'write' | 'exec' | null {
  const ec = Number((esr >> BigInt(ESR_EC_SHIFT)) & 0x3fn);
  const cls = esrClass(ec);
  if (!cls) return null;
  if (cls.kind === 'instruction-abort') return 'exec';
  if (cls.kind !== 'data-abort') return null;
  // A cache maintenance or address translation instruction reports WnR=1 without writing.
  const cm = (esr >> BigInt(DATA_ABORT_FIELDS.CM.shift)) & 1n;
  const wnr = (esr >> BigInt(DATA_ABORT_FIELDS.WnR.shift)) & 1n;
  return wnr === 1n && cm === 0n ? 'write' : 'read';
}

/** The immediates of the kernel's own BRK instructions (ESR ISS of EC 0x3c; arch/arm64/include/asm/brk-imm.h). */
export const BRK_IMMEDIATES: ReadonlyArray<{ from: number; to: number; what: Text }> = [
  { from: 0x004, to: 0x004, what: tx('a kprobe', 'kprobe 断点') },
  { from: 0x005, to: 0x006, what: tx('a uprobe or kprobe single-step', 'uprobe 或 kprobe 单步') },
  { from: 0x100, to: 0x100, what: tx('a fault injected by the kernel (FAULT_BRK)', '内核注入的错误（FAULT_BRK）') },
  { from: 0x400, to: 0x401, what: tx('a kgdb breakpoint', 'kgdb 断点') },
  { from: 0x800, to: 0x800, what: tx('BUG() or WARN() (BUG_BRK_IMM)', 'BUG() 或 WARN()（BUG_BRK_IMM）') },
  { from: 0x900, to: 0x9ff, what: tx('a KASAN software-tag check failure (KASAN_BRK_IMM)', 'KASAN 软件标签检查失败（KASAN_BRK_IMM）') },
  { from: 0x5500, to: 0x55ff, what: tx('a UBSAN trap (UBSAN_BRK_IMM)', 'UBSAN 陷阱（UBSAN_BRK_IMM）') },
  { from: 0x8000, to: 0x80ff, what: tx('a kCFI check failure: an indirect call to a function of the wrong type', 'kCFI 检查失败：间接调用了类型不符的函数') },
];
