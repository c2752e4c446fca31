// What in a log says which architecture the kernel runs on when its release string does not (data, first match wins).

/** Architecture names as `uname -m` (and the release parser) give them. */
export type ArchName = 'x86_64' | 'i686' | 'aarch64' | 'arm' | 'ppc64' | 'ppc' | 's390x' | 'riscv64' | 'parisc' | 'mips' | 'loongarch64';

export interface ArchMarker {
  arch: ArchName;
  /** Register dump lines, entry points and syscall wrappers only this architecture prints. */
  patterns: readonly RegExp[];
}

export const ARCH_MARKERS: readonly ArchMarker[] = [
  {
    arch: 'aarch64',
    patterns: [/^ {0,8}pstate: [0-9a-f]{8}/, /^ {0,8}x29: [0-9a-f]{16} x28: /,
      // crash's arm64 exception frames: `SP: ffff800011c0c200  PSTATE: 20400085`, `X29: ... X28: ...`.
      /^ {0,8}SP: [0-9a-f]{16} {1,2}PSTATE: [0-9a-f]{8}/, /^ {0,8}X29: [0-9a-f]{16} {1,2}X28: /, /\b__arm64_sys_\w/, /\bel[01]h?_64_(?:sync|irq)\b|\bel0t_64_sync\b|\bel0_svc(?:_common|_handler)?\b/, /Mem abort info:/, /^ {0,8}ESR = 0x[0-9a-f]{8,16}$/,
      // A kernel address in the lower half of the top 16 bits' range: arm64's linear map and image (x86_64 calls it non-canonical).
      /\b(?:at addr|at virtual address|address:?) ffff[0-7][0-9a-f]{11}\b/, /\bgic_handle_irq\b.*(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)/],
  },
  {
    arch: 'x86_64',
    patterns: [/^ {0,8}RIP: 00(?:10|33):/, /^ {0,8}RAX: [0-9a-f]{16} RBX: /, /\b__x64_sys_\w/, /\bentry_SYSCALL_64\w*/, /\b(?:asm_)?exc_page_fault\b/, /^ {0,8}\[exception RIP: /, /^ {0,8}RIP: [0-9a-f]{16} {1,4}RSP: /],
  },
  {
    arch: 'i686',
    patterns: [/^ {0,8}EIP: (?:0060|0073|\[<)/, /^ {0,8}eax: [0-9a-f]{8} {1,4}ebx: /, /^ {0,8}EAX: [0-9a-f]{8} EBX: /, /^ {0,8}EIP is at /, /\b__ia32_sys_\w|\bentry_INT80_32\b|\bsysenter_past_esp\b/],
  },
  {
    arch: 'arm',
    patterns: [/^ {0,8}PC is at \S/, /^ {0,8}pc : \[<[0-9a-f]{8}>\] {1,8}lr : \[<[0-9a-f]{8}>\] {1,8}psr: /, /\[<[0-9a-f]{8}>\] \([\w.]{1,128}\) from \[<[0-9a-f]{8}>\]/, /\b__irq_svc\b|\bvector_swi\b|\bret_fast_syscall\b/],
  },
  { arch: 's390x', patterns: [/^ {0,8}Krnl PSW : [0-9a-f]{16} [0-9a-f]{16}/, /^ {0,8}Krnl GPRS: /, /\b__s390x_sys_\w/, /\b__do_syscall\b.*\bsystem_call\b/] },
  { arch: 'ppc64', patterns: [/^ {0,8}NIP: {1,2}c[0-9a-f]{15} LR: /, /^ {0,8}NIP \[c[0-9a-f]{15}\] /, /^ {0,8}MSR: {1,2}[0-9a-f]{16} </, /\bsystem_call_exception\b|\bsystem_call_common\b/] },
  { arch: 'ppc', patterns: [/^ {0,8}NIP: {1,2}[0-9a-f]{8} LR: /, /^ {0,8}NIP \[[0-9a-f]{8}\] /] },
  { arch: 'riscv64', patterns: [/^ {0,8}epc : [0-9a-f]{16} ra : /, /^ {0,8}status: [0-9a-f]{16} badaddr: [0-9a-f]{16} cause: /, /\b__riscv_sys_\w|\bhandle_exception\b.*\bret_from_exception\b/] },
  { arch: 'parisc', patterns: [/^ {0,8}YZrvWESTHLNXBCVMcbcbcbcbOGFRQPDI/, /^ {0,8}IAOQ\[0\]: /, /^ {0,8}IASQ: [0-9a-f]{8,16} /, /\bhandle_interruption\b/, /\bintr_check_sig\b|\bsyscall_exit\b/] },
  { arch: 'mips', patterns: [/^ {0,8}epc {3}: [0-9a-f]{8,16} /, /^ {0,8}\$ ?\d{1,2} {1,4}: [0-9a-f]{8,16}/] },
  { arch: 'loongarch64', patterns: [/^ {0,8}ERA: [0-9a-f]{16} /, /^ {0,8}PRMD: [0-9a-f]{8} /] },
];

/** Marker lines of one architecture, and none of another, that settle the vote. */
const DECISIVE_VOTES = 64;

/** The architecture whose markers match most lines. */
export function archFromText(lines: Iterable<string>): ArchName | null {
  const counts = new Map<ArchName, number>();
  let lead = 0;
  for (const text of lines) {
    if (text.length > 2048) continue;
    for (const m of ARCH_MARKERS) {
      if (!m.patterns.some((p) => p.test(text))) continue;
      const k = (counts.get(m.arch) ?? 0) + 1;
      counts.set(m.arch, k);
      lead = Math.max(lead, k);
    }
    // A vote this clear is not overturned by the rest of a long region (a paste of thousands of stacks).
    if (lead >= DECISIVE_VOTES && counts.size === 1) break;
  }
  let best: ArchName | null = null;
  let n = 0;
  for (const m of ARCH_MARKERS) {
    const k = counts.get(m.arch) ?? 0;
    if (k > n) [best, n] = [m.arch, k];
  }
  return best;
}
