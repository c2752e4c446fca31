// Register dumps and instruction-pointer lines of every architecture the kernel prints oopses for (formats as data).

import { parseSymbolOffset } from './frames';

/**
 * Line heads of register dump lines: x86_64 (RAX:, R08:, FS:, CS:, CR2:, DR0:, PKRU:), i386 (EAX:,
 * eax:, esi:, ds:), arm64 (x29:, `x9 :`, sp, lr, pstate), arm (r10:, `r9 :`, sp, ip, fp, psr),
 * riscv (epc, ra, gp, tp, t0-6, s0-11, a0-7, status), powerpc (NIP:, LR:, REGS:, MSR:, DAR:),
 * s390 (Krnl PSW, Krnl GPRS), parisc (IASQ, IAOQ, IIR).
 */
const REGISTER_LINE =
  /^ {0,12}(?:R[A-Z0-9]{1,3}|E[A-Z]{2}|EFLAGS|RFLAGS|ORIG_RAX|CS|DS|ES|SS|FS|GS|CR\d|DR\d|PKRU|eax|ebx|ecx|edx|esi|edi|ebp|esp|ds|es|fs|gs|ss|x\d{1,2}|sp|lr|pc|pstate|r\d{1,2}|ip|fp|psr|epc|ra|gp|tp|t[0-6]|s\d{1,2}|a[0-7]|status|badaddr|cause|NIP|LR|CTR|REGS|MSR|DAR|DSISR|CFAR|IRQMASK|XER|TRAP|IASQ|IAOQ|IIR|ISR|IOR|SAR|ORIG_R28|CR30|CR31) {0,2}:/;

/** One `NAME: value` pair: `RAX: 00..`, `x9 : ffff..`, `FS:  0000(0000)`, `pc : [<c0204d0c>]`, `RIP: 0033:0x7ff5..`. */
const REG_PAIR = /(?:^|[\s(])([A-Za-z][A-Za-z0-9_.]{0,11}) {0,2}: {0,4}(?:[0-9a-f]{4}:)?(?:\[<)?(?:0x)?([0-9a-f]{4,16})(?:>\])?(?![:\w])/g;
/** Names a pair may have that are not registers. */
const NOT_REGISTERS = new Set(['TASK', 'TI', 'TASK.TI', 'STACK', 'THREADINFO', 'ADDR', 'PID', 'CPU', 'COMM', 'VALUE']);

/** Rows of numbered registers without names: powerpc `GPR08: v v v v`, parisc `r08-11 v v v v`, s390 `Krnl GPRS: v v v v` and the rows that follow it. */
const GPR_ROW = /^ {0,8}GPR(\d{2}): {1,2}((?:[0-9a-f]{8,16} {0,2}){1,8})$/;
const PARISC_ROW = /^ {0,8}r(\d{2})-\d{2} {1,4}((?:[0-9a-f]{8,16} {0,2}){1,4})$/;
const S390_GPRS = /^ {0,8}Krnl GPRS: {1,2}((?:[0-9a-f]{16} {0,2}){1,4})$/;
const VALUES_ONLY = /^ {2,32}((?:[0-9a-f]{16} {0,2}){4})$/;

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
    if (NOT_REGISTERS.has(name)) continue;
    if (!(name in into)) into[name] = p[2];
    if (name === 'EFLAGS' && !('RFLAGS' in into)) into.RFLAGS = p[2];
    found++;
  }
  return found;
}

/** State for register rows that continue across lines (s390's GPRS). */
export interface RowState {
  nextGpr: number | null;
}

/** Reads one register dump line into `into`; returns true when the line was one. */
export function readRegisterLine(into: Record<string, string>, text: string, state: RowState): boolean {
  let m = GPR_ROW.exec(text) ?? PARISC_ROW.exec(text);
  if (m) {
    numbered(into, Number(m[1]), m[2]);
    state.nextGpr = null;
    return true;
  }
  if ((m = S390_GPRS.exec(text))) {
    state.nextGpr = numbered(into, 0, m[1]);
    return true;
  }
  if (state.nextGpr !== null && state.nextGpr < 16 && (m = VALUES_ONLY.exec(text))) {
    state.nextGpr = numbered(into, state.nextGpr, m[1]);
    return true;
  }
  state.nextGpr = null;
  if (!REGISTER_LINE.test(text)) return false;
  return addRegisterPairs(into, text) > 0;
}

function numbered(into: Record<string, string>, first: number, values: string): number {
  let n = first;
  for (const v of values.trim().split(/\s+/)) {
    const name = `R${n++}`;
    if (!(name in into)) into[name] = v;
  }
  return n;
}

/** What an instruction-pointer line gives: an address, a symbol, or both, and whether it is user mode. */
export interface IpLine {
  address: string | null;
  symbolText: string | null;
  user: boolean;
  /** `[exception RIP: func+N]` of a crash `bt`: the exception frame itself. */
  crashException: boolean;
}

interface IpForm {
  re: RegExp;
  read(m: RegExpExecArray): IpLine | null;
}

const ip = (address: string | null, symbolText: string | null, user = false, crashException = false): IpLine => ({ address, symbolText, user, crashException });

/** A symbol, `0x` address, or (crash) bare address after an IP label. */
function ipRest(rest: string, segment: string | undefined, bracketed: string | undefined): IpLine | null {
  // The privilege level is the low two bits of the code segment: 3 is user mode (0033, 0023, 0073).
  const user = segment !== undefined && (Number.parseInt(segment, 16) & 3) === 3;
  const r = rest.trim();
  const bare = /^(?:0x)?([0-9a-f]{8,16})(?:\s|$)/.exec(r);
  if (bracketed) return ip(bracketed, parseSymbolOffset(r) ? r : decodedSymbol(r), user);
  if (bare) return ip(bare[1], null, user);
  if (/^Not tainted|^Tainted/.test(r)) return null;
  if (parseSymbolOffset(r)) return ip(null, r, user);
  const d = decodedSymbol(r);
  return d ? ip(null, d, user) : null;
}

/** decode_stacktrace.sh's `func (file.c:12) [mod]` form, given back as `func+0x0/0x0 [mod]`-free text. */
function decodedSymbol(r: string): string | null {
  const m = /^([A-Za-z_.$][\w.$]{0,255}) \([\w./+-]{1,255}:\d{1,7}[^)]{0,200}\)(?: \[?([\w-]{1,64})\]?)?$/.exec(r);
  return m ? r : null;
}

/** Instruction-pointer lines, one row per printed form. */
export const IP_FORMS: readonly IpForm[] = [
  // crash `bt`: `[exception RIP: run_timer_softirq+248]`, then `RIP: ffffffff81098a68  RSP: ...`.
  { re: /^ {0,12}\[exception RIP: ([^\]]{1,300})\]/, read: (m) => ip(null, m[1], false, true) },
  // x86: `RIP: 0010:func+0x1/0x2 [mod]`, `RIP: 0010:0xffffffffc0660030`, `IP: [<ffffffff81058e5d>] f+0x4d/0xa8`, `EIP: 0060:[<c01185f6>] Not tainted VLI`.
  { re: /^ {0,8}(?:RIP|EIP|IP): {0,4}(?:([0-9a-f]{4}):)?(?:\[<([0-9a-f]{8,16})>\] {0,8})?(?:\[<[0-9a-f]{8,16}>\] {1,4})?(.{0,300})$/, read: (m) => ipRest(m[3], m[1], m[2]) },
  // i386: `EIP is at account_system_time+0x4e/0x138`; arm (and old arm64): `PC is at skb_panic+0x60/0x6c`.
  { re: /^ {0,8}(?:EIP|PC) is at (.{1,300})$/, read: (m) => ip(null, m[1].trim()) },
  // arm64: `pc : tcpci_irq+0x38/0x318`; arm / old arm64: `pc : [<c0204d0c>]    lr : [<c0204cf8>]    psr: 60000013`.
  { re: /^ {0,8}pc ?: (?:\[<([0-9a-f]{8,16})>\]|(.{1,300}))$/, read: (m) => (m[1] ? ip(m[1], null) : ipRest(m[2].replace(/ {2,}lr ?: .*$/, ''), undefined, undefined)) },
  // riscv: `epc : copy_from_kernel_nofault+0xa/0x198`, then `epc : ffffffff802b732a ra : ...`; mips `epc   : ffffffff8011d2a8 foo+0x28/0x50`.
  { re: /^ {0,8}epc {0,3}: {1,2}(?:([0-9a-f]{8,16})(?: {1,4}ra ?:.*| (\S.{0,300}))?|(.{1,300}))$/, read: (m) => (m[1] ? ip(m[1], m[2] && parseSymbolOffset(m[2]) ? m[2] : null) : ipRest(m[3], undefined, undefined)) },
  // powerpc: `NIP [c00000000019cb50] .scan_block+0x70/0x170`.
  { re: /^ {0,8}NIP {1,2}\[([0-9a-f]{8,16})\] {1,4}(.{1,300})$/, read: (m) => ip(m[1], m[2].trim()) },
  // s390: `Krnl PSW : 0704e00180000000 000003ff804bfc66 (kvm_s390_gisa_destroy+0x3e/0xe0 [kvm])`.
  { re: /^ {0,8}(Krnl|User) PSW : [0-9a-f]{16} ([0-9a-f]{16})(?: \((.{1,300})\))?/, read: (m) => ip(m[2], m[3] ?? null, m[1] === 'User') },
  // parisc: ` IAOQ[0]: unwind_once+0x1c/0x5c`.
  { re: /^ {0,8}IAOQ\[0\]: (.{1,300})$/, read: (m) => ip(null, m[1].trim()) },
  // loongarch: `ERA: 9000000002f3c2a0 foo+0x10/0x20`.
  { re: /^ {0,8}ERA: {1,2}([0-9a-f]{16}) (.{1,300})$/, read: (m) => ip(m[1], m[2].trim()) },
];

export function readIpLine(text: string): IpLine | null {
  for (const f of IP_FORMS) {
    const m = f.re.exec(text);
    if (m) return f.read(m);
  }
  return null;
}
