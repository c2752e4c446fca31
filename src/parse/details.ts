// Reads the facts around a crash: kernel release, taint, task, hardware, registers, Code: bytes, modules.

import type { CodeBytes, FaultInfo, KernelInfo, LogLine, ModuleInfo, Registers, TaskInfo } from '../model/types';
import { parseSymbolOffset } from './frames';
import { parseRelease } from '../knowledge/release';

const RELEASE = /\d{1,2}\.\d{1,3}(?:\.\d{1,4})?(?:[-+~][\w.+~-]{0,120})?/;
// `CPU: 3 PID: 3348 Comm: test.sh Tainted: G   OE  ---- 3.10.0-514.el7.x86_64 #1`
// `CPU: 1 UID: 0 PID: 5829 Comm: syz-executor Not tainted 6.12.0-rc1 #0`
const CPU_LINE = /^ {0,4}CPU: {0,2}(\d{1,5}) (?:UID: \d{1,10} )?PID: {0,2}(\d{1,10}) Comm: (.{1,64}?) (?:Kdump: \w{1,16} )?(Not tainted|Tainted: ([A-Z ]{1,40}(?: {1,8}-{4,}[\w-]{0,8}(?: {1,4}[A-Z]{1,3})?(?: {1,4}-)?)?)) {1,8}(\S{1,160})/;
// 2.6.32: `Pid: 27122, comm: qemu-system-x86 Tainted: G  ---  2.6.32-431.el6.x86_64 #1 Dell Inc. PowerEdge R720`
const OLD_PID_LINE = /^ {0,4}Pid: (\d{1,10}), comm: (.{1,64}?) (Not tainted|Tainted: ([A-Z ]{1,40}(?: {1,8}-{4,}[\w-]{0,8}(?: {1,4}[A-Z]{1,3})?)?)) {1,8}(\S{1,160}) #\S{1,40}(?: (.{1,200}))?$/;
const HARDWARE = /^ {0,4}Hardware name: (.{1,300})$/;
const LINUX_VERSION = /^Linux version (\S{1,160}) /;
// crash `sys`: `     RELEASE: 3.10.0-514.26.2.el7.x86_64`
const CRASH_SYS = /^ {0,16}(RELEASE|MACHINE|PANIC|PID|COMMAND|CPU|CPUS|DUMPFILE|KERNEL|DATE|UPTIME|NODENAME|VERSION): (.{0,300})$/;
const MODULES = /^ {0,4}Modules linked in:(.{0,8000})$/;
const IP_NEW = /^ {0,8}(RIP|EIP|IP|PC is at|pc ?): ?(?:(\d{4}):)?(?:\[<([0-9a-f]{8,16})>\] {1,4})?(?:\[<[0-9a-f]{8,16}>\] {1,4})?(.{0,300})$/;
const REG_PAIR = /\b([A-Z][A-Z0-9_]{1,8}|[xw]\d{1,2}|sp|lr|pc|pstate): ?(?:[0-9a-f]{4}:)?([0-9a-f]{4,16})\b/g;

/**
 * Adds the `NAME: value` pairs of a register dump line to `into` (first value wins; names upper-cased,
 * EFLAGS filed as RFLAGS too so x86 code can ask for either); returns how many it found.
 */
export function addRegisterPairs(into: Record<string, string>, text: string): number {
  REG_PAIR.lastIndex = 0;
  let found = 0;
  let p: RegExpExecArray | null;
  while ((p = REG_PAIR.exec(text)) !== null) {
    const name = p[1].toUpperCase();
    if (!(name in into)) into[name] = p[2];
    if (name === 'EFLAGS' && !('RFLAGS' in into)) into.RFLAGS = p[2];
    found++;
  }
  return found;
}
const CODE = /^ {0,8}Code: (.{1,1000})$/;

const FAULT_ADDRESS: readonly RegExp[] = [
  /(?:NULL pointer dereference|paging request|page fault for address|data access)(?: at| at virtual address|, address:)? (?:0x)?([0-9a-f]{8,16})\b/i,
  /address: (?:0x)?([0-9a-f]{8,16})\b/,
  /non-canonical address (0x[0-9a-f]{8,16})/,
];
const FAULT_ERROR_CODE = /#PF: error_code\((0x[0-9a-f]{1,8})\)|^Oops: ([0-9a-f]{4}) \[#/;
/** The fault address and error code are printed in the first lines of a report. */
const FAULT_WINDOW = 80;

export interface Details {
  kernel: KernelInfo;
  task: TaskInfo;
  hardware: string | null;
  registers: Registers | null;
  code: CodeBytes | null;
  fault: FaultInfo;
  modules: ModuleInfo[];
  lastUnloaded: string | null;
}

function readFault(f: FaultInfo, text: string, no: number): void {
  if (f.address === null) {
    for (const re of FAULT_ADDRESS) {
      const m = re.exec(text);
      if (m) {
        f.address = m[1].replace(/^0x/, '');
        f.addressLine = no;
        break;
      }
    }
  }
  if (f.errorCode === null) {
    const m = FAULT_ERROR_CODE.exec(text);
    if (m) {
      f.errorCode = m[1] ?? m[2];
      f.errorCodeLine = no;
    }
  }
}

/** Splits a taint field into its letters; `G` (all modules GPL) is not a taint, RHEL's `----` markers are skipped. */
export function parseTaint(field: string): { raw: string; flags: string[] } {
  const raw = field.replace(/^Tainted: /, '').trimEnd();
  if (/^Not tainted/.test(field)) return { raw: 'Not tainted', flags: [] };
  const flags: string[] = [];
  for (const token of raw.split(/\s+/)) {
    if (token.includes('-')) continue;
    for (const ch of token) if (/[A-Z]/.test(ch) && ch !== 'G' && !flags.includes(ch)) flags.push(ch);
  }
  return { raw, flags };
}

function releaseOf(s: string): string | null {
  const m = RELEASE.exec(s);
  return m ? m[0] : null;
}

export function parseModules(first: string, following: readonly LogLine[]): { modules: ModuleInfo[]; lastUnloaded: string | null; lines: number } {
  let body = first;
  let used = 0;
  // Long module lists wrap onto lines that hold only module names.
  for (const ln of following) {
    if (!/^ {1,4}[\w-]{1,64}(?:\([A-Z+-]{1,10}\))?(?: [\w-]{1,64}(?:\([A-Z+-]{1,10}\))?){0,200}(?: \[last unloaded: [\w-]{1,64}(?:\([A-Z+-]{1,10}\))?\])? *$/.test(ln.text)) break;
    if (/^ {0,4}(?:CPU|Pid|Hardware|RIP|Call|Code|IP):/.test(ln.text)) break;
    body += ' ' + ln.text.trim();
    used++;
  }
  let lastUnloaded: string | null = null;
  // 6.x prints the unloaded module's taint letters too: `[last unloaded: timerleak(OE)]`.
  const lu = /\[last unloaded: ([\w-]{1,64})(?:\([A-Z+-]{1,10}\))?\]/.exec(body);
  if (lu) {
    lastUnloaded = lu[1];
    body = body.replace(lu[0], '');
  }
  const modules: ModuleInfo[] = [];
  for (const tok of body.trim().split(/\s+/)) {
    const m = /^([\w-]{1,64})(?:\(([A-Z+-]{1,10})\))?$/.exec(tok);
    if (!m) continue;
    const flags = m[2] ?? '';
    modules.push({ name: m[1], taint: flags.replace(/[+-]/g, ''), state: flags.replace(/[A-Z]/g, '') });
  }
  return { modules, lastUnloaded, lines: used };
}

export interface CodeToken {
  text: string;
  /** The hex digits: 2 for an x86 byte, 4 or 8 for an arm/arm64 instruction word; null if not hex. */
  hex: string | null;
  /** `<xx>` or `(xxxxxxxx)`: the instruction the IP points at. */
  marked: boolean;
}

/** Splits the bytes of a `Code:` line into tokens; one tokenizer for the log parser and for `decode code`. */
export function codeTokens(text: string): CodeToken[] {
  return text
    .trim()
    .split(/\s+/)
    .filter((tok) => tok !== '')
    .map((tok) => {
      const m = /^([<(]?)([0-9a-fA-F]{2}|[0-9a-fA-F]{4}|[0-9a-fA-F]{8})([>)]?)$/.exec(tok);
      return m ? { text: tok, hex: m[2].toLowerCase(), marked: m[1] !== '' && m[3] !== '' } : { text: tok, hex: null, marked: false };
    });
}

function parseCode(text: string, line: number): CodeBytes | null {
  const bytes: number[] = [];
  let fault = -1;
  let unit = 1;
  for (const tok of codeTokens(text)) {
    if (tok.hex === null) {
      if (/^Bad$|^Unable$/.test(tok.text)) return null;
      continue;
    }
    unit = Math.max(unit, tok.hex.length / 2);
    if (tok.marked && fault < 0) fault = bytes.length;
    // arm/arm64 print 32-bit (or 16-bit thumb) words, little-endian in memory.
    for (let i = tok.hex.length - 2; i >= 0; i -= 2) bytes.push(Number.parseInt(tok.hex.slice(i, i + 2), 16));
  }
  return bytes.length > 0 ? { bytes, fault, unit, line } : null;
}

/** Extracts details from the lines of one report (or of a whole input). The first occurrence wins. */
export function parseDetails(lines: readonly LogLine[]): Details {
  const d: Details = {
    kernel: { release: null, arch: null, taint: null },
    task: { comm: null, pid: null, cpu: null },
    hardware: null,
    registers: null,
    code: null,
    fault: { address: null, addressLine: null, errorCode: null, errorCodeLine: null },
    modules: [],
    lastUnloaded: null,
  };
  let regs: Registers | null = null;
  let regsDone = false;
  let codeClosed = false;
  let machine: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const ln = lines[i];
    const text = ln.text;
    if (text.length > 8192) continue;
    if (i < FAULT_WINDOW) readFault(d.fault, text, ln.no);
    let m: RegExpExecArray | null;
    if (d.task.pid === null && (m = CPU_LINE.exec(text))) {
      d.task = { cpu: Number(m[1]), pid: Number(m[2]), comm: m[3] };
      d.kernel.taint = parseTaint(m[4]);
      d.kernel.release = releaseOf(m[6]);
      continue;
    }
    if (d.task.pid === null && (m = OLD_PID_LINE.exec(text))) {
      d.task = { cpu: null, pid: Number(m[1]), comm: m[2] };
      d.kernel.taint = parseTaint(m[3]);
      d.kernel.release = releaseOf(m[5]);
      if (m[6] && !d.hardware) d.hardware = m[6].trim();
      continue;
    }
    if (!d.hardware && (m = HARDWARE.exec(text))) {
      d.hardware = m[1].trim();
      continue;
    }
    if (!d.kernel.release && (m = LINUX_VERSION.exec(text))) {
      d.kernel.release = m[1];
      continue;
    }
    if ((m = CRASH_SYS.exec(text))) {
      const v = m[2].trim();
      if (m[1] === 'RELEASE' && !d.kernel.release) d.kernel.release = v;
      else if (m[1] === 'MACHINE') machine = v.split(/\s/)[0] || null;
      else if (m[1] === 'COMMAND' && d.task.comm === null) d.task.comm = v.replace(/^"|"$/g, '');
      else if (m[1] === 'PID' && d.task.pid === null && /^\d+$/.test(v)) d.task.pid = Number(v);
      else if (m[1] === 'CPU' && d.task.cpu === null && /^\d+$/.test(v)) d.task.cpu = Number(v);
      continue;
    }
    if (d.modules.length === 0 && (m = MODULES.exec(text))) {
      const r = parseModules(m[1], lines.slice(i + 1, i + 40));
      d.modules = r.modules;
      d.lastUnloaded = r.lastUnloaded;
      i += r.lines;
      continue;
    }
    if (!d.code && !codeClosed && (m = CODE.exec(text))) {
      d.code = parseCode(m[1], ln.no);
      continue;
    }
    // The Code: bytes belong to the first register dump: a second RIP line closes the window.
    // A user-mode frame (`RIP: 0033:0x4529d9`, syscall entry registers) does not count.
    if (regs?.ip && regs.ip.line !== ln.no && IP_NEW.test(text) && !/^ {0,8}RIP: 0033:/.test(text)) codeClosed = true;
    if (regsDone) continue;
    if ((m = IP_NEW.exec(text)) && (!regs || !regs.ip)) {
      const sym = parseSymbolOffset(m[4]);
      // crash prints `RIP: ffffffff8168eb47  RSP: ...`: the value is the address itself.
      const bare = /^([0-9a-f]{8,16})(?:\s|$)/.exec(m[4]);
      regs = regs ?? { values: {}, ip: null, lines: [] };
      if (bare) addRegisterPairs(regs.values, text);
      regs.ip = {
        text: text.trim(),
        function: sym ? sym.function : null,
        offset: sym ? sym.offset : null,
        size: sym ? sym.size : null,
        module: sym ? sym.module : null,
        address: m[3] ?? (bare ? bare[1] : null),
        line: ln.no,
      };
      regs.lines.push(ln.no);
      continue;
    }
    if (/^ {0,8}(?:R[A-Z0-9]{1,3}|E[A-Z]{2}|CR2|x\d{1,2}|sp|lr|pc|pstate) ?: ?[0-9a-f]{4}/.test(text)) {
      regs = regs ?? { values: {}, ip: null, lines: [] };
      if (addRegisterPairs(regs.values, text) > 0) regs.lines.push(ln.no);
      continue;
    }
    if (regs && regs.lines.length > 0 && /Call Trace|^ {0,4}\[exception RIP/.test(text) && Object.keys(regs.values).length >= 4) regsDone = true;
  }
  d.registers = regs;
  if (d.fault.address === null && regs?.values.CR2) {
    d.fault.address = regs.values.CR2;
    d.fault.addressLine = regs.lines.find((no) => lines.some((l) => l.no === no && l.text.includes('CR2:'))) ?? null;
  }
  d.kernel.arch = (d.kernel.release ? parseRelease(d.kernel.release)?.arch : null) ?? (machine && /^(x86_64|i[3-6]86|aarch64|arm64|ppc64le|s390x|riscv64)$/.test(machine) ? machine : null);
  return d;
}
