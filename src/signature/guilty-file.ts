// Picks the source file to blame for a report: the first file in the trace that is not generic plumbing.

/** A `path/file.c:123` reference; starts only at a path boundary so the search stays linear. */
const filenameRe = /(?<![a-zA-Z0-9_./-])[a-zA-Z0-9_./-]+(?<=[a-zA-Z0-9_-])\.[ch]:[0-9]+/g;

/** Files that are reached by many bugs but are rarely the bug: headers, libraries, core plumbing. */
const guiltyFileIgnores: RegExp[] = [
  /.*\.h$/,
  /^lib\/.*/,
  /^virt\/lib\/.*/,
  /^mm\/kasan\/.*/,
  /^mm\/kmsan\/.*/,
  /^mm\/kfence\/.*/,
  /^kernel\/kcov\.c/,
  /^mm\/sl.b\.c/,
  /^mm\/filemap\.c/,
  /^mm\/util\.c/,
  /^mm\/page_alloc\.c/,
  /^mm\/vmalloc\.c/,
  /^mm\/gup\.c/,
  /^mm\/memory\.c/,
  /^mm\/percpu.*/,
  /^kernel\/rcu\/.*/,
  /^arch\/.*\/kernel\/traps\.c/,
  /^arch\/.*\/kernel\/unwind.*\.c/,
  /^arch\/.*\/mm\/fault\.c/,
  /^arch\/.*\/mm\/physaddr\.c/,
  /^arch\/.*\/kernel\/stacktrace\.c/,
  /^arch\/.*\/kernel\/dumpstack.*\.c/,
  /^arch\/.*\/kernel\/entry.*/,
  /^kernel\/locking\/.*/,
  /^kernel\/panic\.c/,
  /^kernel\/printk\/printk.*\.c/,
  /^kernel\/softirq\.c/,
  /^kernel\/kthread\.c/,
  /^kernel\/sched\/.*\.c/,
  /^kernel\/stacktrace\.c/,
  /^kernel\/time\/timer\.c/,
  /^kernel\/workqueue\.c/,
  /^net\/core\/dev\.c/,
  /^net\/core\/sock\.c/,
  /^net\/core\/skbuff\.c/,
  /^fs\/proc\/generic\.c/,
  /^trusty\//,
  /^drivers\/usb\/core\/urb\.c/,
  /^kernel\/entry\/common\.c/,
  /^kernel\/irq\/.*/,
  /^drivers\/irqchip\/.*/,
  /^arch\/.*\/kernel\/apic\/.*/,
  /^arch\/.*\/kernel\/process.*\.c/,
  /^arch\/.*\/lib\/.*/,
  /^mm\/folio-compat\.c/,
  /^fs\/fs-writeback\.c/,
  /^fs\/inode\.c/,
  /^net\/socket\.c/,
];

/** Normalises a path the way Go's filepath.Clean does for the forms seen in traces. */
function cleanPath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(seg);
  }
  return (p.startsWith('/') ? '/' : '') + parts.join('/');
}

export function extractFiles(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(filenameRe)) out.push(cleanPath(m[0].slice(0, m[0].indexOf(':'))));
  return out;
}

/** Where a stall report's own trace begins: frames before the timer interrupt are the watchdog's. */
const stallInterrupts = ['apic_timer_interrupt', 'el1_irq', 'el1h_64_irq', 'Exception stack'];

/** Titles whose frame is a representative (syscall, dispatcher), not where the bug is. */
const representativeFrameTitles = /^(?:INFO: rcu detected stall|BUG: soft lockup|kernel panic: (?:corrupted stack end|stack is corrupted))/;

function ignored(file: string): boolean {
  return guiltyFileIgnores.some((re) => re.test(file));
}

/** The source file printed beside the guilty frame itself, when the trace is symbolised. */
function frameFile(frame: string, reportLines: readonly string[]): string | null {
  for (const line of reportLines) {
    const at = line.indexOf(frame);
    if (at < 0) continue;
    const before = at === 0 ? ' ' : line[at - 1];
    const after = line[at + frame.length] ?? '';
    if (!/[\s\]>(]/.test(before) || !/[+.\s]/.test(after)) continue;
    const files = extractFiles(line.slice(at));
    if (files.length > 0) return files[0];
  }
  return null;
}

export function guiltyFile(title: string, reportLines: readonly string[], frame: string | null = null): string | null {
  if (frame && !representativeFrameTitles.test(title)) {
    const f = frameFile(frame, reportLines);
    if (f && !ignored(f)) return f;
  }
  let text = reportLines.join('\n');
  if (title.startsWith('INFO: rcu detected stall')) {
    // Start after the block of interrupt entry lines.
    const lines = text.split('\n');
    const first = lines.findIndex((l) => stallInterrupts.some((irq) => l.includes(irq)));
    if (first >= 0) {
      let i = first;
      while (i + 1 < lines.length && stallInterrupts.some((irq) => lines[i + 1].includes(irq))) i++;
      text = lines.slice(i + 1).join('\n');
    }
  }
  const files = extractFiles(text);
  for (const file of files) if (!ignored(file)) return file;
  // Everything is plumbing: the first file is still better than nothing.
  return files.length > 0 ? files[0] : null;
}
