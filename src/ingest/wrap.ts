// Rejoins kernel lines that a mail client or web page broke in two (hard-wrapped at ~72-80 columns).


/** One cleaned physical line with its console prefix already split off. */
export interface WrapLine {
  raw: string;
  text: string;
  /** The line carried a console prefix of its own (timestamp, level, syslog): it starts a message. */
  prefixed: boolean;
}

/** Mail and chat tools wrap between these columns; a log whose breakable lines run longer was not wrapped. */
const WRAP_MIN = 50;
const WRAP_MAX = 100;
/** A logical line is never rebuilt from more than this many physical lines. */
export const MAX_JOINED = 12;

/**
 * Line heads the kernel prints at the start of a message: a line starting with one of these is its
 * own line, not the tail of the previous one (unless the previous one is known to be incomplete).
 */
const LINE_STARTS: readonly RegExp[] = [
  /^(?:CPU|Pid|PID|Hardware name|Modules linked in|Call [Tt]race|Backtrace|RIP|EIP|IP|RSP|ESP|Code|Stack|Workqueue|Process|Kernel panic|Kernel Offset|Oops|BUG|WARNING|INFO|NMI|Instruction dump|Krnl|NIP|LR|REGS|MSR|GPR\d\d|pstate|pc|lr|sp|epc|ra|status|x\d{1,2}|[xw]\d|R[A-Z0-9]{1,3}|E[A-Z]{2}|CR\d|DR\d|FS|GS|CS|PKRU|ORIG_RAX|Mem abort info|Data abort info|ESR|EC|Internal error|Unable to handle|task|irq event stamp|hardirqs|softirqs|other info|Possible|\*\*\*|Showing|Freed by|Allocated by|Memory state|The buggy address|Disabling lock debugging|Tasks state|Mem-Info|Node \d|lowmem_reserve|Out of memory|oom_reaper)\b/,
  /^(?:-{2,}|={4,}|<\/?[A-Z#]{2,8}>|\[<|\[ {0,12}\d|#\d|#PF|->|\.\.\.|\? |\{[A-Z])/,
];

function isLineStart(text: string): boolean {
  const t = text.trimStart();
  if (t === '') return true;
  for (const re of LINE_STARTS) if (re.test(t)) return true;
  return looksLikeFrame(t);
}

/** A stack frame in any printed form (`func+0x1/0x2`, `[<addr>] func`, `func (file.c:12)`, arm's `(func) from`). */
const FRAME_SHAPE = /^(?:\? {1,4})?(?:\(?\[<?[0-9a-f]{0,16}>?\] {0,4})?(?:\? {1,4})?\(?[A-Za-z_.$][\w.$]{0,255}(?:\+(?:0x)?[0-9a-f]{1,16}(?:\/(?:0x)?[0-9a-f]{1,16})?| \([\w./+-]{1,255}:\d{1,7}|\) from )/;

function looksLikeFrame(trimmed: string): boolean {
  return FRAME_SHAPE.test(trimmed);
}

/**
 * Endings no complete kernel line has: the next line is known to carry the rest. `symbol` says the
 * rest starts with a symbol or frame, which would otherwise look like a line of its own.
 */
const INCOMPLETE_ENDS: ReadonlyArray<{ re: RegExp; symbol: boolean; prose?: boolean; /** The characters a matching line can end with: the pattern is tried only on those. */ ends?: string }> = [
  // WARNING header cut before its function: `WARNING: CPU: 65 PID: 3959 at lib/list_debug.c:26`.
  { re: /^WARNING: CPU: \d{1,5} PID: \d{1,10} at [\w./+-]{1,200}:\d{1,7}$/, symbol: true },
  // powerpc frame cut before its symbol: `[c0000001655739c0] [c00000000019cb48]`.
  { re: /^ {0,4}\[[0-9a-f]{8,16}\] \[[0-9a-f]{8,16}\]$/, symbol: true },
  // `hardirqs last  enabled at (7910915):` cut before its `[<addr>] symbol`.
  { re: /(?:enabled|disabled) at \(\d{1,12}\):$/, symbol: true },
  // lockdep `..., at:` cut before the acquiring function.
  { re: /, at:$/, symbol: true },
  // `Unable to handle kernel paging request for data at`, `... invalid context at`.
  { re: /\b(?:at|for|to|by|from|of|but|and|or|than|the|with|should|be|was|were)$/, symbol: false, prose: true },
  // A symbol cut inside its offset: `alloc_surplus_huge_page+0xf0/` + `0x140`.
  { re: /[A-Za-z_]\w{0,255}\+(?:0x[0-9a-f]{1,16}\/)?$/, symbol: false, ends: '+/' },
  // A register line cut after a name: `task.ti:`, `CR:`, `MSR: ... <SF,HV>  CR:`.
  { re: /[0-9a-f]{4,16}\b.{0,80} {1,4}[A-Za-z][\w.]{0,12}:$/, symbol: false, ends: ':' },
  // A task line cut before the kernel release: `... Comm: x Tainted: G S`, `... Not tainted`.
  { re: /^ {0,4}(?:CPU: {0,2}\d{1,5} |Pid: \d{1,10}, ).{0,120}(?:Not tainted|Tainted: [A-Z ]{1,40})$/, symbol: false },
  // A list or sentence cut after a comma.
  { re: /,$/, symbol: false, prose: true },
];

/** Pieces that never stand alone after such a line: the tail of the line before. */
const FRAGMENTS: ReadonlyArray<{ prev: RegExp | null; next: RegExp }> = [
  // A module tag wrapped off a frame or lock line: `... xfs_reclaim_inode+0x3ac/0x590` + `[xfs]`.
  { prev: /\+0x[0-9a-f]{1,16}\/0x[0-9a-f]{1,16}\s*$/, next: /^ {0,8}\[[\w-]{1,64}\] *$/ },
  // The DMI string cut before its BIOS part ("Hardware name: <vendor> <product>, BIOS <version> <date>").
  { prev: /^ {0,4}Hardware name: (?!.*\bBIOS\b)/, next: /^ {0,8}BIOS \S/ },
  // A lockdep lock line cut after its address: ` ffff88811346a920` + `(&xfs_nondir_ilock_class){++++}-{4:4}, at: ...`.
  { prev: /^ {0,8}[0-9a-f]{8,16}\s*$/, next: /^\([^()]{1,200}\)\{[-.+?]{4}\}/ },
  // The module list going on: `Modules linked in: ipv6 bonding` + `snd_aoa snd soundcore`.
  { prev: /^ {0,4}Modules linked in:/, next: /^[\w-]{1,64}(?:\([A-Z+-]{1,10}\))?(?: [\w-]{1,64}(?:\([A-Z+-]{1,10}\))?){0,200}(?: \[last unloaded: [\w-]{1,64}(?:\([A-Z+-]{1,10}\))?\])? *$/ },
];

const CODE_LINE = /^ {0,8}(?:Code: |Instruction dump:)/;
const HEX_TOKENS_ONLY = /^ {0,8}[<(]?[0-9a-f]{1,16}[>)]?(?: {1,4}[<(]?[0-9a-f]{1,16}[>)]?){0,63} *$/;

function lastToken(s: string): string {
  const t = s.trimEnd();
  const i = t.lastIndexOf(' ');
  return t.slice(i + 1);
}

function firstWord(s: string): string {
  const t = s.trimStart();
  const i = t.indexOf(' ');
  return i < 0 ? t : t.slice(0, i);
}

function unclosedParens(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41 && depth > 0) depth--;
  }
  return depth;
}

/** Closes more parentheses than it opens, before opening any. */
function closesParen(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 40) return false;
    if (c === 41) return true;
  }
  return false;
}

/**
 * The width a wrapping tool used, estimated from the lines that could have been broken: the
 * longest one whose tail after its last space is short (a long unbreakable word overflows any width).
 */
export function wrapWidth(lines: readonly WrapLine[]): number {
  let w = 0;
  for (const l of lines) {
    const s = l.raw.trimEnd();
    const sp = s.lastIndexOf(' ');
    if (sp < 0 || s.length - sp > 40) continue;
    if (s.length > w) w = s.length;
  }
  return w;
}

export function wrapPlausible(width: number): boolean {
  return width >= WRAP_MIN && width <= WRAP_MAX;
}

/** How to glue b onto a: no separator when a token was cut in two, else one space unless whitespace is already there. */
function separator(a: string, b: string): string {
  const last = lastToken(a);
  const first = firstWord(b);
  // A hex byte or word cut in two inside a Code: dump: `... c6 1` + `0 74 17`.
  if (/^[<(]?[0-9a-f]{1,15}$/.test(last) && /^[0-9a-f]{1,15}[>)]?$/.test(first)) {
    const unit = dumpUnit(a);
    const len = last.replace(/[<(]/, '').length + first.replace(/[>)]/, '').length;
    if (unit > 0 && len === unit) return '';
  }
  // A symbol cut inside its offset: `func+0x9c/` + `0x260`.
  if (/[+/]$/.test(a) && /^(?:0x)?[0-9a-f]/.test(b)) return '';
  return ' ';
}

/** The length of the hex units of a dump line (2 for x86 bytes, 8 for arm words). */
function dumpUnit(a: string): number {
  const counts = new Map<number, number>();
  for (const tok of a.replace(/^.*?(?:Code:|Instruction dump:)/, '').trim().split(/\s+/)) {
    const h = tok.replace(/[<>()]/g, '');
    if (/^[0-9a-f]+$/.test(h)) counts.set(h.length, (counts.get(h.length) ?? 0) + 1);
  }
  let best = 0;
  let bestN = 0;
  for (const [len, n] of counts) if (n > bestN) [best, bestN] = [len, n];
  return best;
}

/**
 * Whether b is the wrapped tail of a (given the wrap width estimated for the text). `strong`: the
 * lines themselves prove it (a fragment, a cut token, an ending no kernel line has, a format=flowed
 * soft break). `weak`: only that b lacks the timestamp every kernel line of the log has, which is also
 * true of other programs' output interleaved on a console; it counts once the input has shown
 * strong signs of wrapping.
 */
export function continuation(a: WrapLine, b: WrapLine, width: number): 'strong' | 'weak' | null {
  if (b.prefixed) return null;
  const bt = b.text;
  const at = a.text;
  if (bt.trim() === '' || at.trim() === '') return null;
  // A crash `bt` frame or task header is a line of its own, whatever came before: the bulk of a foreach bt is decided here.
  if (WHOLE_CRASH_LINE.test(bt)) return null;
  // Markup around a pasted log (a code fence, a heading) is never the tail of a kernel line.
  if (MARKUP_LINE.test(bt) || MARKUP_LINE.test(at)) return null;
  const start = isLineStart(bt);
  for (const f of FRAGMENTS) if (f.next.test(bt) && (f.prev === null || f.prev.test(at))) return 'strong';
  // A Code: or Instruction dump: row that went on to the next line (stack words are rows of their own).
  if (HEX_TOKENS_ONLY.test(bt) && (CODE_LINE.test(at) || (a.prefixed && HEX_TOKENS_ONLY.test(at) && wrapPlausible(width)))) return 'strong';
  // An opening parenthesis closed on the next line: `(relocation` + `range: ...)`.
  if (unclosedParens(at) > 0 && closesParen(bt)) return 'strong';
  const end = at.trimEnd();
  const indented = /^\s/.test(bt);
  const last = end.slice(-1);
  for (const inc of INCOMPLETE_ENDS) {
    if ((inc.ends !== undefined && !inc.ends.includes(last)) || !inc.re.test(end)) continue;
    if (inc.prose && (!wrapPlausible(width) || indented)) continue;
    if (!start || (inc.symbol && looksLikeFrame(bt.trimStart()))) return 'strong';
  }
  if (start || !wrapPlausible(width)) return null;
  // format=flowed: a soft break leaves exactly one space at the end of the line.
  if (/[^ ] $/.test(a.raw) && !indented) return 'strong';
  // In a timestamped log every message line has its own timestamp: one without it is a tail.
  if (a.prefixed && !indented) return 'weak';
  return null;
}

/** A crash `bt` frame (`#3 [ffffc90000003e28] schedule at ffffffff81a3f1c9`) or task header, complete to its address. */
const WHOLE_CRASH_LINE = /^ {0,8}(?:#\d{1,4} {1,4}\[[0-9a-f]{8,16}\] [\w.$]{1,255} at [0-9a-f]{8,16}(?: \[[\w-]{1,64}\])?|PID: {1,8}\d{1,10} {1,8}TASK: [0-9a-f]{8,16} {1,8}CPU: {1,4}(?:\d{1,5}|-) {1,8}COMMAND: "[^"]{0,64}") *$/;

/** Code fences and headings of the text a log was pasted into. */
const MARKUP_LINE = /^\s{0,3}(?:```|~~~|#{1,6}\s)/;

/** Joins b onto a. */
export function joinWrapped(a: WrapLine, b: WrapLine): WrapLine {
  const glue = (x: string, y: string): string => x + (/\s$/.test(x) || /^\s/.test(y) ? '' : separator(x, y)) + y;
  return { raw: glue(a.raw, b.raw), text: glue(a.text, b.text), prefixed: a.prefixed };
}
