// What a user sees from the command line: formats, exit codes, colour, bad inputs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { REPO, seedCases, SKIP_SHARED } from './support/shared';

const BIN = join(REPO, 'bin', 'ktriage');
const tmp = mkdtempSync(join(tmpdir(), 'ktriage-cli-'));

function run(args: string[], opts: { input?: string | Buffer; env?: Record<string, string> } = {}) {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, LANG: 'C', LC_ALL: undefined, LC_MESSAGES: undefined, ...opts.env };
  const r = spawnSync(BIN, args, { input: opts.input, env: env as NodeJS.ProcessEnv, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const OOPS = [
  '[   12.000000] BUG: unable to handle kernel NULL pointer dereference at 0000000000000008',
  '[   12.000001] IP: [<ffffffffa0001234>] mydrv_probe+0x24/0x80 [mydrv]',
  '[   12.000002] Oops: 0000 [#1] SMP',
  '[   12.000003] Modules linked in: mydrv(OE)',
  '[   12.000004] CPU: 1 PID: 42 Comm: modprobe Tainted: G           OE   4.4.0-1-amd64 #1',
  '[   12.000005] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)',
  '[   12.000006] Call Trace:',
  '[   12.000007]  [<ffffffffa0001300>] mydrv_init+0x10/0x20 [mydrv]',
  '[   12.000008]  [<ffffffff81002123>] do_one_initcall+0x53/0x1a0',
  '[   12.000009]  [<ffffffff8117c6c8>] do_init_module+0x5f/0x1d0',
  '',
].join('\n');
const oopsFile = join(tmp, 'oops.log');
writeFileSync(oopsFile, OOPS);
const quietFile = join(tmp, 'quiet.log');
writeFileSync(quietFile, '[    0.000000] Linux version 6.1.0-13-amd64 (debian-kernel@lists.debian.org)\n[    1.000000] usb 1-1: new device\n');

test('--help works on the program and on analyze, and no arguments prints usage with status 2', () => {
  const top = run(['--help']);
  assert.equal(top.status, 0);
  assert.match(top.stdout, /analyze/);
  const sub = run(['analyze', '--help']);
  assert.equal(sub.status, 0);
  assert.match(sub.stdout, /--format/);
  assert.match(sub.stdout, /Exit status/);
  assert.equal(run([]).status, 2);
});

test('a usage error exits 2 and says what was wrong', () => {
  const r = run(['analyze', '--format', 'xml', oopsFile]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /xml/);
  assert.equal(run(['frobnicate']).status, 2);
});

test('text output names the crash, the task, the kernel and the trace', () => {
  const r = run(['analyze', oopsFile]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /BUG: unable to handle kernel NULL pointer dereference in mydrv_probe/);
  assert.match(r.stdout, /modprobe, pid 42, on CPU 1/);
  assert.match(r.stdout, /4\.4\.0-1-amd64/);
  assert.match(r.stdout, /mydrv_init\+0x10\/0x20 \[mydrv\]/);
  assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour when not a terminal');
});

test('a log without a crash says so plainly and exits 0', () => {
  const r = run(['analyze', quietFile]);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /No crash report found/);
  const zh = run(['analyze', '--lang', 'zh', quietFile]);
  assert.match(zh.stdout, /未发现内核崩溃报告/);
  assert.match(run(['analyze', quietFile], { env: { LANG: 'zh_CN.UTF-8' } }).stdout, /未发现/);
});

test('json follows the contract: input, kernel, reports with the contract fields, findings', () => {
  const r = run(['analyze', '--format', 'json', oopsFile]);
  assert.equal(r.status, 0);
  const j = JSON.parse(r.stdout);
  assert.equal(j.input, oopsFile);
  assert.deepEqual(Object.keys(j.kernel), ['release', 'arch', 'taint']);
  assert.deepEqual(j.kernel.taint.flags, ['O', 'E']);
  assert.ok(Array.isArray(j.findings));
  const rep = j.reports[0];
  for (const k of ['title', 'altTitles', 'type', 'corrupted', 'frame', 'cpu', 'pid', 'comm', 'startLine', 'endLine']) assert.ok(k in rep, k);
  assert.equal(rep.startLine, 1);
  assert.equal(rep.pid, 42);
  assert.equal(rep.comm, 'modprobe');
  assert.equal(rep.cpu, 1);
});

test('jsonl prints one line per input in the order given, in one process, unreadable ones included', () => {
  const r = run(['analyze', '--format', 'jsonl', quietFile, oopsFile, join(tmp, 'missing.log'), quietFile]);
  assert.equal(r.status, 2, 'a missing input makes the status 2');
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.input), [quietFile, oopsFile, join(tmp, 'missing.log'), quietFile]);
  assert.equal(lines[0].reports.length, 0);
  assert.equal(lines[1].reports.length, 1);
  assert.match(lines[2].error, /no such file/);
  assert.match(r.stderr, /missing\.log/);
});

test('markdown output has a heading per report and the trace in a code block', () => {
  const r = run(['analyze', '--format', 'md', oopsFile]);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^## 1\. BUG: unable to handle kernel NULL pointer dereference in mydrv_probe/m, 'an underscore inside a word is no emphasis: left as it is');
  assert.match(r.stdout, /```\n<task context>\n/);
});

test('standard input is read with - or with no file', () => {
  assert.match(run(['analyze', '-'], { input: OOPS }).stdout, /mydrv_probe/);
  assert.match(run(['analyze'], { input: OOPS }).stdout, /mydrv_probe/);
});

test('colour only when forced or on a terminal, and never with NO_COLOR', () => {
  assert.match(run(['analyze', oopsFile], { env: { FORCE_COLOR: '1' } }).stdout, /\x1b\[/);
  assert.doesNotMatch(run(['analyze', oopsFile], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout, /\x1b\[/);
});

test('a directory or a missing file is a clear error with status 2; the other inputs are still analysed', () => {
  const dir = join(tmp, 'adir');
  mkdirSync(dir, { recursive: true });
  const r = run(['analyze', dir, oopsFile]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /is a directory/);
  assert.match(r.stdout, /mydrv_probe/);
});

test('empty input and a 10 MB line without newline are analysed without a crash; binary garbage is refused with status 2', () => {
  const empty = join(tmp, 'empty.log');
  writeFileSync(empty, '');
  const e = run(['analyze', empty]);
  assert.equal(e.status, 0);
  assert.match(e.stdout, /empty/);
  const garbage = Buffer.alloc(256 * 1024);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 2654435761) >>> 24;
  const g = join(tmp, 'garbage.bin');
  writeFileSync(g, garbage);
  const gr = run(['analyze', g, oopsFile]);
  assert.equal(gr.status, 2);
  assert.match(gr.stderr, /garbage\.bin: this is binary data, not a text log/);
  assert.match(gr.stdout, /mydrv_probe/, 'the other inputs are still analysed');
  // A log with a little line noise is still read.
  const noisy = join(tmp, 'noisy.log');
  writeFileSync(noisy, Buffer.concat([Buffer.from(OOPS), Buffer.alloc(40, 7), Buffer.from('\n'), Buffer.from(OOPS)]));
  const nr = run(['analyze', noisy]);
  assert.equal(nr.status, 0, nr.stderr);
  assert.match(nr.stdout, /mydrv_probe/);
  const long = join(tmp, 'long.log');
  writeFileSync(long, 'BUG: ' + 'A'.repeat(10 * 1024 * 1024));
  const lr = run(['analyze', '--format', 'json', long]);
  assert.equal(lr.status, 0, lr.stderr);
  assert.match(JSON.parse(lr.stdout).notes.join(' '), /cut/);
});

test('a file that fails while being read is reported as unreadable with status 2', { skip: process.platform !== 'linux' }, () => {
  const r = run(['analyze', '/proc/self/mem', oopsFile]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot read \/proc\/self\/mem/);
  assert.match(r.stdout, /mydrv_probe/);
});

test('a file without read permission is a clear error', { skip: process.getuid?.() === 0 ? 'root can read any file' : false }, () => {
  const f = join(tmp, 'secret.log');
  writeFileSync(f, OOPS, { mode: 0o000 });
  const r = run(['analyze', f]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /permission denied/);
});

test('an ELF core with no program headers, and a vmlinux, are refused with what they are, status 2', () => {
  const core = join(tmp, 'vmcore');
  const h = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(1000)]);
  h.writeUInt16LE(4, 16);
  writeFileSync(core, h);
  const r = run(['analyze', core]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /program header table is not valid/);
  assert.equal(run(['dmesg', core]).status, 2);
  const exe = join(tmp, 'vmlinux');
  const e = Buffer.from(h);
  e.writeUInt16LE(2, 16);
  writeFileSync(exe, e);
  assert.match(run(['analyze', exe]).stderr, /not a core dump \(a vmlinux/);
  assert.match(run(['analyze', '-'], { input: h }).stderr, /give its path/);
});

test('the seed inputs are read: task, kernel and stacks as a kernel engineer would list them', { skip: SKIP_SHARED }, () => {
  const byName = new Map(seedCases().map((c) => [c.name.slice(0, 8), c]));
  const seed1 = byName.get('seed-001');
  assert.ok(seed1);
  const j = JSON.parse(run(['analyze', '--format', 'json', seed1.inputPath]).stdout);
  assert.equal(j.kernel.release, '3.10.0-514.21.1.el7.x86_64');
  assert.deepEqual(j.kernel.taint.flags, ['O', 'E', 'T']);
  const rep = j.reports[0];
  assert.match(rep.title, /^BUG: scheduling while atomic/);
  assert.equal(rep.comm, 'rmmod');
  assert.equal(rep.pid, 14829);
  assert.equal(rep.cpu, 0);
  const frames = rep.traces[0].segments.flatMap((s: { frames: Array<{ function: string }> }) => s.frames.map((f) => f.function));
  assert.ok(frames.includes('TestMode_ServerExit'));
  assert.equal(rep.modules.find((m: { name: string }) => m.name === 'testmod').state, '-');
});

test('the text report fits an 80-column terminal, in English and in Chinese', { skip: SKIP_SHARED }, () => {
  const width = (l: string): number => [...l].reduce((w, ch) => w + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0);
  for (const c of seedCases()) {
    for (const lang of ['en', 'zh']) {
      const r = run(['analyze', '--lang', lang, c.inputPath]);
      assert.equal(r.status, 0);
      const wide = r.stdout.split('\n').filter((l) => width(l) > 80 && !l.startsWith('== '));
      assert.deepEqual(wide, [], `${c.name} (${lang})`);
    }
  }
});

test('several inputs with --format html give one page with a section per input, unreadable ones included', () => {
  const r = run(['analyze', '--format', 'html', oopsFile, quietFile, join(tmp, 'missing.log')]);
  assert.equal(r.status, 2);
  assert.equal((r.stdout.match(/<!DOCTYPE html>/g) ?? []).length, 1, 'one page');
  assert.equal((r.stdout.match(/<section class="input" id="in\d"/g) ?? []).length, 3);
  assert.match(r.stdout, /<a href="#in1">[^<]*oops\.log<\/a>/);
  assert.match(r.stdout, /class="error">[^<]*no such file/);
  assert.match(r.stdout, /id="in1-finding-1"/, 'anchors are unique per input');
});

test('--out-dir writes one file per input, named after it', () => {
  const dir = join(tmp, 'pages');
  for (const format of ['html', 'json', 'md', 'text']) {
    const r = run(['analyze', '--format', format, '--out-dir', dir, oopsFile, quietFile]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '', 'nothing printed');
  }
  const names = readdirSync(dir).sort();
  assert.deepEqual(names, ['oops.log.html', 'oops.log.json', 'oops.log.md', 'oops.log.txt', 'quiet.log.html', 'quiet.log.json', 'quiet.log.md', 'quiet.log.txt']);
  assert.equal(JSON.parse(readFileSync(join(dir, 'oops.log.json'), 'utf8')).reports.length, 1);
  assert.doesNotMatch(readFileSync(join(dir, 'oops.log.txt'), 'utf8'), /\x1b\[/, 'no colour in files');
});

test('--color always colours even into a pipe, never and NO_COLOR do not', () => {
  assert.match(run(['analyze', '--color', 'always', oopsFile]).stdout, /\x1b\[1m/);
  assert.doesNotMatch(run(['analyze', '--color', 'never', oopsFile], { env: { FORCE_COLOR: '1' } }).stdout, /\x1b\[/);
  assert.doesNotMatch(run(['analyze', oopsFile], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout, /\x1b\[/);
  assert.equal(run(['analyze', '--color', 'sometimes', oopsFile]).status, 2);
});

test('--lang takes zh-Hant, zh-TW, zh-HK and refuses a language it does not speak', () => {
  assert.match(run(['analyze', '--lang', 'zh-TW', oopsFile]).stdout, /診斷結論/);
  assert.match(run(['analyze', '--lang', 'zh', oopsFile]).stdout, /诊断结论/);
  const bad = run(['analyze', '--lang', 'fr', oopsFile]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /zh-Hant/);
});

test('a log whose release is not printed says the era its format shows', () => {
  const old = join(tmp, 'old.log');
  writeFileSync(old, OOPS.replace(/ {3}4\.4\.0-1-amd64 #1/, '').replace('Oops: 0000 [#1] SMP', 'Oops: 0000 [#1] SMP\nlast sysfs file: /sys/devices/system/cpu/online'));
  const t = run(['analyze', old]);
  assert.match(t.stdout, /^Kernel: 2\.6\.x \(a "last sysfs file:" line\), inferred from the trace format/m);
  const j = JSON.parse(run(['analyze', '--format', 'json', old]).stdout);
  assert.equal(j.kernel.release, null);
  assert.match(j.era.label.en, /^2\.6\.x/);
});

test('json prints the stacks and the machine an element a line, one input or several, and stays valid JSON', () => {
  const bt = join(REPO, 'test', 'fixtures', 'dumps', 'spinabba', 'foreach-bt.txt');
  for (const args of [[bt], [bt, oopsFile]]) {
    const r = run(['analyze', '--format', 'json', ...args]);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    const one = Array.isArray(doc) ? doc[0] : doc;
    assert.ok(one.machine.tasks.length > 10, 'every task of the listing is in the model');
    // Each task is one line of its own: the machine's `tasks` array has a line per task.
    const lines = r.stdout.split('\n');
    const from = lines.findIndex((l) => /^\s+"tasks": \[$/.test(l));
    const to = lines.findIndex((l, i) => i > from && /^\s+\],?$/.test(l));
    const taskLines = lines.slice(from + 1, to);
    assert.equal(taskLines.length, one.machine.tasks.length);
    for (const l of taskLines.slice(0, 5)) JSON.parse(l.trim().replace(/,$/, ''));
    if (Array.isArray(doc)) assert.equal(doc[1].reports.length, 1, 'the second input follows whole');
  }
});
