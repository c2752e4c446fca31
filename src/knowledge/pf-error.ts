// x86 page-fault error code bits (arch/x86/include/asm/trap_pf.h: X86_PF_*), both values of each bit worded as the kernel's show_fault_oops() does.

import { tx, type Text } from './text';

export interface PfErrorBit {
  bit: number;
  name: string;
  /** Meaning when set and when clear. */
  set: Text;
  clear: Text | null;
  since?: string;
}

export const PF_ERROR_BITS: readonly PfErrorBit[] = [
  { bit: 0, name: 'X86_PF_PROT', set: tx('protection violation on a present page', '页存在，但违反了访问权限'), clear: tx('the page is not present', '页不存在（未映射）') },
  { bit: 1, name: 'X86_PF_WRITE', set: tx('write access', '写访问'), clear: tx('read access', '读访问') },
  { bit: 2, name: 'X86_PF_USER', set: tx('from user mode', '发生在用户态'), clear: tx('from kernel mode', '发生在内核态') },
  { bit: 3, name: 'X86_PF_RSVD', set: tx('a reserved bit was set in a page-table entry: the page tables are corrupt', '页表项里的保留位被置位：页表已损坏'), clear: null },
  { bit: 4, name: 'X86_PF_INSTR', set: tx('instruction fetch', '取指令'), clear: null },
  { bit: 5, name: 'X86_PF_PK', set: tx('protection-key violation', '违反保护键（PKU）'), clear: null },
  { bit: 6, name: 'X86_PF_SHSTK', set: tx('shadow-stack access', '影子栈（shadow stack）访问'), clear: null },
  { bit: 15, name: 'X86_PF_SGX', set: tx('SGX enclave access-control violation', 'SGX enclave 访问控制违规'), clear: null },
  { bit: 31, name: 'X86_PF_RMP', set: tx('SEV-SNP RMP violation', 'SEV-SNP RMP 检查违规'), clear: null },
];
