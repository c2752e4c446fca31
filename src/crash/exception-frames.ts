// Reads `bt -e`: the exception frames crash found by searching a task's stack, with their registers.

import type { CrashExceptionFrame } from './types';
import { MAX_ENTRIES, type CrashReader, type CrashTaskHeader } from './reader';
import { addRegisterPairs } from '../parse/registers';
import { EFLAGS_IF, PSTATE_I } from '../knowledge/lock-waits';

// `  KERNEL-MODE EXCEPTION FRAME AT: ffffd393403cbe38` (crash 7+), ` KERNEL-MODE EXCEPTION FRAME AT c0b3bf44:` (older)
const FRAME = /^ {0,8}(KERNEL|USER)-MODE EXCEPTION FRAME AT:? {1,4}([0-9a-f]{8,16}):?\s*$/;
const RIP = /^ {0,12}\[exception RIP: ([^\]\s]{1,300})\]\s*$/;
const ARM64_PC = /^ {0,12}PC: [0-9a-f]{8,16} {1,4}\[([A-Za-z_.][\w.]{0,200}(?:\+(?:0x[0-9a-f]{1,8}|\d{1,8}))?)\]\s*$/;
const REGISTERS = /^ {0,12}(?:[A-Z][A-Z0-9_]{1,8}: {1,3}[0-9a-f]{1,16} {0,8}){1,8}$/;

/** Reads exception frame blocks: the frame line, then its `[exception RIP: ...]` and register lines. */
export class ExceptionFrameReader implements CrashReader {
  readonly frames: CrashExceptionFrame[] = [];
  private current: CrashExceptionFrame | null = null;

  take(line: string, no: number, _prompt: unknown, header: CrashTaskHeader | null): boolean {
    let m = FRAME.exec(line);
    if (m) {
      this.current = { pid: header?.pid ?? null, task: header?.task ?? null, mode: m[1] === 'KERNEL' ? 'kernel' : 'user', at: m[2], rip: null, registers: {}, interruptsEnabled: null, lines: [no] };
      if (this.frames.length < MAX_ENTRIES) this.frames.push(this.current);
      return true;
    }
    const f = this.current;
    if (!f) return false;
    if ((m = RIP.exec(line))) {
      f.rip = m[1];
      f.lines.push(no);
      return true;
    }
    // arm64: `PC: ffff800010abcdef  [sym+off]`, `SP: ...  PSTATE: 20400085`.
    const pc = ARM64_PC.exec(line);
    if (pc) {
      f.rip = pc[1];
      f.registers.PC ??= pc[0].trim().split(/\s+/)[1];
      f.lines.push(no);
      return true;
    }
    if (!REGISTERS.test(line) || f.lines.length >= 64) return false;
    if (Object.keys(f.registers).length < 64) addRegisterPairs(f.registers, line);
    if (f.rip === null) f.rip = f.registers.RIP ?? f.registers.EIP ?? null;
    const flags = f.registers.RFLAGS ?? f.registers.EFLAGS;
    if (flags !== undefined && /^[0-9a-f]{1,16}$/.test(flags)) f.interruptsEnabled = (parseInt(flags, 16) & EFLAGS_IF) !== 0;
    else if (f.registers.PSTATE !== undefined && /^[0-9a-f]{1,16}$/.test(f.registers.PSTATE)) f.interruptsEnabled = (parseInt(f.registers.PSTATE, 16) & PSTATE_I) === 0;
    f.lines.push(no);
    return true;
  }

  close(): void {
    // A line no reader takes (the blank between two frames, a prompt) ends the frame: the next frame line starts the next one.
    this.current = null;
  }
}
