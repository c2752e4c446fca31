// The typed model of a kernel log and the crash reports found in it.

/** One line of the input after paste clean-up, with its console prefix split off. */
export interface LogLine {
  /** 1-based line number in the input as given. */
  no: number;
  /** The line after paste clean-up (bullets, NBSP, CR removed), console prefix kept. */
  raw: string;
  /** The message itself: timestamp, caller id, level and syslog prefixes removed. */
  text: string;
  /** printk timestamp in seconds, when the line had one. */
  time?: number;
  /** printk caller id without brackets: "T1234" (task) or "C3" (CPU), when present. */
  caller?: string;
  /** syslog level from a `<N>` prefix, when present. */
  level?: number;
  /** How many more physical lines (no+1 .. no+joined) were rejoined onto this one after a mail client wrapped it. */
  joined?: number;
}

/** The execution context a stack segment ran in. */
export type StackContext =
  | 'task'
  | 'irq'
  | 'softirq'
  | 'nmi'
  | 'exception'
  | 'unknown';

export interface Frame {
  function: string | null;
  /** Offset into the function, e.g. 0x4d. */
  offset: number | null;
  size: number | null;
  module: string | null;
  address: string | null;
  /** false for `?` frames: found on the stack, not proven to be on the call chain. */
  reliable: boolean;
  /** `file.c:123` when the trace printed it (KASAN/syzkaller symbolised traces). */
  source: string | null;
  /** Inlined frame marker printed by symbolisers. */
  inlined: boolean;
  line: number;
}

/** A run of frames that executed in one context, in the order printed (innermost first). */
export interface StackSegment {
  context: StackContext;
  frames: Frame[];
  /** The exception frame that starts this segment (crash `[exception RIP: f+N]`, console `RIP:`), if any. */
  exceptionRip: string | null;
  /** Registers printed with that exception frame (upper-case names, hex values without 0x). */
  registers: Record<string, string> | null;
  /** Lines of that register dump, and of the exception line itself. */
  registerLines: number[];
  startLine: number;
  endLine: number;
}

export interface CallTrace {
  /** Where the trace came from: console `Call Trace:`, a crash `bt` listing, or a bare frame list. */
  origin: 'console' | 'crash-bt' | 'bare';
  /** The line that introduced the trace: "Call Trace:", "Allocated by task 12:", a crash `PID:` line. */
  label: string | null;
  /** The task whose stack this is, when the trace says (crash `bt` headers). */
  task: TaskInfo | null;
  segments: StackSegment[];
  startLine: number;
  endLine: number;
  /** crash warned that an exception frame of this listing is possibly bogus, or could not name where one stopped. */
  suspect?: boolean;
}

export interface Registers {
  /** Register name (upper case, e.g. RAX, RFLAGS, CR2, EFLAGS, PC, X29, EPC, R0 for powerpc GPR00, s390 GPRS and parisc r00) to its hex value without 0x. */
  values: Record<string, string>;
  /**
   * The faulting instruction pointer as printed: `RIP: 0010:func+0x1/0x2`, `IP: [<addr>] func+...`,
   * `EIP is at`, `pc : `, `PC is at`, `epc : `, `NIP [addr] func`, `Krnl PSW :`, `IAOQ[0]:`. It is the
   * register dump of the fault's own exception frame, never a user-mode one (`RIP: 0033:`) or one an
   * NMI or interrupt printed for the context it interrupted when a fault frame exists.
   */
  ip: { text: string; function: string | null; offset: number | null; size: number | null; module: string | null; address: string | null; line: number } | null;
  lines: number[];
  /** How that register dump was reached: the fault's exception frame, a context an NMI or interrupt stopped, or the report's first dump. */
  context?: 'fault' | 'nmi' | 'irq' | 'first';
}

export interface CodeBytes {
  /** Bytes in order; `fault` is the index of the `<xx>` (or `(xx)`) byte, -1 if not marked. */
  bytes: number[];
  fault: number;
  /** Bytes per printed unit: 1 for x86 byte dumps, 4 (or 2) for arm/arm64 instruction words. */
  unit: number;
  line: number;
}

/** Where a fault report says the bad access went, and its page-fault error code. */
export interface FaultInfo {
  /**
   * Hex without 0x, from the header ("... at ADDR", "address: ADDR", "non-canonical address"); in a
   * page-fault report only, else the fault-address register of the faulting frame (x86 CR2, powerpc DAR).
   * Outside page faults CR2 is stale and never taken for the fault address.
   */
  address: string | null;
  addressLine: number | null;
  /** The page-fault error code as printed (`Oops: 0002`, `#PF: error_code(0x0002)`). */
  errorCode: string | null;
  errorCodeLine: number | null;
  /** The report says a page fault (unable to handle, page fault, paging request, NULL pointer, #PF, arm64/riscv "Unable to handle kernel ... at virtual address"). */
  pageFault?: boolean;
  /** What the faulting access did: from the error code (bit 1 write, bit 4 fetch), the `#PF:` line, arm64's ESR (WnR), arm's FSR, powerpc's DSISR, riscv's cause, the header's words, or the decoded instruction. */
  access?: 'read' | 'write' | 'exec' | null;
  accessLine?: number | null;
  accessSource?: 'pf-line' | 'error-code' | 'esr' | 'fsr' | 'dsisr' | 'cause' | 'header' | 'instruction' | null;
  /** arm64 Exception Syndrome Register, hex without 0x (`ESR = 0x96000045`, `Internal error: Oops: 96000045`). */
  esr?: string | null;
  esrLine?: number | null;
  /** Where the fault address lies in this kernel's address space (for the report's architecture and version). */
  region?: { id: string; layout: string; text: { en: string; zh: string } } | null;
}

export interface ModuleInfo {
  name: string;
  /** Taint letters printed beside the module, e.g. "OE" from `lwconn(OE)`. */
  taint: string;
  /** `-` unloading, `+` loading, from `testmod(OE-)`. */
  state: string;
}

export interface TaskInfo {
  comm: string | null;
  pid: number | null;
  cpu: number | null;
  /** crash's two-letter state (UN, IN, RU...) when the task line printed one (sysrq t/w, hung tasks). */
  state?: string | null;
}

export interface KernelInfo {
  release: string | null;
  arch: string | null;
  taint: { raw: string; flags: string[] } | null;
  /** The kernel's era as the log's format shows it, when a marker line dates it (set for the whole input). */
  era?: KernelEra | null;
}

/** A kernel era read from the format of the log (for when no release is printed). */
export interface KernelEra {
  label: { en: string; zh: string };
  /** The line whose format dates the log. */
  line: number;
}

/** What the signature layer finds: where a report is and the syzkaller-compatible title. */
export interface ReportSignature {
  title: string;
  altTitles: string[];
  type: string;
  corrupted: boolean;
  corruptedReason: string | null;
  /** Guilty frame (function name) or null. */
  frame: string | null;
  /** Guilty source file, e.g. "net/ipv6/ip6_output.c", or null. */
  guiltyFile: string | null;
  /** Index into the lines array of the header line. */
  start: number;
  /** Index into the lines array of the last line that belongs to the report (inclusive). */
  end: number;
  /** The syz-executor proc and program the report names (`Comm: syz.N.M`), as syzkaller's EXECUTOR. */
  executor?: { proc: number; id: number };
  /** The log shows the crash was caused by the test setup itself (an OOM-killed executor), as syzkaller's SUPPRESSED. */
  suppressed?: boolean;
}

/** One crash report with everything parsed from it. */
export interface CrashReport extends ReportSignature {
  startLine: number;
  endLine: number;
  cpu: number | null;
  pid: number | null;
  comm: string | null;
  hardware: string | null;
  kernel: KernelInfo;
  registers: Registers | null;
  code: CodeBytes | null;
  fault: FaultInfo;
  traces: CallTrace[];
  modules: ModuleInfo[];
  /** `[last unloaded: mod]` from the module list. */
  lastUnloaded: string | null;
  /** Line of the header that opened the report. */
  headerLine: number;
  /** The faulting instruction disassembled from `Code:` and tied to the registers (x86), when possible. */
  instruction: DecodedCode | null;
}

/** The `Code:` bytes decoded: the faulting instruction and what its operands point at, in both languages. */
export interface DecodedCode {
  att: string;
  intel: string;
  /** The instruction set decoded (x86_64 bytes or A64 words); absent means x86_64. */
  arch?: 'x86_64' | 'aarch64';
  /** A64: the instruction's class (load, store, load-pair, branch-register...), its base and transfer registers. */
  class?: string;
  base?: string | null;
  transfer?: string | null;
  /** What the faulting instruction does to memory: the access kind when no error code or syndrome says it. */
  access?: 'read' | 'write' | 'read-write' | null;
  summary: { en: string; zh: string };
  notes: Array<{ en: string; zh: string }>;
  line: number;
}

/** A command run in a vmcore by the investigation, with the start of its answer. */
export interface InvestigationStep {
  round: number;
  command: string;
  /** The input line its answer starts at (the crash session the input is). */
  line: number;
  /** The answer's first lines. */
  answer: string[];
  /** Lines of the answer not in `answer`. */
  more: number;
}

export interface AnalysedInput {
  input: string;
  kernel: KernelInfo;
  reports: CrashReport[];
  findings: Finding[];
  /** What could not be read or was skipped, said plainly. */
  notes: string[];
  /** The commands an investigation ran in a vmcore, in order (absent for logs). */
  investigation?: InvestigationStep[];
  /** Total lines read. */
  lineCount: number;
  /** Reports found in all, when `reports` holds only the first of them (a log full of reports). */
  reportCount?: number;
  /** The reports left out of `reports`, counted by title in order of first appearance. */
  moreReports?: ReportTally[];
}

/** Reports of one title that were counted rather than kept. */
export interface ReportTally {
  title: string;
  count: number;
  firstLine: number;
  lastLine: number;
}

export interface Evidence {
  line: number;
  text: string;
  note: string;
}

export interface Finding {
  rule: string;
  rootCauseClass: string;
  confidence: number;
  summary: string;
  explanation: string;
  evidence: Evidence[];
  culprit: { function: string | null; module: string | null } | null;
  nextSteps: string[];
  references: string[];
  /** With `analyze --source DIR`: the culprit's place in the source, and the source findings that explain the crash. */
  source?: SourceLink;
}

/** A crash finding tied to the module's source (`analyze --source DIR`). */
export interface SourceLink {
  /** Where the culprit function is defined in the source given, when it is. */
  culprit: { function: string; file: string; line: number } | null;
  /**
   * The source findings that explain this crash, most telling first, as `ktriage check --format json` prints
   * them, with how each was matched: in the culprit function, in another function of the crash's stack, or
   * only by its class (a candidate: the crash names no function of the source).
   */
  findings: Array<{ match: 'culprit' | 'stack' | 'class'; rule: string; class: string; file: string; line: number; column: number; function: string; message: string; help: string; trace: Array<{ file: string; line: number; note: string }> }>;
}
