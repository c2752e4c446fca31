// Recognises inputs that are not text logs (vmcores, ELF files, binary data) to say so plainly.

import { sniffEncoding } from './encoding';

const KDUMP_SIGNATURES = ['KDUMP   ', 'DISKDUMP'];

/** Bytes of the first chunk looked at. */
const SAMPLE_BYTES = 64 * 1024;
/** From this share of control bytes on, the input is refused as binary. */
const BINARY_PERCENT = 10;

const COMPRESSED: ReadonlyArray<{ magic: Buffer; name: string; tool: string }> = [
  { magic: Buffer.from([0x1f, 0x8b]), name: 'gzip', tool: 'zcat' },
  { magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), name: 'xz', tool: 'xzcat' },
  { magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), name: 'zstd', tool: 'zstdcat' },
  { magic: Buffer.from('BZh'), name: 'bzip2', tool: 'bzcat' },
  { magic: Buffer.from([0x04, 0x22, 0x4d, 0x18]), name: 'lz4', tool: 'lz4cat' },
];

export interface Identification {
  /** True when the input cannot be analysed as a log at all. */
  fatal: boolean;
  message: string;
}

/** A note for the user about what the input is, or null for an ordinary text log. */
export function identifyInput(head: Buffer): Identification | null {
  if (head.length === 0) return null;
  // A vmcore given by path is read before this (src/vmcore); here it came on standard input, or is no core at all.
  if (head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) {
    const core = head.length >= 18 && head.readUInt16LE(16) === 4;
    return {
      fatal: true,
      message: core
        ? 'this is an ELF vmcore on standard input: give its path instead (`ktriage analyze VMCORE`, `ktriage dmesg VMCORE`), a dump is read at random, not as a stream.'
        : 'this is an ELF file but not a core dump (a vmlinux or a kernel module?), not a text log.',
    };
  }
  const sig = head.subarray(0, 8).toString('latin1');
  if (KDUMP_SIGNATURES.includes(sig) || head.subarray(0, 12).toString('latin1') === 'makedumpfile') {
    return { fatal: true, message: 'this is a kdump-compressed vmcore on standard input: give its path instead (`ktriage analyze VMCORE`, `ktriage dmesg VMCORE`), a dump is read at random, not as a stream.' };
  }
  const packed = COMPRESSED.find((c) => head.subarray(0, c.magic.length).equals(c.magic));
  if (packed) {
    return { fatal: true, message: `this is ${packed.name}-compressed data, not a text log: decompress it first (\`${packed.tool} FILE | ktriage analyze -\`).` };
  }
  // UTF-16 text (PowerShell's `>`, Notepad's "Unicode") is full of NUL bytes but is text.
  if (sniffEncoding(head).encoding !== 'utf-8') return null;
  let control = 0;
  const n = Math.min(head.length, SAMPLE_BYTES);
  for (let i = 0; i < n; i++) {
    const c = head[i];
    if (c === 0 || (c < 0x20 && c !== 9 && c !== 10 && c !== 13 && c !== 0x1b)) control++;
  }
  const share = Math.round((control * 100) / n);
  // Text, even a noisy serial capture, has almost no control bytes; random or packed data has
  // about 11% (29 of 256 byte values), zeros and device contents far more.
  if (control * 100 >= n * BINARY_PERCENT) {
    return { fatal: true, message: `this is binary data, not a text log (${share}% control bytes in the first ${n} bytes). For a memory image that holds a log, extract its text first (\`strings -n 8 FILE | ktriage analyze -\`).` };
  }
  if (control * 20 > n) {
    return { fatal: false, message: `The input looks partly binary (${share}% control bytes in the first ${n} bytes); it was read as text and only what looked like log lines was used.` };
  }
  return null;
}
