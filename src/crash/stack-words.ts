// Reads `bt` listings for the stack words `bt -f` (and -F, -FF) prints under each frame.

import type { CrashStackWords } from './types';
import { MAX_ENTRIES, type CrashReader, type CrashPrompt } from './reader';

/** Words kept over all frames: a `bt -f` of every task of a large machine stays in bounded memory. */
const MAX_WORDS = 1_000_000;

const BT_TASK = /^ {0,16}PID: {1,8}(\d{1,10}) {1,8}TASK: {1,4}([0-9a-f]{8,16}) {1,8}CPU: {1,4}(?:\d{1,6}|-) {1,8}COMMAND: {1,4}"(.{0,64})"\s*$/;
// ` #4 [ffff810072b47f10] vfs_write at ffffffff800789d8`, `#10 [...] f at addr [module]`
const BT_FRAME = /^ {0,8}#(\d{1,5}) {1,2}\[([0-9a-f]{8,16})\] (\S{1,256}) at ([0-9a-f]{8,16})(?: \[[^\]]{1,64}\])?(?: \*)?\s*$/;
// `    ffff810072b47f18: ffff81007e020380 ffff81007e2c2880 `
const BT_WORDS = /^ {0,16}([0-9a-f]{8,16}): {1,2}(\S.{0,1023})$/;
/** Other lines a `bt` frame may carry: register dumps, exception frames, stack switches, `[RA: ...]`. */
const BT_OTHER =
  /^ {0,16}(?:\[(?:RA|exception RIP): [^\]]{1,300}\]|--- <[^>]{1,64}> ---|(?:[A-Z][A-Z0-9_]{1,8}: {1,3}[0-9a-f]{1,16} {0,8}){1,8}|\.\.\.)\s*$/;

/** Reads `bt` output: task headers and frames in order, and the stack words under each frame. */
export class StackWordsReader implements CrashReader {
  readonly stackWords: CrashStackWords[] = [];
  private words = 0;
  private task: { pid: number; task: string } | null = null;
  private frame: { index: number; fn: string; line: number } | null = null;
  private entry: CrashStackWords | null = null;
  /** A new prompt starts a new listing: frames under it belong to no task until its `PID:` line. */
  private prompt: CrashPrompt | null = null;

  take(line: string, no: number, prompt: CrashPrompt): boolean {
    if (prompt !== this.prompt) {
      this.prompt = prompt;
      this.task = null;
    }
    const inBt = prompt.verb === null || prompt.verb === 'bt' || prompt.verb === 'foreach';
    let m = BT_TASK.exec(line);
    if (m && inBt) {
      this.task = { pid: Number(m[1]), task: m[2] };
      this.frame = null;
      this.entry = null;
      return true;
    }
    if ((m = BT_FRAME.exec(line))) {
      this.frame = { index: Number(m[1]), fn: m[3], line: no };
      this.entry = null;
      return true;
    }
    if (!this.frame) return false;
    if ((m = BT_WORDS.exec(line))) {
      this.addWords(m[1], m[2], no);
      return true;
    }
    return BT_OTHER.test(line);
  }

  private addWords(at: string, printed: string, no: number): void {
    const frame = this.frame;
    if (!frame) return;
    if (!this.entry) {
      if (this.stackWords.length >= MAX_ENTRIES) return;
      this.entry = { pid: this.task?.pid ?? null, task: this.task?.task ?? null, frameIndex: frame.index, function: frame.fn, frameLine: frame.line, words: [], lines: [] };
      this.stackWords.push(this.entry);
    }
    const entry = this.entry;
    entry.lines.push(no);
    // Each word is as wide as the address column: 8 bytes on 64-bit dumps, 4 on 32-bit ones.
    const width = BigInt(at.length > 8 ? 8 : 4);
    const base = BigInt('0x' + at);
    const values = printed.trim().split(/ {1,64}/);
    for (let i = 0; i < values.length && this.words < MAX_WORDS; i++) {
      this.words++;
      entry.words.push({ address: (base + BigInt(i) * width).toString(16).padStart(at.length, '0'), value: values[i] });
    }
  }

  close(): void {
    this.frame = null;
    this.entry = null;
  }
}
