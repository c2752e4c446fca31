// ELF notes of a dump: VMCOREINFO, and NT_PRSTATUS of each CPU (its registers at the crash).

export interface ElfNote {
  name: string;
  type: number;
  desc: Buffer;
}

export const NT_PRSTATUS = 1;

/** Notes read at most from one segment. */
const MAX_NOTES = 65_536;

/** The notes in `buf` (4-byte aligned name and descriptor, little-endian), stopping at the first one that does not fit. */
export function readNotes(buf: Buffer): ElfNote[] {
  const out: ElfNote[] = [];
  let p = 0;
  const align = (n: number): number => (n + 3) & ~3;
  while (p + 12 <= buf.length && out.length < MAX_NOTES) {
    const namesz = buf.readUInt32LE(p);
    const descsz = buf.readUInt32LE(p + 4);
    const type = buf.readUInt32LE(p + 8);
    const nameAt = p + 12;
    const descAt = nameAt + align(namesz);
    if (namesz > 4096 || descsz > buf.length || descAt + descsz > buf.length) break;
    const name = buf.subarray(nameAt, nameAt + namesz).toString('latin1').replace(/\0+$/, '');
    // Only the notes a reader uses are kept, each a copy: the segment they came from is freed.
    if (name === 'VMCOREINFO' || (name === 'CORE' && type === NT_PRSTATUS)) out.push({ name, type, desc: Buffer.from(buf.subarray(descAt, descAt + descsz)) });
    p = descAt + align(descsz);
    if (namesz === 0 && descsz === 0 && type === 0) break;
  }
  return out;
}


/** x86_64 `struct user_regs_struct`, in the order `elf_prstatus.pr_reg` holds it. */
const X86_64_REGS = ['R15', 'R14', 'R13', 'R12', 'RBP', 'RBX', 'R11', 'R10', 'R9', 'R8', 'RAX', 'RCX', 'RDX', 'RSI', 'RDI', 'ORIG_RAX', 'RIP', 'CS', 'RFLAGS', 'RSP', 'SS', 'FS_BASE', 'GS_BASE', 'DS', 'ES', 'FS', 'GS'] as const;
/** Where pr_reg starts in x86_64's `struct elf_prstatus`, and pr_pid. */
const X86_64_PR_REG = 112;
const X86_64_PR_PID = 32;

/** One CPU's registers at the crash, from its NT_PRSTATUS note. */
export interface CpuRegisters {
  /** The order of the note among the dump's prstatus notes: the CPU number as crash counts them. */
  index: number;
  pid: number;
  registers: Record<string, string>;
}

export function prstatusRegisters(notes: readonly ElfNote[]): CpuRegisters[] {
  const out: CpuRegisters[] = [];
  for (const n of notes) {
    if (n.type !== NT_PRSTATUS || n.name !== 'CORE' || n.desc.length < X86_64_PR_REG + X86_64_REGS.length * 8) continue;
    const registers: Record<string, string> = {};
    X86_64_REGS.forEach((r, i) => {
      registers[r] = n.desc.readBigUInt64LE(X86_64_PR_REG + i * 8).toString(16).padStart(16, '0');
    });
    out.push({ index: out.length, pid: n.desc.readInt32LE(X86_64_PR_PID), registers });
  }
  return out;
}
