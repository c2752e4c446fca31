// Reads the facts around a crash: kernel release, taint, task, hardware, registers and faulting IP, Code: bytes, fault address and access, modules.

import type { CodeBytes, FaultInfo, KernelInfo, LogLine, ModuleInfo, Registers, TaskInfo } from '../model/types';
import { parseFrame, parseSymbolOffset } from './frames';
import { readIpLine, readRegisterLine, type IpLine, type RowState } from './registers';
import { parseRelease } from '../knowledge/release';
import { archFromText } from '../knowledge/arch-markers';
import { esrAccess } from '../knowledge/arm64-esr';
import { EXCEPTION_ENTRIES, IRQ_ENTRIES, NMI_ENTRIES, matchesAny } from '../knowledge/contexts';

export { addRegisterPairs } from './registers';

const RELEASE = /\d{1,2}\.\d{1,3}(?:\.\d{1,4})?(?:[-+~][\w.+~-]{0,120})?/;
const TAINT_FIELD = String.raw`Not tainted|Tainted: [A-Z ]{0,40}[A-Z](?: {1,8}-{4,}[\w-]{0,8}(?: {1,4}[A-Z]{1,3})?(?: {1,4}-)?(?: {1,4}-)?)?`;
// `CPU: 3 PID: 3348 Comm: test.sh Tainted: G   OE  ---- 3.10.0-514.el7.x86_64 #1`
// `CPU: 1 UID: 0 PID: 5829 Comm: syz-executor Not tainted 6.12.0-rc1 #0`; a paste may cut it after the taint.
const CPU_LINE = new RegExp(String.raw`^ {0,4}CPU: {0,2}(\d{1,5}) (?:UID: \d{1,10} )?PID: {0,2}(\d{1,10}) Comm: (.{1,64}?) (?:Kdump: \w{1,16} )?(${TAINT_FIELD})(?: {1,12}(\S{1,160}))?`);
// 2.6.32: `Pid: 27122, comm: qemu-system-x86 Tainted: G  ---  2.6.32-431.el6.x86_64 #1 Dell Inc. PowerEdge R720`
const OLD_PID_LINE = /^ {0,4}Pid: (\d{1,10}), comm: (.{1,64}?) (Not tainted|Tainted: ([A-Z ]{1,40}(?: {1,8}-{4,}[\w-]{0,8}(?: {1,4}[A-Z]{1,3})?)?)) {1,8}(\S{1,160}) #\S{1,40}(?: (.{1,200}))?$/;
// lockdep's header: `6.9.0-rc3+ #49 Not tainted`, `4.18.0-159.el8.x86_64+debug #1 Tainted: G        W --------- -  -`.
const LOCKDEP_IDENT = new RegExp(String.raw`^ {0,4}(\d{1,2}\.\d{1,3}\S{0,160}) #\S{1,40} (${TAINT_FIELD})\s*$`);
// hung-task and RCU messages: `      Not tainted 5.4.2-10-feb+ #51`, `       Tainted: P           OE     5.2.14`.
const TAINT_RELEASE_LINE = new RegExp(String.raw`^ {0,12}(${TAINT_FIELD}) {1,12}(\d{1,2}\.\d{1,3}\S{0,160})(?: #\S{1,40})?(?: .{0,100})?$`);
// A release in parentheses at the end of a register line: i386 `EFLAGS: 00010002   (2.6.10-rc1-mm2)`, powerpc `REGS: ... Not tainted  (3.15.0-08556-gdfb9454)`, arm `CPU: 0    Not tainted  (2.6.32 #1)`.
const PAREN_RELEASE = /(?:^ {0,8}(?:EFLAGS|REGS|CPU|PSW)\b.{0,120}) \((\d{1,2}\.\d{1,3}[\w.+~-]{0,120})(?: #\S{1,40})?\)\s*$/;
const PAREN_TAINT = /\b(Not tainted|Tainted: [A-Z ]{1,40}?)\s+(?:VLI\s*)?(?:\(|$)/;
// i386/arm 2.6: `Process khelper (pid: 352, threadinfo=c19a7000 task=c19a6a20)`, `Process swapper (pid: 0, stack limit = 0xc0...)`.
const PROCESS_LINE = /^ {0,4}Process (\S{1,64}) \(pid: (\d{1,10}),/;
const OLD_CPU_LINE = /^ {0,4}CPU: {1,8}(\d{1,5}) *$/;
const HARDWARE = /^ {0,4}Hardware name: (.{1,300})$/;
const LINUX_VERSION = /^Linux version (\S{1,160}) /;
// crash `sys`: `     RELEASE: 3.10.0-514.26.2.el7.x86_64`
const CRASH_SYS = /^ {0,16}(RELEASE|MACHINE|PANIC|PID|COMMAND|CPU|CPUS|DUMPFILE|KERNEL|DATE|UPTIME|NODENAME|VERSION): (.{0,300})$/;
const MODULES = /^ {0,4}Modules linked in:(.{0,8000})$/;
const CODE = /^ {0,8}Code: (.{1,1000})$/;
// powerpc prints its code words under a label: `Instruction dump:` then rows of 8 words.
const INSTRUCTION_DUMP = /^ {0,8}Instruction dump:\s*$/;
const WORD_ROW = /^ {0,8}(?:[<(]?[0-9a-f]{8}[>)]? {1,2}){3,8}[<(]?[0-9a-f]{8}[>)]?\s*$/;
const TRACE_START = /^ {0,8}(?:Call [Tt]race:|Backtrace:|Stack:|Instruction dump:|---\[ end)/;
const CONTEXT_OPEN = /^ {0,16}<(NMI|IRQ)>/;
const CONTEXT_CLOSE = /^ {0,16}<(?:\/NMI|\/IRQ|EOI|EOE)>|^ {0,8}--- <(?:NMI|IRQ) exception stack> ---/;

/** Where the fault address is printed, per architecture and era. */
const FAULT_ADDRESS: readonly RegExp[] = [
  /NULL pointer dereference at (?:virtual address )?(?:0x)?([0-9a-f]{8,16})\b/,
  /paging request(?: for (?:data|instruction fetch))? at (?:virtual )?(?:address )?(?:0x)?([0-9a-f]{8,16})\b/,
  /Unable to handle kernel [\w -]{1,80}? at virtual address (?:0x)?([0-9a-f]{8,16})\b/,
  /page fault for address: (?:0x)?([0-9a-f]{8,16})\b/,
  /data access (?:on (?:read|write|execute) )?at (?:0x)?([0-9a-f]{8,16})\b/,
  /non-canonical address (0x[0-9a-f]{8,16})/,
  /Failing address: ([0-9a-f]{16})\b/,
  /(?<!instruction )address: (?:0x)?([0-9a-f]{8,16})\b/,
];
/** A report about a page fault: only there is the fault-address register (CR2, DAR) the address of this fault. */
const PAGE_FAULT_REPORT = /unable to handle (?:kernel )?(?:page fault|paging request|NULL pointer)|Unable to handle kernel|#PF: |page fault for address|paging request|NULL pointer dereference/i;
const FAULT_ERROR_CODE = /#PF: error_code\((0x[0-9a-f]{1,8})\)|^Oops: ([0-9a-f]{4}) \[#/;
/** The fault address and error code are printed in the first lines of a report. */
const FAULT_WINDOW = 80;

/** Register whose value is the faulting data address on a page fault, per architecture. */
const FAULT_ADDRESS_REGISTERS = ['CR2', 'DAR', 'BADADDR'] as const;

/** How the faulting access is named, by the line that names it. */
const ACCESS_WORDS: ReadonlyArray<{ re: RegExp; source: NonNullable<FaultInfo['accessSource']>; access: (m: RegExpExecArray) => FaultInfo['access'] }> = [
  // x86 5.x: `#PF: supervisor write access in kernel mode`, `#PF: supervisor instruction fetch in kernel mode`.
  { re: /#PF: (?:supervisor|user) (read access|write access|instruction fetch)/, source: 'pf-line', access: (m) => (m[1] === 'write access' ? 'write' : m[1] === 'read access' ? 'read' : 'exec') },
  // arm64 headers: `Unable to handle kernel write to read-only memory`, `... execute from non-executable memory`.
  { re: /Unable to handle kernel (write to read-only memory|execute from non-executable memory)/, source: 'header', access: (m) => (m[1].startsWith('write') ? 'write' : 'exec') },
  // powerpc: `... kernel data access on write at`, `... instruction fetch`, `paging request for instruction fetch`.
  { re: /data access on (read|write|execute) at|(instruction fetch)/, source: 'header', access: (m) => (m[1] === 'write' ? 'write' : m[1] === 'read' ? 'read' : 'exec') },
];
/** riscv `cause:` values of the page and access faults (scause exception codes). */
const RISCV_CAUSES: Readonly<Record<number, 'read' | 'write' | 'exec'>> = { 1: 'exec', 5: 'read', 7: 'write', 12: 'exec', 13: 'read', 15: 'write' };
/** powerpc DSISR bit set on a store (DSISR_ISSTORE). */
const DSISR_ISSTORE = 0x02000000;

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
      // `Code: Bad EIP value.`, `Code: Unable to access opcode bytes at RIP ...`: no bytes, and no frame either.
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

/** One register dump: an instruction-pointer line and the register lines around it. */
interface Dump {
  ip: Registers['ip'];
  values: Record<string, string>;
  lines: number[];
  /** Index in the lines where it starts. */
  start: number;
  context: NonNullable<Registers['context']>;
  user: boolean;
  /** No more register lines join it (a call trace or code dump began). */
  closed: boolean;
}

function ipFields(info: IpLine, text: string, no: number): NonNullable<Registers['ip']> {
  const sym = info.symbolText ? parseSymbolOffset(info.symbolText) : null;
  const decoded = !sym && info.symbolText ? /^([A-Za-z_.$][\w.$]{0,255}) \(/.exec(info.symbolText) : null;
  const module = !sym && info.symbolText ? /\) \[?([\w-]{1,64})\]?$/.exec(info.symbolText)?.[1] ?? null : null;
  return {
    text: text.trim(),
    function: sym ? sym.function : decoded ? decoded[1] : null,
    offset: sym ? sym.offset : null,
    size: sym ? sym.size : null,
    module: sym ? sym.module : module,
    address: info.address,
    line: no,
  };
}

/** Merges a second IP line into a dump that lacks what it says (i386 `EIP:` then `EIP is at`, riscv's two `epc :` lines). */
function mergeIp(d: Dump, info: IpLine, text: string, no: number): boolean {
  const cur = d.ip;
  if (!cur) {
    d.ip = ipFields(info, text, no);
    return true;
  }
  const next = ipFields(info, text, no);
  if (info.user !== d.user) return false;
  if ((next.function && cur.function) || (next.address && cur.address && next.address !== cur.address)) return false;
  if (!cur.function && next.function) Object.assign(cur, { function: next.function, offset: next.offset, size: next.size, module: next.module, text: next.text, line: next.line });
  if (!cur.address && next.address) cur.address = next.address;
  return true;
}

/**
 * The register dump of the fault: the report's first one, unless that one belongs to a context an NMI
 * or interrupt stopped (or to user mode) and a fault's own exception frame is printed too.
 */
function chooseDump(dumps: readonly Dump[]): Dump | null {
  const kernel = dumps.filter((d) => !d.user && (d.ip !== null || Object.keys(d.values).length >= 2));
  if (kernel.length === 0) return null;
  const first = kernel[0];
  if (first.context === 'first' || first.context === 'fault') return first;
  return kernel.find((d) => d.context === 'fault') ?? first;
}

function readFaultAddress(f: FaultInfo, text: string, no: number): void {
  if (f.address !== null) return;
  for (const re of FAULT_ADDRESS) {
    const m = re.exec(text);
    if (m) {
      f.address = m[1].replace(/^0x/, '');
      f.addressLine = no;
      return;
    }
  }
}

function setAccess(f: FaultInfo, access: FaultInfo['access'], source: NonNullable<FaultInfo['accessSource']>, no: number): void {
  if (f.access || !access) return;
  f.access = access;
  f.accessSource = source;
  f.accessLine = no;
}

/** The faulting access from the lines that name it (x86 error code, arm64 ESR, arm FSR, header words). */
function readAccess(f: FaultInfo, text: string, no: number): void {
  for (const w of ACCESS_WORDS) {
    const m = w.re.exec(text);
    if (m) setAccess(f, w.access(m), w.source, no);
  }
  const esr = /^ {0,4}ESR = 0x([0-9a-f]{8,16})\b|^Internal error: Oops: ([0-9a-f]{8,16}) \[#/.exec(text);
  if (esr && f.esr == null) {
    f.esr = (esr[1] ?? esr[2]).replace(/^0{8}(?=[0-9a-f]{8}$)/, '');
    f.esrLine = no;
    setAccess(f, esrAccess(BigInt('0x' + f.esr)), 'esr', no);
  }
  // arm (32-bit): `Internal error: Oops: 805 [#1]` is the FSR; bit 11 is WnR (ARMv6 and later).
  const fsr = /^Internal error: Oops: ([0-9a-f]{1,4}) \[#/.exec(text);
  if (fsr) setAccess(f, (Number.parseInt(fsr[1], 16) & 0x800) !== 0 ? 'write' : 'read', 'fsr', no);
}

/** The faulting access from the fault's registers (powerpc DSISR, riscv cause), once the dump is known. */
function accessFromRegisters(f: FaultInfo, regs: Registers): void {
  const line = regs.lines[0] ?? null;
  if (line === null) return;
  if (regs.values.DSISR && f.pageFault) setAccess(f, (Number.parseInt(regs.values.DSISR, 16) & DSISR_ISSTORE) !== 0 ? 'write' : 'read', 'dsisr', line);
  if (regs.values.CAUSE) {
    const cause = Number.parseInt(regs.values.CAUSE, 16);
    if (cause < 64 && RISCV_CAUSES[cause]) setAccess(f, RISCV_CAUSES[cause], 'cause', line);
  }
}

function errorCodeAccess(code: string): 'read' | 'write' | 'exec' {
  const v = Number.parseInt(code.replace(/^0x/, ''), 16);
  return (v & 0x10) !== 0 ? 'exec' : (v & 0x2) !== 0 ? 'write' : 'read';
}

/** Extracts details from the lines of one report (or of a whole input). The first occurrence wins. */
export function parseDetails(lines: readonly LogLine[]): Details {
  const d: Details = {
    kernel: { release: null, arch: null, taint: null },
    task: { comm: null, pid: null, cpu: null },
    hardware: null,
    registers: null,
    code: null,
    fault: { address: null, addressLine: null, errorCode: null, errorCodeLine: null, pageFault: false, access: null, accessLine: null, accessSource: null, esr: null, esrLine: null },
    modules: [],
    lastUnloaded: null,
  };
  let machine: string | null = null;
  const dumps: Dump[] = [];
  let dump: Dump | null = null;
  const rows: RowState = { nextGpr: null };
  const codes: Array<{ index: number; code: CodeBytes }> = [];
  let lastFrame: string | null = null;
  let nested: 'nmi' | 'irq' | null = null;
  let instructionDump = -1;

  const newDump = (i: number): Dump => {
    const context: Dump['context'] = lastFrame && matchesAny(lastFrame, EXCEPTION_ENTRIES) ? 'fault' : (lastFrame && matchesAny(lastFrame, NMI_ENTRIES)) || nested === 'nmi' ? 'nmi' : (lastFrame && matchesAny(lastFrame, IRQ_ENTRIES)) || nested === 'irq' ? 'irq' : 'first';
    const nd: Dump = { ip: null, values: {}, lines: [], start: i, context, user: false, closed: false };
    dumps.push(nd);
    return nd;
  };

  for (let i = 0; i < lines.length; i++) {
    const ln = lines[i];
    const text = ln.text;
    if (text.length > 8192) continue;
    if (i < FAULT_WINDOW) {
      readFaultAddress(d.fault, text, ln.no);
      if (PAGE_FAULT_REPORT.test(text)) d.fault.pageFault = true;
      readAccess(d.fault, text, ln.no);
      if (d.fault.errorCode === null) {
        const m = FAULT_ERROR_CODE.exec(text);
        if (m) {
          d.fault.errorCode = m[1] ?? m[2];
          d.fault.errorCodeLine = ln.no;
        }
      }
    }
    let m: RegExpExecArray | null;
    if (d.task.pid === null && (m = CPU_LINE.exec(text))) {
      d.task = { cpu: Number(m[1]), pid: Number(m[2]), comm: m[3] };
      d.kernel.taint = parseTaint(m[4]);
      if (m[5] && !d.kernel.release) d.kernel.release = releaseOf(m[5]);
      continue;
    }
    if (d.task.pid === null && (m = OLD_PID_LINE.exec(text))) {
      d.task = { cpu: null, pid: Number(m[1]), comm: m[2] };
      d.kernel.taint = parseTaint(m[3]);
      d.kernel.release = releaseOf(m[5]);
      if (m[6] && !d.hardware) d.hardware = m[6].trim();
      continue;
    }
    if ((m = LOCKDEP_IDENT.exec(text)) || (m = TAINT_RELEASE_LINE.exec(text))) {
      const [release, taint] = m[1].startsWith('Not tainted') || m[1].startsWith('Tainted') ? [m[2], m[1]] : [m[1], m[2]];
      if (!d.kernel.release) d.kernel.release = releaseOf(release);
      if (!d.kernel.taint) d.kernel.taint = parseTaint(taint);
      continue;
    }
    if (d.task.pid === null && (m = PROCESS_LINE.exec(text))) {
      d.task.comm = m[1];
      d.task.pid = Number(m[2]);
    }
    if (d.task.cpu === null && (m = OLD_CPU_LINE.exec(text))) d.task.cpu = Number(m[1]);
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
    if ((m = CODE.exec(text))) {
      const code = parseCode(m[1], ln.no);
      if (code) codes.push({ index: i, code });
      continue;
    }
    if (INSTRUCTION_DUMP.test(text)) {
      instructionDump = i;
      continue;
    }
    if (instructionDump >= 0 && i - instructionDump <= 3 && WORD_ROW.test(text)) {
      const prev = codes.find((c) => c.index === instructionDump);
      const row = parseCode(text, ln.no);
      if (row && prev) {
        if (row.fault >= 0 && prev.code.fault < 0) prev.code.fault = prev.code.bytes.length + row.fault;
        prev.code.bytes.push(...row.bytes);
      } else if (row) codes.push({ index: instructionDump, code: { ...row, line: ln.no } });
      continue;
    }

    // Context of what comes next: the frame just printed, and NMI/IRQ blocks of a console trace.
    const open = CONTEXT_OPEN.exec(text);
    if (open) nested = open[1] === 'NMI' ? 'nmi' : 'irq';
    else if (CONTEXT_CLOSE.test(text)) {
      nested = null;
      lastFrame = null;
    }
    const ipInfo = readIpLine(text);
    if (ipInfo) {
      if (!dump || dump.closed || !mergeIp(dump, ipInfo, text, ln.no)) {
        dump = newDump(i);
        dump.ip = ipFields(ipInfo, text, ln.no);
      }
      if (ipInfo.user) dump.user = true;
      if (!d.kernel.taint && (m = EIP_TAINT.exec(text))) d.kernel.taint = parseTaint(m[1]);
      if (!dump.lines.includes(ln.no)) dump.lines.push(ln.no);
      readRegisterLine(dump.values, text, rows);
      lastFrame = null;
      continue;
    }
    if (readRegisterLine(dump && !dump.closed ? dump.values : {}, text, rows)) {
      if (!dump || dump.closed) {
        dump = newDump(i);
        readRegisterLine(dump.values, text, { nextGpr: null });
      }
      dump.lines.push(ln.no);
      if (!d.kernel.release && (m = PAREN_RELEASE.exec(text))) d.kernel.release = m[1];
      if (!d.kernel.taint && PAREN_RELEASE.test(text) && (m = PAREN_TAINT.exec(text))) d.kernel.taint = parseTaint(m[1]);
      continue;
    }
    const frame = text.length <= 1024 ? parseFrame(text, ln.no) : null;
    if (frame) {
      if (frame.function && frame.reliable) lastFrame = frame.function;
      if (dump) dump.closed = true;
      continue;
    }
    if (dump && TRACE_START.test(text)) dump.closed = true;
  }

  const chosen = chooseDump(dumps);
  if (chosen) {
    d.registers = { values: chosen.values, ip: chosen.ip, lines: chosen.lines, context: chosen.context };
    if (chosen.ip && !chosen.values.PC && /^ {0,8}(?:pc|PC is at)\b/.test(chosen.ip.text) && chosen.ip.address) chosen.values.PC = chosen.ip.address;
    accessFromRegisters(d.fault, d.registers);
  }
  // The Code: bytes printed with the chosen register dump: after it and before the next one.
  const next = chosen ? dumps.find((x) => x.start > chosen.start) : undefined;
  const own = chosen ? codes.find((c) => c.index > chosen.start && (!next || c.index < next.start)) : undefined;
  d.code = (own ?? (chosen ? undefined : codes[0]))?.code ?? null;

  if (d.fault.errorCode && d.fault.pageFault) setAccess(d.fault, errorCodeAccess(d.fault.errorCode), 'error-code', d.fault.errorCodeLine ?? 0);
  if (d.fault.address === null && d.fault.pageFault && d.registers) {
    const reg = FAULT_ADDRESS_REGISTERS.find((r) => d.registers?.values[r]);
    if (reg) {
      d.fault.address = d.registers.values[reg];
      d.fault.addressLine = d.registers.lines.find((no) => lines.some((l) => l.no === no && l.text.toUpperCase().includes(`${reg}:`))) ?? null;
    }
  }
  d.kernel.arch = archOf(d.kernel.release, machine, lines);
  return d;
}

function archOf(release: string | null, machine: string | null, lines: readonly LogLine[]): string | null {
  return (
    (release ? parseRelease(release)?.arch : null) ??
    (machine && /^(x86_64|i[3-6]86|aarch64|arm64|ppc64le|ppc64|s390x|riscv64)$/.test(machine) ? (machine === 'arm64' ? 'aarch64' : machine) : null) ??
    archFromText(lines.map((l) => l.text))
  );
}

const EIP_TAINT = /^ {0,8}EIP: .{0,40}(Not tainted|Tainted: [A-Z ]{1,40}?)(?:\s+VLI)?\s*$/;

/**
 * What parseDetails says of the kernel (release, arch, taint), read from the same lines by the
 * same rules, without the frames, registers and fault: what a whole region of a large paste is
 * asked for.
 */
export function parseKernel(lines: readonly LogLine[]): KernelInfo {
  const k: KernelInfo = { release: null, arch: null, taint: null };
  let machine: string | null = null;
  // The first task line sets the taint; parseDetails reads only the first (its task's).
  let task = false;
  let modules = false;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].text;
    if (text.length > 8192) continue;
    let m: RegExpExecArray | null;
    if (!task && (m = CPU_LINE.exec(text))) {
      task = true;
      k.taint = parseTaint(m[4]);
      if (m[5] && !k.release) k.release = releaseOf(m[5]);
      continue;
    }
    if (!task && (m = OLD_PID_LINE.exec(text))) {
      task = true;
      k.taint = parseTaint(m[3]);
      k.release = releaseOf(m[5]);
      continue;
    }
    if ((m = LOCKDEP_IDENT.exec(text)) || (m = TAINT_RELEASE_LINE.exec(text))) {
      const [release, taint] = m[1].startsWith('Not tainted') || m[1].startsWith('Tainted') ? [m[2], m[1]] : [m[1], m[2]];
      if (!k.release) k.release = releaseOf(release);
      if (!k.taint) k.taint = parseTaint(taint);
      continue;
    }
    if (!task && PROCESS_LINE.test(text)) task = true;
    if (!k.release && (m = LINUX_VERSION.exec(text))) {
      k.release = m[1];
      continue;
    }
    if ((m = CRASH_SYS.exec(text))) {
      const v = m[2].trim();
      if (m[1] === 'RELEASE' && !k.release) k.release = v;
      else if (m[1] === 'MACHINE') machine = v.split(/\s/)[0] || null;
      else if (m[1] === 'PID' && /^\d+$/.test(v)) task = true;
      continue;
    }
    if (!modules && (m = MODULES.exec(text))) {
      // parseDetails reads the first module list with its continuation lines.
      const r = parseModules(m[1], lines.slice(i + 1, i + 40));
      modules = r.modules.length > 0;
      i += r.lines;
      continue;
    }
    if (!k.taint && (m = EIP_TAINT.exec(text)) && readIpLine(text)) k.taint = parseTaint(m[1]);
    if ((!k.release || !k.taint) && PAREN_RELEASE.test(text) && !readIpLine(text) && readRegisterLine({}, text, { nextGpr: null })) {
      if (!k.release) k.release = (PAREN_RELEASE.exec(text) as RegExpExecArray)[1];
      if (!k.taint && (m = PAREN_TAINT.exec(text))) k.taint = parseTaint(m[1]);
    }
  }
  k.arch = archOf(k.release, machine, lines);
  return k;
}
