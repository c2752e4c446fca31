// x86 EFLAGS/RFLAGS bits (Intel SDM vol. 1, 3.4.3) with what each means when read off a crash frame.

import { tx, type Text } from './text';

export interface FlagBit {
  bit: number;
  /** Width in bits (IOPL is 2). */
  width: number;
  name: string;
  meaning: Text;
}

export const EFLAGS_BITS: readonly FlagBit[] = [
  { bit: 0, width: 1, name: 'CF', meaning: tx('carry', '进位') },
  { bit: 1, width: 1, name: 'R1', meaning: tx('reserved, always 1', '保留位，恒为 1') },
  { bit: 2, width: 1, name: 'PF', meaning: tx('parity (low byte of the last result has an even number of 1 bits)', '奇偶标志（上次结果低字节中 1 的个数为偶数）') },
  { bit: 4, width: 1, name: 'AF', meaning: tx('auxiliary carry (BCD)', '辅助进位（BCD 运算）') },
  { bit: 6, width: 1, name: 'ZF', meaning: tx('zero (last result was zero)', '零标志（上次结果为 0）') },
  { bit: 7, width: 1, name: 'SF', meaning: tx('sign (last result negative)', '符号标志（上次结果为负）') },
  { bit: 8, width: 1, name: 'TF', meaning: tx('trap: single-stepping', '陷阱标志：单步调试') },
  { bit: 9, width: 1, name: 'IF', meaning: tx('interrupt enable: maskable interrupts were enabled at this frame', '中断允许：该现场可屏蔽中断处于开启状态') },
  { bit: 10, width: 1, name: 'DF', meaning: tx('direction: string instructions count down', '方向标志：串操作向低地址进行') },
  { bit: 11, width: 1, name: 'OF', meaning: tx('overflow', '溢出标志') },
  { bit: 12, width: 2, name: 'IOPL', meaning: tx('I/O privilege level', 'I/O 特权级') },
  { bit: 14, width: 1, name: 'NT', meaning: tx('nested task', '嵌套任务') },
  { bit: 16, width: 1, name: 'RF', meaning: tx('resume: the CPU is returning from a fault (set on the fault frame of a page fault or other exception)', '恢复标志：从异常返回时置位（缺页等异常的现场常见）') },
  { bit: 17, width: 1, name: 'VM', meaning: tx('virtual-8086 mode', '虚拟 8086 模式') },
  { bit: 18, width: 1, name: 'AC', meaning: tx('alignment check / SMAP override: kernel access to user memory is allowed (stac)', '对齐检查/SMAP 放行：内核此时允许访问用户态内存（stac）') },
  { bit: 19, width: 1, name: 'VIF', meaning: tx('virtual interrupt flag', '虚拟中断标志') },
  { bit: 20, width: 1, name: 'VIP', meaning: tx('virtual interrupt pending', '虚拟中断挂起') },
  { bit: 21, width: 1, name: 'ID', meaning: tx('CPUID available', '支持 CPUID') },
];

export const EFLAGS_IF = 1 << 9;
export const EFLAGS_RESERVED_ONE = 1 << 1;
/** Bits that are always 0 in EFLAGS (3, 5, 15, 22-63). */
export const EFLAGS_RESERVED_ZERO_MASK = ~0x3f7fd7 >>> 0;
