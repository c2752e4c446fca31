// Drives the real `crash` utility on a vmcore with its vmlinux: finds the vmlinux, checks it matches the dump, runs crash in batch mode and returns its answers as the session a user would paste.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

/** The first look at a dump, as the seed authors began: the machine, every CPU and task, the log, the modules, memory, run queues, interrupts. */
export const FIRST_PASS = ['sys', 'sys -t', 'bt -a', 'foreach bt', 'ps', 'log', 'mod', 'kmem -i', 'runq', 'irq -s'];

/** Where distributions install the debug vmlinux of a release (Debian/Ubuntu `-dbg`/`-dbgsym`, RHEL/Fedora `kernel-debuginfo`). */
export function vmlinuxCandidates(release: string): string[] {
  return [
    `/usr/lib/debug/boot/vmlinux-${release}`,
    `/usr/lib/debug/lib/modules/${release}/vmlinux`,
    `/usr/lib/debug/usr/lib/modules/${release}/vmlinux`,
    `/boot/vmlinux-${release}`,
    `/lib/modules/${release}/build/vmlinux`,
  ];
}

export function findVmlinux(release: string, buildId: string | null = null): string | null {
  for (const p of vmlinuxCandidates(release)) if (existsSync(p) && statSync(p).isFile()) return p;
  return buildId ? fromDebuginfod(buildId) : null;
}

/** The debuginfo of a build-id from the debuginfod servers the user configured (DEBUGINFOD_URLS), when debuginfod-find is installed. */
function fromDebuginfod(buildId: string): string | null {
  if (!process.env.DEBUGINFOD_URLS || !/^[0-9a-f]{16,80}$/.test(buildId)) return null;
  const r = spawnSync('debuginfod-find', ['debuginfo', buildId], { encoding: 'utf8', timeout: 600_000 });
  const path = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  return r.status === 0 && path.startsWith('/') && existsSync(path) ? path : null;
}

/** Where the debuginfo of a release's in-tree modules is installed beside its vmlinux (crash `mod -S DIR` loads it). */
export function moduleDebugDir(release: string): string | null {
  for (const d of [`/usr/lib/debug/lib/modules/${release}`, `/usr/lib/debug/usr/lib/modules/${release}`]) if (existsSync(d) && statSync(d).isDirectory()) return d;
  return null;
}

/** The first pass for a release: its modules' debuginfo loaded when installed, so that dis -l and bt -l of module code give source lines. */
export function firstPass(release: string | null): string[] {
  const dir = release ? moduleDebugDir(release) : null;
  return FIRST_PASS.map((c) => (c === 'mod' && dir && /^[\w./+-]+$/.test(dir) ? `mod -S ${dir}` : c));
}

/** The packages that hold the debug vmlinux of a release, by distribution family. */
export function debugPackageHint(release: string): string {
  return `apt-get install crash linux-image-${release}-dbg   (Debian; Ubuntu: linux-image-${release}-dbgsym from ddebs.ubuntu.com);  dnf debuginfo-install kernel-${release}   (RHEL, Fedora)`;
}

/** The GNU build-id of an ELF file (its PT_NOTE segments), read without loading it. */
export function elfBuildId(path: string): string | null {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const read = (at: number, n: number): Buffer => {
      const b = Buffer.alloc(n);
      const got = readSync(fd as number, b, 0, n, at);
      return b.subarray(0, got);
    };
    const eh = read(0, 64);
    if (eh.length < 64 || eh.readUInt32BE(0) !== 0x7f454c46 || eh[4] !== 2) return null;
    const phoff = Number(eh.readBigUInt64LE(32));
    const phentsize = eh.readUInt16LE(54);
    const phnum = Math.min(eh.readUInt16LE(56), 256);
    const table = read(phoff, phnum * phentsize);
    for (let i = 0; i < phnum && (i + 1) * phentsize <= table.length; i++) {
      const p = table.subarray(i * phentsize);
      if (p.readUInt32LE(0) !== 4) continue;
      const notes = read(Number(p.readBigUInt64LE(8)), Math.min(Number(p.readBigUInt64LE(32)), 1 << 16));
      for (let q = 0; q + 12 <= notes.length; ) {
        const namesz = notes.readUInt32LE(q);
        const descsz = notes.readUInt32LE(q + 4);
        const type = notes.readUInt32LE(q + 8);
        const nameAt = q + 12;
        const descAt = nameAt + ((namesz + 3) & ~3);
        if (descAt + descsz > notes.length) break;
        if (type === 3 && notes.subarray(nameAt, nameAt + namesz).toString('latin1').replace(/\0+$/, '') === 'GNU') return notes.subarray(descAt, descAt + descsz).toString('hex');
        q = descAt + ((descsz + 3) & ~3);
      }
    }
    return null;
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

export interface CrashVersion {
  text: string;
  major: number;
  minor: number;
  patch: number;
}

export function crashVersion(crash = 'crash'): CrashVersion | null {
  const r = spawnSync(crash, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  const m = /crash (\d+)\.(\d+)\.(\d+)/.exec(r.stdout ?? '');
  if (r.error || !m) return null;
  return { text: m[0], major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/** crash before 8.0.4 sizes `struct pid` without its flexible numbers[] (6.1.y, 6.5+): its task table then holds only the idle tasks. */
function needsPidSizeFix(v: CrashVersion): boolean {
  return v.major < 8 || (v.major === 8 && (v.minor === 0 && v.patch < 4));
}

/** The gdb script that corrects SIZE(pid) as crash 8.0.4 does, shipped with ktriage. */
export const PID_SIZE_FIX = resolve(__dirname, '..', '..', '..', 'share', 'crash', 'pidsize.py');

export interface CrashAnswer {
  command: string;
  output: string;
}

export interface CrashRun {
  answers: CrashAnswer[];
  /** How crash was run (its version, the options, the workaround), for the notes. */
  how: string;
  seconds: number;
  /** What went wrong, when crash did not answer. */
  error: string | null;
}

/** The marker echoed between commands: random per run, so that no text in the dump can forge it. */
const markOf = (): string => `@@KT${randomBytes(6).toString('hex')}@@`;
/** Output kept at most: a foreach bt of a huge machine is cut, not held whole. */
const MAX_OUTPUT = 256 * 1024 * 1024;

function runOnce(vmlinux: string, vmcore: string, commands: readonly string[], opts: { noPanic: boolean; timeoutMs: number; version: CrashVersion }): { answers: CrashAnswer[]; raw: string; how: string; error: string | null } {
  const mark = markOf();
  const script = commands.map((c, i) => `echo ${mark} ${i}\n${c}\n`).join('') + `echo ${mark} end\nq\n`;
  const args = ['-s', ...(opts.noPanic ? ['--no_panic'] : []), vmlinux, vmcore];
  const timeout = Math.max(1000, Math.floor(opts.timeoutMs));
  const fix = needsPidSizeFix(opts.version) && existsSync(PID_SIZE_FIX) && spawnSync('gdb', ['--version'], { timeout: 10_000 }).status === 0;
  const r = fix
    ? spawnSync('gdb', ['-q', '-batch', '-nx', '-x', PID_SIZE_FIX, '-ex', `run ${args.map(shellQuote).join(' ')}`, whichCrash()], { input: script, encoding: 'latin1', timeout, maxBuffer: MAX_OUTPUT })
    : spawnSync('crash', args, { input: script, encoding: 'latin1', timeout, maxBuffer: MAX_OUTPUT });
  const how = `${opts.version.text}${fix ? ' under gdb with share/crash/pidsize.py (SIZE(pid) as crash 8.0.4 computes it)' : ''}, ${args.slice(0, -2).join(' ')}`;
  const raw = r.stdout ?? '';
  const error = r.error ? ((r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `crash took longer than ${opts.timeoutMs / 1000} s` : r.error.message) : null;
  return { answers: splitAnswers(raw, commands, mark), raw, how, error };
}

/** The crash executable on PATH (gdb is given its path). */
function whichCrash(): string {
  for (const dir of (process.env.PATH ?? '/usr/bin').split(':')) {
    const p = resolve(dir || '.', 'crash');
    if (existsSync(p)) return p;
  }
  return 'crash';
}

function shellQuote(s: string): string {
  return /^[\w./=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Each command's output, between the markers echoed before it and after it. */
export function splitAnswers(raw: string, commands: readonly string[], mark: string): CrashAnswer[] {
  const out: CrashAnswer[] = [];
  const re = new RegExp(`^${mark} (\\d+|end)$`, 'gm');
  const marks = [...raw.matchAll(re)];
  for (let k = 0; k < marks.length; k++) {
    const m = marks[k];
    if (m[1] === 'end') break;
    const i = Number(m[1]);
    const from = (m.index ?? 0) + m[0].length + 1;
    const to = k + 1 < marks.length ? marks[k + 1].index ?? raw.length : raw.length;
    if (i < commands.length) out.push({ command: commands[i], output: raw.slice(from, to).replace(/\n+$/, '') });
  }
  return out;
}

/** Runs the commands in crash on the dump; retries with --no_panic when crash gives up looking for the panic task. */
export function runCrash(vmlinux: string, vmcore: string, commands: readonly string[], timeoutMs = 600_000): CrashRun {
  const t0 = process.hrtime.bigint();
  const deadline = Date.now() + timeoutMs;
  const version = crashVersion();
  if (!version) return { answers: [], how: 'crash', seconds: 0, error: 'the crash utility is not installed (apt-get install crash; dnf install crash)' };
  let r = runOnce(vmlinux, vmcore, commands, { noPanic: false, timeoutMs, version });
  const started = (x: typeof r): boolean => x.answers.some((a) => a.command.startsWith('bt') && a.output.includes('PID:'));
  // The retry has what is left of the time, not the whole of it again.
  const left = deadline - Date.now();
  if (!started(r) && !r.error?.includes('longer than') && left > 1000) r = runOnce(vmlinux, vmcore, commands, { noPanic: true, timeoutMs: left, version });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!started(r)) {
    const why = r.error ?? (r.raw.split('\n').filter((l) => /^crash: |error|invalid|cannot/i.test(l)).slice(0, 3).join(' / ') || 'it printed no stack');
    return { answers: r.answers, how: r.how, seconds, error: `crash could not open the dump: ${why}` };
  }
  return { answers: r.answers, how: r.how, seconds, error: r.error };
}

/** The answers as a session pasted from crash: each command after a `crash> ` prompt. */
export function sessionText(answers: readonly CrashAnswer[]): string {
  return answers.map((a) => `crash> ${a.command}\n${a.output}\n`).join('\n');
}

