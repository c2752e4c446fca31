// The crash commands a diagnosis asks for next (its next steps, the addresses and functions its facts name), made safe to run in the dump.

import type { GroupedFinding } from '../rules/group';
import type { CrashReport } from '../model/types';

/** Registers looked at for the object a faulting function worked on: the arguments first, then the rest. */
const OBJECT_REGISTERS = ['RDI', 'RSI', 'RDX', 'RCX', 'R8', 'R9', 'RAX', 'RBX', 'R12', 'R13', 'R14', 'R15', 'RBP', 'X0', 'X1', 'X2', 'X19', 'X20'];
/** Kernel data addresses (the direct map and vmalloc, x86_64 and arm64), not the kernel image or modules. */
const DATA_ADDRESS = /^ffff(?:[89a-e][0-9a-f]{11}|f[0-7][0-9a-f]{10})$/;
/** Objects looked up per report at most. */
const MAX_OBJECTS = 4;

/** The commands crash may be asked to run for an investigation: reading, never writing, no shell. */
const VERBS = new Set(['dis', 'rd', 'kmem', 'struct', 'bt', 'runq', 'p', 'px', 'task', 'waitq', 'files', 'timer', 'sym', 'irq', 'mod']);
/** A command is words of symbols, addresses, numbers and options: nothing a shell or a redirection could take. */
const SAFE = /^[a-z]{1,8}(?: {1,4}(?:-[a-zA-Z]{1,4}|[A-Za-z_][\w.]{0,127}(?:\+(?:0x)?[0-9a-f]{1,8})?|(?:0x)?[0-9a-f]{1,16}|\d{1,6}|[A-Za-z_][\w.]{0,63}\.[A-Za-z_][\w.]{0,63}))*$/;
/** Commands of one round at most. */
const MAX_COMMANDS = 16;
const STEP_COMMAND = /crash> ([^;（(]+?)(?=\s{2,}|\s*[（(;]|\s*$)/g;

/** A command as crash will run it, or null when it is not one an investigation may run (a placeholder, a pipe, a verb that is not a reading one). */
export function safeCommand(text: string): string | null {
  const c = text.trim().replace(/\s+/g, ' ');
  if (!SAFE.test(c)) return null;
  return VERBS.has(c.split(' ')[0]) ? c : null;
}

/** What each finding's next steps and facts ask to look at in the dump, not run before, the likeliest finding first. */
export function investigationCommands(findings: readonly GroupedFinding[], ran: ReadonlySet<string>, reports: readonly CrashReport[] = []): string[] {
  const out: string[] = [];
  const add = (raw: string): void => {
    const c = safeCommand(raw);
    if (c && !ran.has(c) && !out.includes(c) && out.length < MAX_COMMANDS) out.push(c);
  };
  for (const f of findings.slice(0, 4)) {
    for (const step of f.nextSteps) for (const m of step.matchAll(STEP_COMMAND)) add(m[1]);
    const facts = f.facts as Record<string, unknown>;
    const lock = typeof facts.lockAddress === 'string' ? facts.lockAddress : null;
    // The lock's memory and who owns it (a module's data, a slab object, a task's stack).
    if (lock && /^[0-9a-f]{8,16}$/.test(lock)) {
      add(`kmem ${lock}`);
      add(`rd ${lock} 4`);
    }
    // The culprit's code, with its source lines when the module's debuginfo is loaded.
    if (f.culprit?.function) add(`dis -l ${f.culprit.function}`);
    // The objects the faulting code held in its registers: which is a slab object, live or freed, and of which cache.
    const r = f.report !== null && f.report !== undefined ? reports[f.report] : undefined;
    const regs = r?.registers?.values ?? {};
    let objects = 0;
    for (const name of OBJECT_REGISTERS) {
      const v = regs[name]?.toLowerCase();
      if (v && DATA_ADDRESS.test(v) && objects < MAX_OBJECTS) {
        objects++;
        add(`kmem ${v}`);
      }
    }
  }
  return out;
}
