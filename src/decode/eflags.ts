// Decodes an EFLAGS/RFLAGS value, saying plainly whether interrupts were enabled at that frame.

import { EFLAGS_BITS, EFLAGS_IF, EFLAGS_RESERVED_ONE, EFLAGS_RESERVED_ZERO_MASK } from '../knowledge/eflags';
import { hex, note, tx, type Note, type Text, type TextLang } from '../knowledge/text';
import { parseHexValue } from './common';

export interface EflagsDecode {
  kind: 'eflags';
  value: string;
  /** Names of the set flags, low bit first ("R1" is the always-one bit). */
  set: string[];
  flags: Array<{ name: string; value: number; meaning: Text }>;
  interruptsEnabled: boolean;
  iopl: number;
  /** Bit 1 set and no reserved-zero bit set. */
  plausible: boolean;
  notes: Note[];
  summary: Text;
}

export function decodeEflags(value: string | number | bigint): EflagsDecode {
  const big = typeof value === 'string' ? parseHexValue(value, 'EFLAGS value') : BigInt(value);
  const hi = Number(big >> 32n);
  const v = Number(big & 0xffffffffn);
  const flags: EflagsDecode['flags'] = [];
  for (const b of EFLAGS_BITS) {
    const f = Math.floor(v / 2 ** b.bit) % 2 ** b.width;
    if (f) flags.push({ name: b.name, value: f, meaning: b.meaning });
  }
  const interruptsEnabled = (v & EFLAGS_IF) !== 0;
  const notes: Note[] = [];
  const plausible = (v & EFLAGS_RESERVED_ONE) !== 0 && (v & EFLAGS_RESERVED_ZERO_MASK) === 0 && hi === 0;
  if (!plausible) {
    notes.push(note('not-eflags', 'bit 1 is always 1 and bits 3, 5, 15 and 22-63 are always 0 in EFLAGS: this is not an EFLAGS value, or the frame was misread', 'EFLAGS 的第 1 位恒为 1，第 3、5、15 及 22-63 位恒为 0：这不是一个 EFLAGS 值，或者栈帧解析错了'));
  }
  if (interruptsEnabled) {
    notes.push(note('if-set', 'IF set: interrupts were enabled at this frame. If this code is inside a spin_lock_irq()/local_irq_disable() region, something re-enabled interrupts (a nested spin_unlock_irq() or local_irq_enable())', 'IF 置位：该现场中断是开着的。如果这段代码处于 spin_lock_irq()/local_irq_disable() 的临界区内，说明有人把中断重新打开了（嵌套的 spin_unlock_irq() 或 local_irq_enable()）'));
  } else {
    notes.push(note('if-clear', 'IF clear: interrupts were disabled at this frame (inside spin_lock_irq*/local_irq_save, an interrupt or NMI handler, or early entry code); a CPU spinning here cannot take the timer interrupt, so the NMI watchdog reports a hard lockup', 'IF 清零：该现场中断是关着的（处于 spin_lock_irq*/local_irq_save 临界区、中断或 NMI 处理中，或入口代码早期）；CPU 如果在这里死等，连时钟中断都收不到，最终由 NMI watchdog 报 hard lockup'));
  }
  if (v & (1 << 16)) notes.push(note('rf', 'RF set: typical of the frame saved by a fault (page fault, general protection)', 'RF 置位：缺页、通用保护等异常保存的现场通常如此'));
  if (v & (1 << 18)) notes.push(note('ac', 'AC set: inside a user-access section (stac/clac, copy_from_user and friends)', 'AC 置位：处于用户态内存访问区间（stac/clac，copy_from_user 之类）'));
  const valueStr = hex(big, 8);
  return {
    kind: 'eflags', value: valueStr, set: flags.map((f) => f.name), flags, interruptsEnabled, iopl: (v >> 12) & 3, plausible, notes,
    summary: interruptsEnabled
      ? tx(`${valueStr}: interrupts ENABLED (IF set); flags ${flags.map((f) => f.name).filter((n) => n !== 'R1').join(' ') || 'none'}`, `${valueStr}：中断是开着的（IF 置位）；标志位 ${flags.map((f) => f.name).filter((n) => n !== 'R1').join(' ') || '无'}`)
      : tx(`${valueStr}: interrupts DISABLED (IF clear); flags ${flags.map((f) => f.name).filter((n) => n !== 'R1').join(' ') || 'none'}`, `${valueStr}：中断是关着的（IF 清零）；标志位 ${flags.map((f) => f.name).filter((n) => n !== 'R1').join(' ') || '无'}`),
  };
}

export function eflagsLines(r: EflagsDecode, lang: TextLang): string[] {
  const out = [r.summary[lang]];
  for (const f of r.flags) out.push(`  ${f.name.padEnd(4)} ${f.name === 'IOPL' ? `${f.value} ` : ''}${f.meaning[lang]}`);
  for (const n of r.notes) out.push('→ ' + n[lang]);
  return out;
}
