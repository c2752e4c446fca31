// Reads `files`: a task's root and working directory and its open file descriptors.

import type { CrashOpenFiles } from './types';
import { MAX_ENTRIES, type CrashReader, type CrashTaskHeader } from './reader';

const ROOT = /^ {0,8}ROOT: (\S.{0,1000}?) {2,8}CWD: (\S.{0,1000}?)\s*$/;
const HEADER = /^ {0,8}FD {1,8}FILE {1,24}DENTRY {1,24}INODE {1,24}TYPE {1,8}PATH\s*$/;
// `  0 ffff8b818192e700 ffff8b81820729c0 ffff8b819af18cd0 CHR  /dev/console`; a socket has no path dentry on old kernels.
const ROW = /^ {0,8}(\d{1,9}) {1,8}([0-9a-f]{8,16}) {1,8}([0-9a-f]{8,16}) {1,8}([0-9a-f]{8,16}) {1,8}([A-Z]{2,6}|\?{1,4}) {1,8}(\S.{0,2000}?)\s*$/;
const NO_FILES = /^ {0,8}No open files\.?\s*$/;

/** Reads `files` answers: one entry a task, its files under the FD header. */
export class FilesReader implements CrashReader {
  readonly tasks: CrashOpenFiles[] = [];
  private current: CrashOpenFiles | null = null;
  private inTable = false;

  take(line: string, no: number, _prompt: unknown, header: CrashTaskHeader | null): boolean {
    let m = ROOT.exec(line);
    if (m) {
      this.current = { pid: header?.pid ?? null, task: header?.task ?? null, comm: header?.comm ?? null, root: m[1], cwd: m[2], files: [], lines: header ? [header.line, no] : [no] };
      if (this.tasks.length < MAX_ENTRIES) this.tasks.push(this.current);
      this.inTable = false;
      return true;
    }
    if (!this.current) return false;
    if (HEADER.test(line)) {
      this.inTable = true;
      return true;
    }
    if (NO_FILES.test(line)) return true;
    if (!this.inTable || !(m = ROW.exec(line))) return false;
    if (this.current.files.length < 65_536) this.current.files.push({ fd: Number(m[1]), file: m[2], dentry: m[3], inode: m[4], type: m[5], path: m[6], line: no });
    this.current.lines.push(no);
    return true;
  }

  close(): void {
    this.current = null;
    this.inTable = false;
  }
}
