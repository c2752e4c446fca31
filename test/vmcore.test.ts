// The native vmcore reader on real dumps (test/fixtures/vmcores: QEMU dumps of the scenarios, cut down to the pages the reader needs), and on broken ones.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './support/shared';
import { DumpError, formatLog, openVmcore, vmcoreLogLines } from '../src/vmcore';
import { readKernelLog } from '../src/vmcore/printk';
import type { KernelMemory } from '../src/vmcore/translate';
import { crashTimeGap, panicCpu } from '../src/vmcore/input';
import { parseVmcoreInfo } from '../src/vmcore/vmcoreinfo';
import { readNotes } from '../src/vmcore/notes';
import { DecompressError, lzo1xDecompress, snappyDecompress, zstdPage } from '../src/vmcore/decompress';
import { elfBuildId, findVmlinux, runCrash, sessionText, splitAnswers } from '../src/investigate/crash';

const BIN = join(REPO, 'bin', 'ktriage');
const FIXTURES = join(REPO, 'test', 'fixtures', 'vmcores');
/** Each fixture's dumps (the QEMU format, and a plain kdump reassembled by makedumpfile -R) with crash's `log` of the whole dump. */
const cases = existsSync(FIXTURES)
  ? readdirSync(FIXTURES)
      .filter((d) => existsSync(join(FIXTURES, d, 'crash-log.txt')))
      .flatMap((d) => ['vmcore', 'vmcore.plain', 'vmcore.lzo', 'vmcore.snappy', 'vmcore.zstd'].filter((f) => existsSync(join(FIXTURES, d, f))).map((f) => ({ name: `${d}/${f}`, dump: join(FIXTURES, d, f), log: join(FIXTURES, d, 'crash-log.txt') })))
  : [];

function run(args: string[], input?: Buffer) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', input, maxBuffer: 1 << 28, env: { ...process.env, LANG: 'C' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the fixtures cover an ELF and a kdump-compressed dump, flattened and plain, of 2 and 4 CPUs, in every compression', () => {
  const formats = new Set(cases.map((c) => openVmcore(c.dump).dump.format));
  assert.deepEqual([...formats].sort(), ['elf64', 'kdump', 'kdump-flattened']);
  const compressions = new Set(cases.flatMap((c) => [...openVmcore(c.dump).dump.compressions]));
  assert.deepEqual([...compressions].sort(), ['lzo', 'snappy', 'zlib', 'zstd']);
  for (const c of cases) assert.equal(openVmcore(c.dump).dump.unreadablePages, 0, c.name);
  const cpus = new Set(cases.map((c) => openVmcore(c.dump).cpus.length));
  assert.ok(cpus.has(2) && cpus.has(4), [...cpus].join(','));
  // Dumps as kdump writes them: makedumpfile in the guest's capture kernel, filtered with -d 31.
  assert.ok(cases.some((c) => openVmcore(c.dump).dump.dumpLevel === 31), 'a dump filtered by makedumpfile -d 31');
});

/** The fixtures made by makedumpfile in the guest's capture kernel, with its own --dump-dmesg of /proc/vmcore. */
const mdCases = cases.filter((c) => c.dump.endsWith('/vmcore') && existsSync(join(c.dump, '..', 'makedumpfile-dmesg.txt')));

for (const c of mdCases) {
  test(`${c.name}: ktriage dmesg --style makedumpfile prints makedumpfile --dump-dmesg's log of the same crash, line for line`, () => {
    const r = run(['dmesg', '--style', 'makedumpfile', c.dump]);
    assert.equal(r.status, 0, r.stderr);
    const want = readFileSync(join(c.dump, '..', 'makedumpfile-dmesg.txt'), 'latin1').split('\n');
    const got = r.stdout.split('\n');
    assert.ok(want.length > 100, 'a whole boot log');
    for (let i = 0; i < Math.max(want.length, got.length); i++) assert.equal(got[i], want[i], `line ${i + 1}`);
    // The dump says how makedumpfile filtered it.
    const j = JSON.parse(run(['analyze', '--no-crash', '--format', 'json', c.dump]).stdout);
    assert.ok(j.notes.some((n: string) => /dump level 31\b/.test(n)), j.notes[0]);
    // kdump's VMCOREINFO has CRASHTIME: set against the boot's wall clock, the log reaches the panic.
    assert.ok(j.notes.some((n: string) => /^The log runs up to the crash: CRASHTIME /.test(n)), j.notes.join('\n'));
    // kdump saved each CPU with its task's pid: the CPU of the log's last report is the one whose note holds its pid.
    assert.ok(j.notes.some((n: string) => /^CPU \d+ crashed: the log's last report ran on it \(pid \d+\), the task of its NT_PRSTATUS note/.test(n)), j.notes.join('\n'));
  });
}

test('the CPU that crashed: the last report\'s CPU line against the pids of the prstatus notes', () => {
  const rec = (text: string) => ({ seq: 0, tsNsec: 0n, level: null, caller: null, text });
  const regs = { RIP: '0', RSP: '0', RFLAGS: '0' };
  const log = { source: 'printk_ringbuffer' as const, problems: [], records: [rec('CPU: 1 PID: 7 Comm: old Not tainted 6.1.0'), rec('BUG: kernel NULL pointer dereference, address: 0000000000000008'), rec('CPU: 0 UID: 0 PID: 95 Comm: insmod Tainted: G           OE      6.12.0 #1')] };
  const cpus = [{ index: 0, pid: 95, registers: regs }, { index: 1, pid: 0, registers: regs }];
  assert.match(panicCpu({ cpus, log }) ?? '', /^CPU 0 crashed: the log's last report ran on it \(pid 95\)/);
  assert.match(panicCpu({ cpus: [{ index: 0, pid: 1, registers: regs }], log }) ?? '', /^The log's last report ran on CPU 0 \(pid 95\); its NT_PRSTATUS note names pid 1/);
  assert.match(panicCpu({ cpus: [{ index: 3, pid: 95, registers: regs }], log }) ?? '', /no NT_PRSTATUS note/);
  assert.equal(panicCpu({ cpus, log: { ...log, records: [rec('Linux version 6.1.0')] } }), null);
});

test('CRASHTIME against the log: the uptime of the crash from the line that set the system clock', () => {
  const rec = (sec: number, text: string) => ({ seq: 0, tsNsec: BigInt(Math.round(sec * 1e9)), level: null, caller: null, text });
  const clock = rec(1.6, 'rtc_cmos 00:05: setting system clock to 2026-12-03T05:52:03 UTC (1796277123)');
  const info = (crashTime: number | null) => ({ ...parseVmcoreInfo('OSRELEASE=6.1.0\n'), crashTime });
  const log = (last: number) => ({ source: 'printk_ringbuffer' as const, problems: [], records: [rec(0, 'Linux version 6.1.0'), clock, rec(last, 'Kernel panic - not syncing: Fatal exception')] });
  assert.match(crashTimeGap({ vmcoreinfo: info(1796277125), log: log(3.7) }) ?? '', /^The log runs up to the crash: CRASHTIME 2026-12-03T05:52:05Z is about 4 s of uptime/);
  assert.match(crashTimeGap({ vmcoreinfo: info(1796277123 + 600), log: log(3.7) }) ?? '', /^The log ends about 598 s before the crash/);
  // No CRASHTIME (a dump QEMU took), no clock line, or a clock set after the crash: nothing is said.
  assert.equal(crashTimeGap({ vmcoreinfo: info(null), log: log(3.7) }), null);
  assert.equal(crashTimeGap({ vmcoreinfo: info(1796277125), log: { ...log(3.7), records: log(3.7).records.filter((r) => r !== clock) } }), null);
  assert.equal(crashTimeGap({ vmcoreinfo: info(1796277000), log: log(3.7) }), null);
});

for (const c of cases) {
  test(`${c.name}: ktriage dmesg prints crash's log of the dump, line for line`, () => {
    const r = run(['dmesg', c.dump]);
    assert.equal(r.status, 0, r.stderr);
    const want = readFileSync(c.log, 'latin1').split('\n');
    const got = r.stdout.split('\n');
    assert.ok(want.length > 100, 'a whole boot log');
    for (let i = 0; i < Math.max(want.length, got.length); i++) assert.equal(got[i], want[i], `line ${i + 1}`);
  });

  test(`${c.name}: analyze reads the log from the dump, says what the dump says and diagnoses it`, () => {
    const r = run(['analyze', '--no-crash', '--format', 'json', c.dump]);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.match(j.kernel.release, /^\d+\.\d+/);
    assert.ok(j.notes.some((n: string) => /^Read from an? (?:ELF64|kdump-compressed) vmcore/.test(n)), j.notes.join('\n'));
    assert.ok(j.notes.some((n: string) => /^VMCOREINFO: OSRELEASE /.test(n)));
    // Every CPU's RIP at the crash, named through the kallsyms tables in the dump.
    const cpuNotes = j.notes.filter((n: string) => /^CPU \d+ at the crash/.test(n));
    assert.equal(cpuNotes.length, openVmcore(c.dump).cpus.length);
    // (the dumps cut down to the log's pages alone hold no kallsyms tables: their RIPs stay unnamed)
    const named = openVmcore(c.dump, { symbols: true }).symbols !== null;
    assert.equal(named, !/\.(?:lzo|snappy|zstd)$/.test(c.dump), 'which fixtures keep the kallsyms pages');
    for (const n of cpuNotes) assert.match(n, named ? /RIP [0-9a-f]{16} \((?:[A-Za-z_][\w.]*\+0x[0-9a-f]+|in the modules area: .*)\)/ : /RIP [0-9a-f]{16} RSP/);
    // With symbols, each CPU's stack lists the code it runs through: a CPU stopped in the spinlock slow path has the lock function that called it on its stack.
    if (named) {
      cpuNotes.forEach((n: string, cpu: number) => {
        const stack = j.notes.find((x: string) => x.startsWith(`CPU ${cpu}'s stack from its RSP`));
        assert.ok(stack, `CPU ${cpu} has its stack listed`);
        if (/\(native_queued_spin_lock_slowpath\+/.test(n)) assert.match(stack, /: (?:[^<]+ < ){0,4}_raw_spin_lock\w*\+0x/, stack);
      });
    }
    assert.ok(j.reports.length > 0 && j.findings.length > 0, 'the scenario\'s report is found and diagnosed');
    // The same diagnosis as the crash log read as text.
    const t = JSON.parse(run(['analyze', '--format', 'json', c.log]).stdout);
    assert.deepEqual(j.findings.map((f: { rule: string; culprit: unknown }) => [f.rule, f.culprit]), t.findings.map((f: { rule: string; culprit: unknown }) => [f.rule, f.culprit]));
  });
}

test('the whole dumps of the lab, when present, give crash\'s log of test/fixtures/dumps line for line', { skip: existsSync('/work/qemu-lab/dumps') ? false : 'the dump lab is not on this machine' }, () => {
  const lab = process.env.KT_QEMU_LAB ? join(process.env.KT_QEMU_LAB, 'dumps') : '/work/qemu-lab/dumps';
  let n = 0;
  for (const f of readdirSync(lab).filter((x) => /^[a-z]+\.vmcore$/.test(x))) {
    const want = join(REPO, 'test', 'fixtures', 'dumps', f.replace('.vmcore', ''), 'log.txt');
    if (!existsSync(want)) continue;
    assert.equal(vmcoreLogLines(openVmcore(join(lab, f))).join('\n') + '\n', readFileSync(want, 'latin1'), f);
    n++;
  }
  assert.ok(n > 0);
});

test('VMCOREINFO entries are read by kind, garbage lines are skipped', () => {
  const i = parseVmcoreInfo('OSRELEASE=6.1.0-57-amd64\nPAGESIZE=4096\nSYMBOL(prb)=ffffffff8a2d3a38\nOFFSET(printk_info.seq)=0\nSIZE(prb_desc)=24\nNUMBER(phys_base)=-241172480\nKERNELOFFSET=27600000\nCRASHTIME=1796250000\n\u0001\u0002junk\nSYMBOL(bad)=zz\n');
  assert.equal(i.osrelease, '6.1.0-57-amd64');
  assert.equal(i.pageSize, 4096);
  assert.equal(i.symbols.get('prb'), 0xffffffff8a2d3a38n);
  assert.equal(i.offsets.get('printk_info.seq'), 0);
  assert.equal(i.sizes.get('prb_desc'), 24);
  assert.equal(i.numbers.get('phys_base'), -241172480n);
  assert.equal(i.kernelOffset, 0x27600000n);
  assert.equal(i.crashTime, 1796250000);
  assert.equal(i.symbols.has('bad'), false);
});

test('ELF notes: a note that does not fit ends the list', () => {
  const n = Buffer.alloc(32);
  n.writeUInt32LE(5, 0);
  n.writeUInt32LE(4, 4);
  n.writeUInt32LE(1, 8);
  n.write('CORE', 12, 'latin1');
  n.writeUInt32LE(0xffffffff, 20);
  assert.equal(readNotes(n).length, 1);
  n.writeUInt32LE(1 << 30, 4);
  assert.equal(readNotes(n).length, 0);
});

test('broken dumps: truncated, zeroed, flipped bytes give a clear message or a partial log, never a crash or a hang', { skip: cases.length === 0 ? 'no vmcore fixtures' : false }, () => {
  const src = readFileSync(cases[0].dump);
  const dir = mkdtempSync(join(tmpdir(), 'kt-vmcore-'));
  try {
    const tryOne = (name: string, bytes: Buffer): string => {
      const p = join(dir, name);
      writeFileSync(p, bytes);
      try {
        const v = openVmcore(p, { symbols: true });
        return v.log ? `log of ${v.log.records.length}` : `no log: ${v.logError}`;
      } catch (e) {
        assert.ok(e instanceof DumpError, `${name}: ${(e as Error).stack}`);
        assert.ok((e as Error).message.length > 10);
        return `refused: ${(e as Error).message}`;
      }
    };
    for (const n of [16, 100, 600, 4096, 8192, 20_000, src.length >> 1, src.length - 1000]) tryOne(`cut-${n}`, src.subarray(0, n));
    const zeroed = Buffer.from(src);
    zeroed.fill(0, 16, 4096);
    tryOne('zeroed-header', zeroed);
    // Random bytes flipped over the whole file, 150 times: every outcome is one of the three.
    let seed = 12345;
    const rnd = (m: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % m);
    const outcomes = new Map<string, number>();
    for (let k = 0; k < 150; k++) {
      const b = Buffer.from(src);
      for (let f = 0; f < 8; f++) b[rnd(b.length)] ^= 1 << rnd(8);
      const o = tryOne('flipped', b).split(':')[0].replace(/ \d+$/, '');
      outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
    }
    assert.ok((outcomes.get('log of') ?? 0) > 0, JSON.stringify([...outcomes]));
    // Garbage that carries a kdump signature.
    const g = Buffer.alloc(64 * 1024);
    for (let i = 0; i < g.length; i++) g[i] = rnd(256);
    g.write('KDUMP   ', 0, 'latin1');
    assert.match(tryOne('garbage', g), /^refused|^no log/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('crash answers are split at the markers echoed between the commands and pasted back as a session', () => {
  const raw = 'WARNING: something\n@@KT0a1b@@ 0\n      KERNEL: vmlinux\n@@KT0a1b@@ 1\nPID: 1  TASK: ffff  CPU: 0  COMMAND: "init"\n #0 [ffff] schedule at ffff\n@@KTCMD@@ end\n\n@@KT0a1b@@ end\n';
  const a = splitAnswers(raw, ['sys', 'bt'], '@@KT0a1b@@');
  assert.deepEqual(a.map((x) => x.command), ['sys', 'bt']);
  assert.equal(a[0].output, '      KERNEL: vmlinux');
  assert.match(a[1].output, /^PID: 1/);
  // A line of the dump that looks like another run's marker is only text.
  assert.equal(sessionText(a), 'crash> sys\n      KERNEL: vmlinux\n\ncrash> bt\nPID: 1  TASK: ffff  CPU: 0  COMMAND: "init"\n #0 [ffff] schedule at ffff\n@@KTCMD@@ end\n');
});

test('a vmlinux that is not the dump\'s is not given to crash, a missing one is an error', { skip: cases.length === 0 ? 'no vmcore fixtures' : false }, () => {
  const other = process.execPath;
  const r = run(['analyze', '--format', 'json', '--vmlinux', other, cases[0].dump]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  if (elfBuildId(other)) assert.ok(j.notes.some((n: string) => /is not the vmlinux of this dump/.test(n)), j.notes.join('\n'));
  assert.ok(j.findings.length > 0, 'the log alone is still diagnosed');
  const missing = run(['analyze', '--vmlinux', '/nonexistent/vmlinux', cases[0].dump]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--vmlinux \/nonexistent\/vmlinux: no such file/);
});

const vmlinux = findVmlinux('6.1.0-57-amd64');
const crashThere = spawnSync('crash', ['--version']).status === 0;
const lab = process.env.KT_QEMU_LAB ? join(process.env.KT_QEMU_LAB, 'dumps') : '/work/qemu-lab/dumps';

test('a crash command that takes too long is stopped, says so, and the commands after it still run; nothing is left running', { skip: vmlinux && crashThere && existsSync(join(lab, 'irqaa.vmcore')) ? false : 'needs crash, the 6.1.0-57-amd64 debug vmlinux and the dump lab' }, async () => {
  // `!` runs a shell command in crash: one that sleeps stands for a command that hangs.
  const r = await runCrash(vmlinux as string, join(lab, 'irqaa.vmcore'), ['sys', '!sleep 47', 'mod'], 120_000, 3000);
  assert.deepEqual(r.answers.map((a) => a.command), ['sys', '!sleep 47', 'mod']);
  assert.match(r.answers[0].output, /KERNEL: /);
  assert.match(r.answers[1].output, /no answer within 3 s; crash was stopped here/);
  assert.match(r.answers[2].output, /MODULE +NAME/);
  assert.match(r.error ?? '', /no answer to `!sleep 47` within 3 s/);
  await new Promise((ok) => setTimeout(ok, 500));
  assert.equal(spawnSync('pgrep', ['-f', 'sleep 47']).status, 1, 'the hung command was stopped with crash');
});

test('with the debug vmlinux and crash, a whole dump is read through crash: every task in the model, the same diagnosis', { skip: vmlinux && crashThere && existsSync(join(lab, 'irqaa.vmcore')) ? false : 'needs crash, the 6.1.0-57-amd64 debug vmlinux and the dump lab' }, () => {
  const r = run(['analyze', '--format', 'json', join(lab, 'irqaa.vmcore')]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.ok(j.notes.some((n: string) => /^crash \(crash \d/.test(n)), j.notes.join('\n'));
  assert.ok(j.machine.tasks.length > 40, `${j.machine.tasks.length} tasks: ps and foreach bt were read`);
  assert.equal(j.findings[0].rootCauseClass, 'deadlock-aa');
  assert.match(j.findings[0].culprit.function, /^irqaa_/);
});

test('crash on a dump it cannot open (the cut-down fixture): the note says so and the native log is diagnosed', { skip: vmlinux && crashThere && cases.length > 0 ? false : 'needs crash and the 6.1.0-57-amd64 debug vmlinux' }, () => {
  const r = run(['analyze', '--format', 'json', '--crash-timeout', '120', cases[0].dump]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.ok(j.notes.some((n: string) => /^crash could not open the dump: .*the diagnosis reads the log read natively from the dump\.$/.test(n)), j.notes.join('\n'));
  assert.ok(j.findings.length > 0);
});

test('the investigation runs the findings\' next steps in the dump and quotes their answers: the unloaded module\'s timer is unreadable (seed 002\'s check)', { skip: vmlinux && crashThere && existsSync(join(lab, 'timerleak.vmcore')) ? false : 'needs crash, the 6.1.0-57-amd64 debug vmlinux and the dump lab' }, () => {
  const r = run(['analyze', '--format', 'json', join(lab, 'timerleak.vmcore')]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  const round = j.notes.find((n: string) => /^Investigation round 1 /.test(n));
  assert.ok(round, j.notes.join('\n'));
  const from = Number(/answers from line (\d+)/.exec(round)?.[1]);
  const top = j.findings[0];
  assert.equal(top.rootCauseClass, 'dangling-callback-after-unload');
  const answer = top.evidence.find((e: { line: number; text: string }) => e.line >= from && /invalid kernel virtual address/.test(e.text));
  assert.ok(answer, JSON.stringify(top.evidence.map((e: { line: number; text: string }) => [e.line, e.text.slice(0, 60)])));
  // The report lists the command with its answer, at the line the evidence quotes.
  const step = j.investigation.find((s: { command: string; line: number }) => s.line === answer.line);
  assert.ok(step && /^rd [0-9a-f]{16}/.test(step.command) && step.answer[0] === answer.text, JSON.stringify(j.investigation.slice(0, 5)));
  const plain = JSON.parse(run(['analyze', '--format', 'json', '--no-investigate', join(lab, 'timerleak.vmcore')]).stdout);
  assert.ok(!plain.notes.some((n: string) => /^Investigation/.test(n)));
});

test('a record of several lines, an unprintable byte and a caller, in crash\'s and makedumpfile\'s styles', () => {
  const log = { source: 'printk_ringbuffer' as const, problems: [], records: [{ seq: 0, tsNsec: 12_345_678_901n, level: null, caller: 'T42', text: 'first\nsecond\x01' }] };
  assert.deepEqual(formatLog(log), ['[   12.345678] first', '               second.']);
  assert.deepEqual(formatLog(log, { caller: true }), ['[   12.345678] [   T42] first', `${' '.repeat(24)}second.`]);
  assert.deepEqual(formatLog(log, { style: 'makedumpfile' }), ['[   12.345678] first', '               second\\x01']);
});

test('the page decompressors refuse garbage and cut streams with an error, never more than a page', () => {
  let seed = 777;
  const rnd = (m: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % m);
  const page = readFileSync(join(FIXTURES, 'irqaa-kdump-zlib-2cpu', 'crash-log.txt')).subarray(0, 4096);
  for (const [name, fn] of [['lzo', lzo1xDecompress], ['snappy', snappyDecompress], ['zstd', zstdPage]] as const) {
    for (let k = 0; k < 300; k++) {
      const b = Buffer.alloc(1 + rnd(600));
      for (let i = 0; i < b.length; i++) b[i] = rnd(256);
      try {
        const out = fn(b, 4096);
        assert.equal(out.length, 4096, name);
      } catch (e) {
        assert.ok(e instanceof DecompressError, `${name}: ${(e as Error).stack}`);
      }
    }
    assert.ok(page.length === 4096);
  }
});

test('an ELF core whose thousands of note headers name one region reads it once; a snappy literal of a 4-byte length past the page is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kt-notes-'));
  try {
    const phnum = 2000;
    const region = 1 << 20;
    const headers = 64 + phnum * 56;
    const b = Buffer.alloc(headers + region);
    b.write('\x7fELF', 0, 'latin1');
    b[4] = 2;
    b[5] = 1;
    b.writeUInt16LE(4, 16);
    b.writeUInt16LE(62, 18);
    b.writeBigUInt64LE(64n, 32);
    b.writeUInt16LE(56, 54);
    b.writeUInt16LE(phnum, 56);
    for (let i = 0; i < phnum; i++) {
      const p = 64 + i * 56;
      b.writeUInt32LE(4, p);
      b.writeBigUInt64LE(BigInt(headers), p + 8);
      b.writeBigUInt64LE(BigInt(region), p + 32);
    }
    // One note filling the region, named as the reader keeps none.
    b.writeUInt32LE(4, headers);
    b.writeUInt32LE(region - 16, headers + 4);
    b.write('XXX', headers + 12, 'latin1');
    const path = join(dir, 'notes.vmcore');
    writeFileSync(path, b);
    const before = process.memoryUsage().rss;
    const v = openVmcore(path);
    assert.equal(v.dump.notes.length, 0);
    assert.ok(process.memoryUsage().rss - before < 256 * 1024 * 1024, 'the region is not held once per header');
    assert.match(v.logError ?? '', /VMCOREINFO/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const s = Buffer.from([0x80, 0x20, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x41]);
  assert.throws(() => snappyDecompress(s, 4096), DecompressError);
});

/**
 * The log buffers of kernels before 5.10, built here to the kernel's own layout (no dump of such a kernel is on this
 * machine): `struct printk_log` records of 3.5-5.9 as VMCOREINFO describes them, and the character ring of older ones.
 */
function memoryOf(regions: Array<[bigint, Buffer]>): KernelMemory {
  const read = (v: bigint, n: number): Buffer | null => {
    for (const [at, b] of regions) if (v >= at && v + BigInt(n) <= at + BigInt(b.length)) return b.subarray(Number(v - at), Number(v - at) + n);
    return null;
  };
  return { read, vtop: (v) => v, u64: (v) => read(v, 8)?.readBigUInt64LE(0) ?? null, u32: (v) => read(v, 4)?.readUInt32LE(0) ?? null };
}

/** Writes one `struct printk_log` record (20-byte header with caller_id, text, dictionary, 4-byte aligned) at `at`; returns its length. */
function putRecord(buf: Buffer, at: number, r: { ts: number; text: string; dict?: string; caller?: number }): number {
  const body = Buffer.from(r.text + (r.dict ?? ''), 'latin1');
  const len = (20 + body.length + 3) & ~3;
  buf.writeBigUInt64LE(BigInt(Math.round(r.ts * 1e9)), at);
  buf.writeUInt16LE(len, at + 8);
  buf.writeUInt16LE(r.text.length, at + 10);
  buf.writeUInt16LE((r.dict ?? '').length, at + 12);
  buf.writeUInt32LE(r.caller ?? 0, at + 16);
  body.copy(buf, at + 20);
  return len;
}

test('printk_log records (3.5-5.9): text without its dictionary, caller ids, the wrap to the start, and broken indices', () => {
  const info = (first: number, next: number, len: number) =>
    parseVmcoreInfo(
      `OSRELEASE=5.4.0\nSYMBOL(log_buf)=ffffffff81000000\nSYMBOL(log_buf_len)=ffffffff81000008\nSYMBOL(log_first_idx)=ffffffff81000010\nSYMBOL(log_next_idx)=ffffffff81000018\n` +
        'SIZE(printk_log)=20\nOFFSET(printk_log.ts_nsec)=0\nOFFSET(printk_log.len)=8\nOFFSET(printk_log.text_len)=10\nOFFSET(printk_log.dict_len)=12\nOFFSET(printk_log.caller_id)=16\n' +
        `#${first}/${next}/${len}\n`,
    );
  const vars = (bufAt: bigint, len: number, first: number, next: number): Buffer => {
    const v = Buffer.alloc(32);
    v.writeBigUInt64LE(bufAt, 0);
    v.writeUInt32LE(len, 8);
    v.writeUInt32LE(first, 16);
    v.writeUInt32LE(next, 24);
    return v;
  };
  const recs = [
    { ts: 0, text: 'Linux version 5.4.0-150-generic', caller: 0 },
    { ts: 1.5, text: 'usb 1-1: new device', dict: 'SUBSYSTEM=usb\0DEVICE=c189:1', caller: 42 },
    { ts: 2.25, text: 'BUG: unable to handle kernel NULL pointer dereference at 0000000000000008', caller: 0x80000001 },
  ];
  const BUF = 0xffff888000100000n;
  const straight = Buffer.alloc(4096);
  let next = 0;
  for (const r of recs) next += putRecord(straight, next, r);
  const log = readKernelLog(memoryOf([[0xffffffff81000000n, vars(BUF, 4096, 0, next)], [BUF, straight]]), info(0, next, 4096));
  assert.equal(log.source, 'printk_log');
  assert.deepEqual(log.problems, []);
  assert.deepEqual(formatLog(log, { caller: true }), [
    '[    0.000000] Linux version 5.4.0-150-generic',
    '[    1.500000] [   T42] usb 1-1: new device',
    '[    2.250000] [    C1] BUG: unable to handle kernel NULL pointer dereference at 0000000000000008',
  ]);
  // Wrapped: the oldest record near the end of the buffer, a zero-length header after it (where the writer went
  // back to the start), the newest from the start.
  const ring = Buffer.alloc(512);
  const oldAt = 300;
  const zeroAt = oldAt + putRecord(ring, oldAt, { ts: 0.5, text: 'x'.repeat(150) });
  let newest = 0;
  for (const r of recs) newest += putRecord(ring, newest, r);
  assert.ok(newest < oldAt && zeroAt + 20 <= ring.length);
  const w = readKernelLog(memoryOf([[0xffffffff81000000n, vars(BUF, ring.length, oldAt, newest)], [BUF, ring]]), info(oldAt, newest, ring.length));
  assert.deepEqual(w.problems, []);
  assert.deepEqual(w.records.map((r) => r.text.slice(0, 12)), ['x'.repeat(12), 'Linux versio', 'usb 1-1: new', 'BUG: unable ']);
  // Indices past the buffer: a clear error, not a read of garbage.
  assert.throws(() => readKernelLog(memoryOf([[0xffffffff81000000n, vars(BUF, 4096, 9999, 10)], [BUF, straight]]), info(9999, 10, 4096)), /indices are not valid/);
  // A record whose length runs past the buffer: the records before it, and the problem said.
  const bad = Buffer.from(straight);
  bad.writeUInt16LE(60000, 52 + 8);
  const part = readKernelLog(memoryOf([[0xffffffff81000000n, vars(BUF, 4096, 0, next)], [BUF, bad]]), info(0, next, 4096));
  assert.equal(part.records[0].text, recs[0].text);
  assert.match(part.problems.join(' '), /impossible length 60000/);
});

test('the character ring of kernels before 3.5: the text up to log_end, wrapped, lines with their own prefixes', () => {
  const info = parseVmcoreInfo('OSRELEASE=2.6.32-754.el6.x86_64\nSYMBOL(log_buf)=ffffffff81000000\nSYMBOL(log_buf_len)=ffffffff81000008\nSYMBOL(log_end)=ffffffff81000010\n');
  const BUF = 0xffff880000100000n;
  const text = '<6>[    0.000000] Linux version 2.6.32-754.el6.x86_64\n<1>[  100.000000] BUG: soft lockup - CPU#1 stuck for 67s! [insmod:1234]\n';
  const size = 64;
  // 2 MiB written in all: the ring holds the last `size` bytes, starting at log_end % size.
  const end = 2 * 1024 * 1024 + 37;
  const ring = Buffer.alloc(size);
  const last = Buffer.from(text.slice(-size), 'latin1');
  for (let i = 0; i < size; i++) ring[(end - size + i) % size] = last[i];
  const vars = Buffer.alloc(24);
  vars.writeBigUInt64LE(BUF, 0);
  vars.writeUInt32LE(size, 8);
  vars.writeUInt32LE(end, 16);
  const log = readKernelLog(memoryOf([[0xffffffff81000000n, vars], [BUF, ring]]), info);
  assert.equal(log.source, 'log_buf');
  assert.deepEqual(formatLog(log), [text.slice(-size).split('\n')[0]]);
  assert.match(formatLog(log)[0], /\[insmod:1234\]$/);
});
