// Picks the source file to blame for a report: the first file in it that is not generic plumbing, or a deeper one below it.

/** Files that are reached by many bugs but are rarely the bug: headers, libraries, core plumbing. */
const guiltyFileIgnores: RegExp[] = [
  /.*\.h/,
  /^lib\/.*/,
  /^virt\/lib\/.*/,
  /^mm\/kasan\/.*/,
  /^mm\/kmsan\/.*/,
  /^kernel\/kcov.c/,
  /^mm\/sl.b.c/,
  /^mm\/filemap.c/,
  /^mm\/folio-compat.c/,
  /^mm\/truncate.c/,
  /^mm\/memory.c/,
  /^mm\/percpu.*/,
  /^mm\/vmalloc.c/,
  /^mm\/page_alloc.c/,
  /^mm\/mempool.c/,
  /^mm\/util.c/,
  /^kernel\/rcu\/.*/,
  /^arch\/.*\/kernel\/traps.c/,
  /^arch\/.*\/kernel\/unwind.*.c/,
  /^arch\/.*\/mm\/fault.c/,
  /^arch\/.*\/mm\/physaddr.c/,
  /^arch\/.*\/kernel\/stacktrace.c/,
  /^arch\/.*\/kernel\/apic\/apic.c/,
  /^arch\/arm64\/kernel\/entry.*.c/,
  /^arch\/arm64\/kernel\/process\.c/,
  /^kernel\/locking\/.*/,
  /^kernel\/panic.c/,
  /^kernel\/printk\/printk.*.c/,
  /^kernel\/softirq.c/,
  /^kernel\/kthread.c/,
  /^kernel\/sched\/.*.c/,
  /^kernel\/stacktrace.c/,
  /^kernel\/time\/timer.c/,
  /^kernel\/workqueue.c/,
  /^net\/core\/dev.c/,
  /^net\/core\/sock.c/,
  /^net\/core\/skbuff.c/,
  /^fs\/proc\/generic.c/,
  // Trusty's sources are not in the kernel tree.
  /^trusty\//,
  // A WARNING in urb.c is a driver's bug.
  /^drivers\/usb\/core\/urb.c/,
  // Crashes in these are the caller's.
  /^arch\/.*\/lib\/crc.*/,
];

/** Lines that name a file for another reason than running in it: lockdep's irq and lock state. */
const guiltyLineIgnore = /(?:hardirqs|softirqs)\s+last\s+(?:enabled|disabled)|,\s+at:\s+|^\s*#\d+:|^Register r\d+ information/;

/** A path below the directory of the file found so far. */
const deeperPath = /^\/[a-zA-Z0-9_\-./]+\/[a-zA-Z0-9_-]+\.(?:c|h)$/;

/** A run of path characters followed by `:` and a digit; it names a file when it ends in `x.c` or `x.h`. */
const pathRun = /(?<![a-zA-Z0-9_\-./])[a-zA-Z0-9_\-./]+(?=:[0-9])/g;
const sourceName = /[a-zA-Z0-9_-]\.[ch]$/;

/** The first `path/file.c:123` reference of a line (the whole run of path characters before `:123`). */
export function fileOf(line: string): string | null {
  pathRun.lastIndex = 0;
  for (let m = pathRun.exec(line); m; m = pathRun.exec(line)) {
    if (sourceName.test(m[0])) return m[0];
  }
  return null;
}

/** Go's filepath.Clean for the relative and absolute paths of traces. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
      continue;
    }
    parts.push(seg);
  }
  const body = parts.join('/');
  if (rooted) return `/${body}`;
  return body === '' ? '.' : body;
}

function dirOf(p: string): string {
  const slash = p.lastIndexOf('/');
  if (slash < 0) return '.';
  return cleanPath(slash === 0 ? '/' : p.slice(0, slash));
}

function ignored(file: string, line: string): boolean {
  return guiltyFileIgnores.some((re) => re.test(file)) || guiltyLineIgnore.test(line);
}

/** The file line `i` names (a cache of fileOf). */
type FileAt = (i: number) => string | null;

function guiltyIn(lines: readonly string[], fileAt: FileAt): string | null {
  let guilty: string | null = null;
  let i = 0;
  for (; i < lines.length; i++) {
    const file = fileAt(i);
    if (file === null) continue;
    // Some file rather than none: the report has to go to someone.
    if (guilty === null) guilty = file;
    if (ignored(file, lines[i])) continue;
    guilty = cleanPath(file);
    i++;
    break;
  }
  if (guilty === null) return null;
  // A file deeper in the same directory tree, further down the trace, is more specific.
  let deepest = dirOf(guilty);
  for (; i < lines.length; i++) {
    const file = fileAt(i);
    if (file === null || ignored(file, lines[i])) continue;
    const clean = cleanPath(file);
    if (clean.startsWith(deepest) && deeperPath.test(clean.slice(deepest.length))) {
      guilty = clean;
      deepest = dirOf(guilty);
    }
  }
  return guilty;
}

/** Where a stall report's own trace begins: frames before the timer interrupt are the watchdog's. */
const stallInterrupts = ['apic_timer_interrupt+0x', 'el1h_64_irq+0x', 'Exception stack'];

export function guiltyFile(title: string, reportLines: readonly string[], fileAt: FileAt = (i) => fileOf(reportLines[i])): string | null {
  if (title.startsWith('INFO: rcu detected stall')) {
    for (const irq of stallInterrupts) {
      const at = reportLines.findIndex((l) => l.includes(irq));
      if (at < 0) continue;
      const rest = [reportLines[at].slice(reportLines[at].indexOf(irq)), ...reportLines.slice(at + 1)];
      const file = guiltyIn(rest, (i) => (i === 0 ? fileOf(rest[0]) : fileAt(at + i)));
      if (file) return file;
    }
  }
  return guiltyIn(reportLines, fileAt);
}
