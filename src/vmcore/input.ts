// A vmcore given where a log is expected: its kernel log as the lines to analyse, and what only the dump says as notes.

import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { CRASH_COMMAND_SECONDS, debugPackageHint, elfBuildId, findVmlinux, firstPass, runCrash, sessionText, vmlinuxCandidates } from '../investigate/crash';
import { dumpKind, inModuleArea, openVmcore, vmcoreLogLines, type Vmcore } from './index';
import { excludedPages } from '../knowledge/dump-levels';

/** The first bytes of the file at `path` (fewer for a short file), to tell a dump from a log. */
function headOf(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(64);
    const n = readSync(fd, b, 0, 64, 0);
    return b.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** The file is a dump this reader knows (or refuses by name). */
export function looksLikeVmcore(path: string): boolean {
  try {
    return dumpKind(headOf(path)) !== null;
  } catch {
    return false;
  }
}

const FORMAT_NAMES: Record<Vmcore['dump']['format'], string> = {
  elf64: 'an ELF64 vmcore',
  kdump: 'a kdump-compressed vmcore',
  'kdump-flattened': "a kdump-compressed vmcore in makedumpfile's flattened format",
};

/** What the dump says beside its log, one sentence each. */
export function vmcoreNotes(v: Vmcore): string[] {
  const d = v.dump;
  const left = d.dumpLevel !== null ? excludedPages(d.dumpLevel) : [];
  const level = d.dumpLevel !== null ? `dump level ${d.dumpLevel}${left.length > 0 ? `: ${left.join(', ')} left out` : ''}` : null;
  const how = [[...d.compressions].join(', '), level].filter((x) => x).join('; ');
  const notes = [
    `Read from ${FORMAT_NAMES[d.format]}${how ? ` (${how})` : ''}: ` +
      (v.log ? `the kernel log of its ${v.log.source === 'printk_ringbuffer' ? 'printk ring buffer' : 'log_buf'}, ${v.log.records.length} records, with no vmlinux.` : `no kernel log (${v.logError}).`),
  ];
  const i = v.vmcoreinfo;
  if (i) {
    const facts = [
      i.osrelease ? `OSRELEASE ${i.osrelease}` : null,
      i.pageSize ? `page size ${i.pageSize}` : null,
      i.kernelOffset !== null ? `KASLR offset 0x${i.kernelOffset.toString(16)}` : null,
      i.crashTime !== null ? `crash time ${new Date(i.crashTime * 1000).toISOString().replace('.000Z', 'Z')}` : null,
      i.buildId ? `build-id ${i.buildId}` : null,
    ].filter((x): x is string => x !== null);
    if (facts.length > 0) notes.push(`VMCOREINFO: ${facts.join(', ')}.`);
  }
  for (const c of v.cpus) {
    const r = c.registers;
    const flags = r.RFLAGS ? Number.parseInt(r.RFLAGS, 16) : NaN;
    const rip = BigInt(`0x${r.RIP}`);
    const at = v.symbols?.lookup(rip) ?? null;
    // The dump's kallsyms holds the kernel's own symbols; a module's are in the module (crash's mod -S with its .ko).
    const where = at ? ` (${at.name}+0x${at.offset.toString(16)})` : v.symbols && inModuleArea(rip) ? ' (in the modules area: module code, not named without the module\'s symbols)' : '';
    notes.push(`CPU ${c.index} at the crash (its NT_PRSTATUS note${c.pid > 0 ? `, pid ${c.pid}` : ''}): RIP ${r.RIP}${where} RSP ${r.RSP} RFLAGS ${r.RFLAGS.slice(-8)}${Number.isNaN(flags) ? '' : (flags & 0x200) !== 0 ? ' (interrupts enabled)' : ' (interrupts disabled)'}.`);
  }
  for (const s of v.stacks) if (s.entries.length > 0) notes.push(`CPU ${s.cpu}'s stack from its RSP (code addresses on it, innermost first, as crash's bt -t lists them; some are stale): ${s.entries.join(' < ')}.`);
  if (d.split) notes.push(`This is one part of a split dump (makedumpfile --split): it holds pages ${d.split.startPfn}-${d.split.endPfn} only; the log is read when its pages are in this part (crash reads all the parts given together).`);
  if (d.incomplete) notes.push('The dump is incomplete (cut short while written): pages past its end are missing, and so may be the end of the log.');
  if (d.unreadablePages > 0) notes.push(`${d.unreadablePages} page(s) of the dump could not be read (damaged, or past the end of the file).`);
  for (const p of v.log?.problems ?? []) notes.push(`The log: ${p}.`);
  const panicked = panicCpu(v);
  if (panicked) notes.push(panicked);
  const gap = crashTimeGap(v);
  if (gap) notes.push(gap);
  return notes;
}

/** The `CPU: 0 PID: 94 Comm: insmod` line of a report (6.10+ add `UID: 0` before the PID). */
const REPORT_CPU = /\bCPU: (\d{1,5}) (?:UID: \d{1,10} )?PID: (\d{1,10}) /;
/**
 * Which CPU crashed: the one the log's last report ran on (its `CPU: N PID: P` line: the panic's,
 * or with kdump loaded the oops's, which kexecs before panic() prints). kdump saves each CPU's
 * registers with the pid of its task, so that CPU's note holds P too.
 */
export function panicCpu(v: Pick<Vmcore, 'cpus' | 'log'>): string | null {
  const records = v.log?.records ?? [];
  for (let i = records.length - 1; i >= 0; i--) {
    if (!records[i].text.includes('PID: ')) continue;
    const m = REPORT_CPU.exec(records[i].text);
    if (!m) continue;
    const cpu = Number(m[1]);
    const pid = Number(m[2]);
    const note = v.cpus.find((c) => c.index === cpu);
    if (!note) return `The log's last report ran on CPU ${cpu} (pid ${pid}), which has no NT_PRSTATUS note in the dump.`;
    return note.pid === pid
      ? `CPU ${cpu} crashed: the log's last report ran on it (pid ${pid}), the task of its NT_PRSTATUS note, so its registers above are the crash's.`
      : `The log's last report ran on CPU ${cpu} (pid ${pid}); its NT_PRSTATUS note names pid ${note.pid} (a dump taken from outside the machine, as QEMU's, does not record the task).`;
  }
  return null;
}

/**
 * Lines that tie the log's uptime to the wall clock: the RTC driver setting the system clock at
 * boot, with the epoch seconds it set (`rtc_cmos 00:05: setting system clock to 2026-12-03T05:52:03 UTC (1796277123)`).
 */
const WALL_CLOCK_ANCHORS: readonly RegExp[] = [/setting system clock to \S{1,40} UTC \((\d{9,12})\)/];

/**
 * Where the log ends against CRASHTIME (the wall-clock second the kernel crashed, which kdump's
 * VMCOREINFO carries): the crash's uptime is the anchor's uptime plus the wall-clock seconds since it.
 */
export function crashTimeGap(v: Pick<Vmcore, 'vmcoreinfo' | 'log'>): string | null {
  const crashTime = v.vmcoreinfo?.crashTime ?? null;
  const records = v.log?.records ?? [];
  if (crashTime === null || records.length === 0) return null;
  let anchor: { uptime: number; epoch: number } | null = null;
  for (const r of records) {
    if (r.tsNsec < 0n || !r.text.includes('system clock')) continue;
    for (const re of WALL_CLOCK_ANCHORS) {
      const m = re.exec(r.text);
      if (m) anchor = { uptime: Number(r.tsNsec) / 1e9, epoch: Number(m[1]) };
    }
  }
  const last = records.filter((r) => r.tsNsec >= 0n).pop();
  if (!anchor || !last || crashTime < anchor.epoch) return null;
  const crashUptime = anchor.uptime + (crashTime - anchor.epoch);
  const end = Number(last.tsNsec) / 1e9;
  const when = `CRASHTIME ${new Date(crashTime * 1000).toISOString().replace('.000Z', 'Z')} is about ${crashUptime.toFixed(0)} s of uptime (the log set the system clock at ${anchor.uptime.toFixed(1)} s)`;
  // Both clocks are whole seconds apart at best: under 3 s is no gap.
  if (crashUptime - end < 3) return `The log runs up to the crash: ${when}, its last record at ${end.toFixed(1)} s.`;
  return `The log ends about ${(crashUptime - end).toFixed(0)} s before the crash: ${when}, its last record at ${end.toFixed(1)} s. What ran in between printed nothing, or its lines were not flushed.`;
}

/** How a vmcore given to analyze is read: with crash and a vmlinux when there is one, else natively. */
export interface VmcoreOptions {
  /** The vmlinux to give crash; found where distributions install it when not given. */
  vmlinux?: string;
  /** false: read the dump natively only, never run crash. */
  crash?: boolean;
  /** Seconds crash may take in all. */
  crashTimeout?: number;
  /** Seconds one crash command may take (a command that takes longer is stopped, and the next ones run). */
  commandTimeout?: number;
  /** Says what takes long (crash's run), as it starts. */
  progress?: (message: string) => void;
  /** false: crash's first pass only, no investigation rounds. */
  investigate?: boolean;
}

/** The crash session a vmcore was read through: what an investigation continues. */
export interface CrashSource {
  vmlinux: string;
  vmcore: string;
  session: string;
  commands: string[];
  /** Seconds the first pass took. */
  seconds: number;
}

/** A vmcore that cannot be analysed as asked (a --vmlinux that is missing): the message says why. */
export class VmcoreOptionError extends Error {}

/** crash's `sys` UPTIME (`00:00:25`, `12 days, 03:04:05`) in seconds. */
function uptimeSeconds(sys: string): number | null {
  const m = /^\s*UPTIME: (?:(\d{1,6}) days?, )?(\d{1,2}):(\d{2}):(\d{2})\s*$/m.exec(sys);
  return m ? Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]) : null;
}

/** How long before the dump was taken the log ends (its last record against crash's uptime), when that is more than a few seconds. */
function logGap(sys: string, v: Vmcore): string | null {
  const up = uptimeSeconds(sys);
  const last = v.log?.records.filter((r) => r.tsNsec >= 0n).pop();
  if (up === null || !last) return null;
  const end = Number(last.tsNsec) / 1e9;
  const gap = up - end;
  // UPTIME is whole seconds (from jiffies): under 2 s is no gap.
  if (gap < 2) return null;
  return `The log ends ${gap.toFixed(0)} s before the dump was taken (its last record at ${end.toFixed(1)} s, crash's uptime ${up} s): what ran in between printed nothing, or its lines were not flushed.`;
}

/** The dump's log (or crash's session of it) as input chunks, with the notes of what the dump says. */
export async function vmcoreInput(path: string, opts: VmcoreOptions = {}): Promise<{ chunks: AsyncIterable<Buffer>; notes: string[]; vmcore: Vmcore; crash: CrashSource | null }> {
  const v = openVmcore(path, { symbols: true });
  const notes = vmcoreNotes(v);
  let text = vmcoreLogLines(v).join('\n') + '\n';
  if (opts.vmlinux !== undefined && !existsSync(opts.vmlinux)) throw new VmcoreOptionError(`--vmlinux ${opts.vmlinux}: no such file`);
  // The release names paths to look in: only a release's own characters (a dump could say anything).
  const said = v.vmcoreinfo?.osrelease ?? null;
  const release = said !== null && /^[\w.+~-]{1,64}$/.test(said) && !said.startsWith('.') ? said : null;
  let crash: CrashSource | null = null;
  if (opts.crash !== false) {
    const wantId = v.vmcoreinfo?.buildId ?? null;
    const vmlinux = opts.vmlinux ?? (release ? findVmlinux(release, wantId) : null);
    const haveId = vmlinux ? elfBuildId(vmlinux) : null;
    if (!vmlinux) {
      notes.push(`No vmlinux of ${release ?? 'this kernel'} was found (${release ? vmlinuxCandidates(release).join(', ') : 'VMCOREINFO names no release'}${process.env.DEBUGINFOD_URLS ? ', debuginfod' : ''}): the diagnosis reads the log alone. For every CPU's and task's stack through crash: ${debugPackageHint(release ?? 'RELEASE')}, or give --vmlinux PATH.`);
    } else if (wantId && haveId && wantId !== haveId.slice(0, wantId.length)) {
      notes.push(`${vmlinux} is not the vmlinux of this dump (its build-id ${haveId} is not the dump's ${wantId}): crash was not run; the diagnosis reads the log alone.`);
    } else {
      const commands = firstPass(release);
      opts.progress?.(`running crash on ${path} with ${vmlinux} (${commands.join(', ')})...`);
      const r = await runCrash(vmlinux, path, commands, (opts.crashTimeout ?? 600) * 1000, (opts.commandTimeout ?? CRASH_COMMAND_SECONDS) * 1000);
      if (r.answers.length === 0 || (r.error && r.error.startsWith('crash could not'))) {
        notes.push(`${r.error ?? 'crash gave no answer'}: the diagnosis reads the log read natively from the dump.`);
      } else {
        text = sessionText(r.answers);
        const gap = logGap(r.answers.find((a) => a.command === 'sys')?.output ?? '', v);
        if (gap) notes.push(gap);
        crash = { vmlinux, vmcore: path, session: text, commands: r.answers.map((a) => a.command), seconds: r.seconds };
        notes.push(`crash (${r.how}) answered ${r.answers.map((a) => a.command).join(', ')} in ${r.seconds.toFixed(1)} s with ${vmlinux}; the diagnosis reads its answers (the log among them).${r.error ? ` ${r.error}.` : ''}`);
      }
    }
  }
  async function* one(): AsyncGenerator<Buffer> {
    yield Buffer.from(text, 'latin1');
  }
  return { chunks: one(), notes, vmcore: v, crash };
}
