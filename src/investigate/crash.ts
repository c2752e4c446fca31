// Drives the real `crash` utility on a vmcore with its vmlinux: finds the vmlinux, checks it matches the dump, runs crash in batch mode and returns its answers as the session a user would paste.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
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

/** How one crash process ran: its raw output, and the command it was stopped in when that took too long. */
interface OneRun {
  answers: CrashAnswer[];
  raw: string;
  how: string;
  error: string | null;
  /** The index of the command crash was stopped in (it gave no answer within the per-command limit). */
  stuck: number | null;
}

/**
 * Runs the commands in one crash process, all written to its standard input with a marker echoed
 * before each. Each marker must come within `perCommandMs` of the one before (crash's start-up,
 * before the first, within the overall deadline): a command that takes longer is stopped with
 * the process, and the caller goes on with the commands after it in a new one.
 */
function runOnce(vmlinux: string, vmcore: string, commands: readonly string[], opts: { noPanic: boolean; deadline: number; totalMs: number; perCommandMs: number; version: CrashVersion }): Promise<OneRun> {
  const mark = markOf();
  const script = commands.map((c, i) => `echo ${mark} ${i}\n${c}\n`).join('') + `echo ${mark} end\nq\n`;
  const args = ['-s', ...(opts.noPanic ? ['--no_panic'] : []), vmlinux, vmcore];
  const fix = needsPidSizeFix(opts.version) && existsSync(PID_SIZE_FIX) && spawnSync('gdb', ['--version'], { timeout: 10_000 }).status === 0;
  const how = `${opts.version.text}${fix ? ' under gdb with share/crash/pidsize.py (SIZE(pid) as crash 8.0.4 computes it)' : ''}, ${args.slice(0, -2).join(' ')}`;
  // A process group of its own: stopping it stops what it started too (gdb's crash, a shell of `!`).
  const child = fix
    ? spawn('gdb', ['-q', '-batch', '-nx', '-x', PID_SIZE_FIX, '-ex', `run ${args.map(shellQuote).join(' ')}`, whichCrash()], { stdio: ['pipe', 'pipe', 'ignore'], detached: true })
    : spawn('crash', args, { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
  const killGroup = (): void => {
    if (child.pid !== undefined) for (const pid of sessionOf(child.pid)) kill(pid);
  };
  // ktriage stopped (Ctrl-C, an error) while crash runs: crash goes with it.
  process.once('exit', killGroup);
  return new Promise((done) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tail = '';
    // -1: crash is starting; then the index of the last marker seen.
    let at = -1;
    let error: string | null = null;
    let stuck: number | null = null;
    let timer: NodeJS.Timeout | null = null;
    const stop = (why: string, hung: number | null): void => {
      error ??= why;
      stuck ??= hung;
      killGroup();
    };
    const arm = (): void => {
      if (timer) clearTimeout(timer);
      const left = opts.deadline - Date.now();
      const limit = at < 0 ? left : Math.min(left, opts.perCommandMs);
      const perCommand = at >= 0 && opts.perCommandMs < left;
      timer = setTimeout(() => {
        if (perCommand && at < commands.length) stop(`crash gave no answer to \`${commands[at]}\` within ${Math.round(opts.perCommandMs / 1000)} s: it was stopped there`, at);
        else stop(`crash took longer than the ${Math.round(opts.totalMs / 1000)} s it was given`, null);
      }, Math.max(1000, limit));
    };
    const marker = new RegExp(`^${mark} (\\d+|end)$`, 'gm');
    child.stdout.on('data', (b: Buffer) => {
      if (size < MAX_OUTPUT) {
        chunks.push(b);
        size += b.length;
      }
      // Markers may straddle chunks: look at the last line's start together with the new bytes.
      const text = tail + b.toString('latin1');
      let progressed = false;
      for (const m of text.matchAll(marker)) {
        at = m[1] === 'end' ? commands.length : Number(m[1]);
        progressed = true;
      }
      tail = text.slice(Math.max(0, text.lastIndexOf('\n') + 1)).slice(-256);
      if (progressed) arm();
    });
    child.stdin.on('error', () => {});
    child.on('error', (e) => {
      error ??= e.message;
    });
    child.on('close', () => {
      if (timer) clearTimeout(timer);
      process.removeListener('exit', killGroup);
      // Whatever it left running (a command's shell) ends with it.
      if (stuck !== null || error !== null) killGroup();
      const raw = Buffer.concat(chunks).toString('latin1');
      done({ answers: splitAnswers(raw, commands, mark), raw, how, error, stuck });
    });
    arm();
    child.stdin.end(script);
  });
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * The processes of the session `leader` started (spawned detached, it leads one): itself, and what
 * it started in process groups of their own (gdb runs crash in one), read from /proc.
 */
function sessionOf(leader: number): number[] {
  const out = [leader];
  try {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d) || Number(d) === leader) continue;
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'latin1');
        // pid (comm) state ppid pgrp session ...: comm may hold spaces and parentheses, so count from its end.
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(f[3]) === leader) out.push(Number(d));
      } catch {
        // it ended meanwhile
      }
    }
  } catch {
    // no /proc: the leader alone
  }
  return out;
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

/** Seconds one crash command may take by default (a `foreach bt` of a large machine takes minutes). */
export const CRASH_COMMAND_SECONDS = 300;

/**
 * Runs the commands in crash on the dump; retries with --no_panic when crash gives up looking for
 * the panic task. `timeoutMs` bounds the whole, `perCommandMs` each command: a command that takes
 * longer is stopped, its answer says so, and the commands after it run in a new crash process.
 */
export async function runCrash(vmlinux: string, vmcore: string, commands: readonly string[], timeoutMs = 600_000, perCommandMs = CRASH_COMMAND_SECONDS * 1000): Promise<CrashRun> {
  const t0 = process.hrtime.bigint();
  const deadline = Date.now() + timeoutMs;
  const version = crashVersion();
  if (!version) return { answers: [], how: 'crash', seconds: 0, error: 'the crash utility is not installed (apt-get install crash; dnf install crash)' };
  // crash that gave up on the dump answers nothing, or (looking for the panic task in vain) prints no stack for bt.
  const asksBt = commands.some((c) => c.startsWith('bt'));
  const started = (x: OneRun): boolean => (asksBt ? x.answers.some((a) => a.command.startsWith('bt') && a.output.includes('PID:')) : x.answers.length > 0);
  let r = await runOnce(vmlinux, vmcore, commands, { noPanic: false, deadline, totalMs: timeoutMs, perCommandMs, version });
  // The retry has what is left of the time, not the whole of it again.
  if (!started(r) && r.stuck === null && !r.error?.includes('longer than') && deadline - Date.now() > 1000) r = await runOnce(vmlinux, vmcore, commands, { noPanic: true, deadline, totalMs: timeoutMs, perCommandMs, version });
  const noPanic = r.how.includes('--no_panic');
  const answers = [...r.answers];
  const errors: string[] = r.error ? [r.error] : [];
  // A command that hung: its answer says so, and the rest go on in a new crash.
  let rest = commands;
  let run = r;
  while (run.stuck !== null && run.stuck < rest.length) {
    const hung = run.stuck;
    const partial = answers.find((a) => a.command === rest[hung]);
    const said = `(ktriage: no answer within ${Math.round(perCommandMs / 1000)} s; crash was stopped here)`;
    if (partial) partial.output = partial.output === '' ? said : `${partial.output}\n${said}`;
    else answers.push({ command: rest[hung], output: said });
    rest = rest.slice(hung + 1);
    if (rest.length === 0 || deadline - Date.now() < 5000) break;
    run = await runOnce(vmlinux, vmcore, rest, { noPanic, deadline, totalMs: timeoutMs, perCommandMs, version });
    answers.push(...run.answers);
    if (run.error) errors.push(run.error);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!started(r) && r.stuck === null) {
    const why = r.error ?? (r.raw.split('\n').filter((l) => /^crash: |error|invalid|cannot/i.test(l)).slice(0, 3).join(' / ') || 'it printed no stack');
    return { answers, how: r.how, seconds, error: `crash could not open the dump: ${why}` };
  }
  return { answers, how: r.how, seconds, error: errors.length > 0 ? errors.join('; ') : null };
}

/** The answers as a session pasted from crash: each command after a `crash> ` prompt. */
export function sessionText(answers: readonly CrashAnswer[]): string {
  return answers.map((a) => `crash> ${a.command}\n${a.output}\n`).join('\n');
}

