// A vmcore given where a log is expected: its kernel log as the lines to analyse, and what only the dump says as notes.

import { closeSync, openSync, readSync } from 'node:fs';
import { dumpKind, openVmcore, vmcoreLogLines, type Vmcore } from './index';

/** The first bytes of the file at `path` (fewer for a short file), to tell a dump from a log. */
function headOf(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(64);
    const n = readSync(fd, b, 0, 64, 0);
    return b.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** The file is a dump this reader knows (or refuses by name). */
export function looksLikeVmcore(path: string): boolean {
  try {
    return dumpKind(headOf(path)) !== null;
  } catch {
    return false;
  }
}

const FORMAT_NAMES: Record<Vmcore['dump']['format'], string> = {
  elf64: 'an ELF64 vmcore',
  kdump: 'a kdump-compressed vmcore',
  'kdump-flattened': "a kdump-compressed vmcore in makedumpfile's flattened format",
};

/** What the dump says beside its log, one sentence each. */
export function vmcoreNotes(v: Vmcore): string[] {
  const d = v.dump;
  const how = [...d.compressions].join(', ');
  const notes = [
    `Read from ${FORMAT_NAMES[d.format]}${how ? ` (${how}` : ''}${d.dumpLevel !== null ? `${how ? ', ' : ' ('}dump level ${d.dumpLevel}` : ''}${how || d.dumpLevel !== null ? ')' : ''}: ` +
      (v.log ? `the kernel log of its ${v.log.source === 'printk_ringbuffer' ? 'printk ring buffer' : 'log_buf'}, ${v.log.records.length} records, with no vmlinux.` : `no kernel log (${v.logError}).`),
  ];
  const i = v.vmcoreinfo;
  if (i) {
    const facts = [
      i.osrelease ? `OSRELEASE ${i.osrelease}` : null,
      i.pageSize ? `page size ${i.pageSize}` : null,
      i.kernelOffset !== null ? `KASLR offset 0x${i.kernelOffset.toString(16)}` : null,
      i.crashTime !== null ? `crash time ${new Date(i.crashTime * 1000).toISOString().replace('.000Z', 'Z')}` : null,
      i.buildId ? `build-id ${i.buildId}` : null,
    ].filter((x): x is string => x !== null);
    if (facts.length > 0) notes.push(`VMCOREINFO: ${facts.join(', ')}.`);
  }
  for (const c of v.cpus) {
    const r = c.registers;
    const flags = r.RFLAGS ? Number.parseInt(r.RFLAGS, 16) : NaN;
    const at = v.symbols?.lookup(BigInt(`0x${r.RIP}`)) ?? null;
    const where = at ? ` (${at.name}+0x${at.offset.toString(16)})` : '';
    notes.push(`CPU ${c.index} at the crash (its NT_PRSTATUS note): RIP ${r.RIP}${where} RSP ${r.RSP} RFLAGS ${r.RFLAGS.slice(-8)}${Number.isNaN(flags) ? '' : (flags & 0x200) !== 0 ? ' (interrupts enabled)' : ' (interrupts disabled)'}.`);
  }
  if (d.incomplete) notes.push('The dump is incomplete (cut short while written): pages past its end are missing, and so may be the end of the log.');
  if (d.unreadablePages > 0) notes.push(`${d.unreadablePages} page(s) of the dump could not be read${[...d.compressions].some((c) => c !== 'zlib') ? ` (pages compressed with ${[...d.compressions].filter((c) => c !== 'zlib').join(', ')} are not read yet)` : ''}.`);
  for (const p of v.log?.problems ?? []) notes.push(`The log: ${p}.`);
  return notes;
}

/** The dump's log as input chunks, with the notes of what the dump says. */
export function vmcoreInput(path: string): { chunks: AsyncIterable<Buffer>; notes: string[]; vmcore: Vmcore } {
  const v = openVmcore(path, { symbols: true });
  const text = vmcoreLogLines(v).join('\n') + '\n';
  async function* one(): AsyncGenerator<Buffer> {
    yield Buffer.from(text, 'latin1');
  }
  return { chunks: one(), notes: vmcoreNotes(v), vmcore: v };
}
