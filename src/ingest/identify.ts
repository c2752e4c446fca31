// Recognises inputs that are not text logs (vmcores, ELF files, binary data) to say so plainly.

import { sniffEncoding } from './encoding';

const KDUMP_SIGNATURES = ['KDUMP   ', 'DISKDUMP'];

export interface Identification {
  /** True when the input cannot be analysed as a log at all. */
  fatal: boolean;
  message: string;
}

/** A note for the user about what the input is, or null for an ordinary text log. */
export function identifyInput(head: Buffer): Identification | null {
  if (head.length === 0) return null;
  if (head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) {
    return { fatal: true, message: 'this is an ELF file (a vmcore or a vmlinux?), not a text log. Reading vmcores is not supported yet: extract the log with `makedumpfile --dump-dmesg vmcore dmesg.txt` or crash\'s `log` command and analyse that.' };
  }
  const sig = head.subarray(0, 8).toString('latin1');
  if (KDUMP_SIGNATURES.includes(sig)) {
    return { fatal: true, message: 'this is a kdump-compressed vmcore, not a text log. Reading vmcores is not supported yet: extract the log with `makedumpfile --dump-dmesg vmcore dmesg.txt` and analyse that.' };
  }
  // UTF-16 text (PowerShell's `>`, Notepad's "Unicode") is full of NUL bytes but is text.
  if (sniffEncoding(head).encoding !== 'utf-8') return null;
  let control = 0;
  const n = Math.min(head.length, 64 * 1024);
  for (let i = 0; i < n; i++) {
    const c = head[i];
    if (c === 0 || (c < 0x20 && c !== 9 && c !== 10 && c !== 13 && c !== 0x1b)) control++;
  }
  if (control * 20 > n) {
    return { fatal: false, message: `The input looks binary (${Math.round((control * 100) / n)}% control bytes in the first ${n} bytes); it was read as text and only what looked like log lines was used.` };
  }
  return null;
}
