// Every form users hand over: other encodings and line ends, dmesg's own time formats, quoted and indented pastes, mail-wrapped lines.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linesFromBuffer, linesFromText } from '../src/ingest/lines';
import { normalizeStream, decodeBytes } from '../src/ingest/encoding';
import { splitPrefix } from '../src/ingest/prefix';
import { identifyInput } from '../src/ingest/identify';
import { scanInput } from '../src/ingest/scan';
import type { LogLine } from '../src/model/types';
import { realworldCase, SKIP_REALWORLD } from './support/realworld';

async function collect(chunks: Buffer[]): Promise<string> {
  async function* gen(): AsyncGenerator<Buffer> {
    for (const c of chunks) yield c;
  }
  const out: Buffer[] = [];
  for await (const c of normalizeStream(gen())) out.push(c);
  return Buffer.concat(out).toString('utf8');
}

/** Splits a buffer into pieces of `size` bytes, so that every boundary case (half a UTF-16 unit, CR|LF) happens. */
function pieces(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

const LOG = '[    1.000000] BUG: unable to handle kernel NULL pointer dereference at 0000000000000008\n[    1.000003] IP: [<ffffffff81058e5d>] f+0x4d/0xa8\n';

test('a log saved as UTF-16 (PowerShell, Notepad) reads as text, with or without a byte-order mark', async () => {
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(LOG, 'utf16le')]);
  const noBom = Buffer.from(LOG, 'utf16le');
  const be = Buffer.from(Buffer.from(LOG, 'utf16le')).swap16();
  for (const [name, buf] of [['LE with BOM', le], ['LE without BOM', noBom], ['BE', Buffer.concat([Buffer.from([0xfe, 0xff]), be])]] as const) {
    for (const size of [1, 3, 7, 4096]) assert.equal(await collect(pieces(buf, size)), LOG, `${name}, chunks of ${size}`);
    assert.equal(identifyInput(buf), null, `${name} is not called binary`);
  }
});

test('CR-only line ends (old Mac tools, serial captures) split into lines; CRLF is kept for the line cleaner', async () => {
  const cr = Buffer.from(LOG.replace(/\n/g, '\r'));
  for (const size of [1, 2, 5, 1000]) assert.equal(await collect(pieces(cr, size)), LOG, `chunks of ${size}`);
  const crlf = Buffer.from(LOG.replace(/\n/g, '\r\n'));
  for (const size of [1, 2, 1000]) assert.equal(await collect(pieces(crlf, size)), LOG.replace(/\n/g, '\r\n'));
  const lines: LogLine[] = [];
  async function* one(): AsyncGenerator<Buffer> {
    yield cr;
  }
  await scanInput(one(), { triggers: ['BUG'], wholeLimit: 1 << 20, before: 5, after: 5, maxRegionLines: 100, maxCarry: 1 << 20 }, (l) => {
    lines.push(...l);
  });
  assert.deepEqual(lines.map((l) => l.text), ['BUG: unable to handle kernel NULL pointer dereference at 0000000000000008', 'IP: [<ffffffff81058e5d>] f+0x4d/0xa8']);
});

test('Big5 (traditional Chinese) and GBK (simplified) notes are each read in their own encoding', () => {
  // "內核崩潰，空指標錯誤" in Big5 and "内核崩溃，空指针错误" in GBK, each followed by an ASCII kernel line.
  const big5 = Buffer.concat([Buffer.from('a4baaed6b159bceca141aac5abfcbcd0bff9bb7e', 'hex'), Buffer.from('\nBUG: x\n')]);
  assert.equal(decodeBytes(big5), '內核崩潰，空指標錯誤\nBUG: x\n');
  const gbk = Buffer.concat([Buffer.from('c4dabacbb1c0c0a3a3acbfd5d6b8d5ebb4edcef3', 'hex'), Buffer.from('\nBUG: x\n')]);
  assert.equal(decodeBytes(gbk), '内核崩溃，空指针错误\nBUG: x\n');
});

test("dmesg's own time formats are split off: -H/--reltime (also with a decimal comma), -d, --time-format iso", () => {
  // Output of util-linux 2.38 `dmesg -F file -H`, `-d` and `--time-format iso` on the same two records.
  const cases: Array<[string, string, number | undefined]> = [
    ['[Dec 2 13:04] BUG: unable to handle kernel NULL pointer dereference at 0000000000000008', 'BUG: unable to handle kernel NULL pointer dereference at 0000000000000008', undefined],
    ['[  +0.000003] IP: [<ffffffff81058e5d>] f+0x4d/0xa8', 'IP: [<ffffffff81058e5d>] f+0x4d/0xa8', undefined],
    ['[  +0,000003] IP: [<ffffffff81058e5d>] f+0x4d/0xa8', 'IP: [<ffffffff81058e5d>] f+0x4d/0xa8', undefined],
    ['[Dec12 13:04] Oops: 0000 [#1] SMP', '[Dec12 13:04] Oops: 0000 [#1] SMP', undefined],
    ['[    1.000003 <    0.000003>] IP: [<ffffffff81058e5d>] f+0x4d/0xa8', 'IP: [<ffffffff81058e5d>] f+0x4d/0xa8', 1.000003],
    ['2026-12-02T13:04:16,000003+00:00 IP: [<ffffffff81058e5d>] f+0x4d/0xa8', 'IP: [<ffffffff81058e5d>] f+0x4d/0xa8', undefined],
    ['[ 1124,758184] Freezing user space processes', 'Freezing user space processes', 1124.758184],
  ];
  for (const [raw, text, time] of cases) {
    const p = splitPrefix(raw);
    assert.equal(p.text, text, raw);
    assert.equal(p.time, time, raw);
  }
});

test('a printk caller id separated from the timestamp by a space is still the caller id, and frames keep their indentation', () => {
  const p = splitPrefix('[  512.330001] [ T2231]  ? do_syscall_64+0x35/0x80');
  assert.equal(p.caller, 'T2231');
  assert.equal(p.text, ' ? do_syscall_64+0x35/0x80');
  // Without a timestamp in front, a bracketed word is message text.
  assert.equal(splitPrefix(' [T12] x').caller, undefined);
});

test('capture tools that put their own date before the kernel line (tab or spaces) are read', () => {
  for (const raw of ['2016-06-01 14:11:13\t[35060910.024779] Call Trace:', '2016-12-03 19:08:42    [14874902.986422] Call Trace:']) {
    const p = splitPrefix(raw);
    assert.equal(p.text, 'Call Trace:', raw);
    assert.ok(p.time && p.time > 1e7, raw);
  }
  // syslog with journalctl's microseconds (`-o short-precise`).
  assert.equal(splitPrefix('Dec 02 13:04:16.123456 host kernel: Call Trace:').text, 'Call Trace:');
  // A syslog priority with a facility: level is its low three bits.
  assert.equal(splitPrefix('<14>[   85.912347] init: x').level, 6);
});

test('a tab-indented, space-indented or quoted paste is read as if it were not indented', () => {
  const tabbed = linesFromText('\tCrash signature:\n\t[  205.828135] refcount_t: underflow; use-after-free.\n\t[  206.076488]  <TASK>\n\t[  206.078608]  amdgpu_gem_va_ioctl+0x6ea/0x740 [amdgpu]\n');
  assert.deepEqual(tabbed.map((l) => [l.text, l.time]), [['Crash signature:', undefined], ['refcount_t: underflow; use-after-free.', 205.828135], [' <TASK>', 206.076488], [' amdgpu_gem_va_ioctl+0x6ea/0x740 [amdgpu]', 206.078608]]);
  const quoted = linesFromText('> BUG: unable to handle page fault for address: ffffffffc04fc4d8\n> Oops: 0000 [#1] PREEMPT SMP NOPTI\n>\n> Call Trace:\n>  timecounter_read+0xf/0x50\n');
  assert.deepEqual(quoted.map((l) => l.text), ['BUG: unable to handle page fault for address: ffffffffc04fc4d8', 'Oops: 0000 [#1] PREEMPT SMP NOPTI', '', 'Call Trace:', ' timecounter_read+0xf/0x50']);
  const spaced = linesFromText(' [ 4915.311399] Call Trace:\n [ 4915.311401]  [<0000038003a33a10>] 0x38003a33a10\n');
  assert.deepEqual(spaced.map((l) => l.text), ['Call Trace:', ' [<0000038003a33a10>] 0x38003a33a10']);
});

test('bullets a code page turned into ? are removed in the region that has them, and only there', () => {
  const text = [
    '[  1.000000] clean log: what? really',
    '[  2.000000]  ? stale_frame+0x1/0x2',
    '[  3.000000] ok',
    '[  4.000000] ok again',
    '',
    '? [  760.247152] watchdog: BUG: soft lockup - CPU#0 stuck for 23s! [kworker/0:1:2635]',
    '? [  760.247184] Call Trace:',
    '? [  760.247221]  ? poke_int3_handler+0xe0/0xe0',
    '? [  760.247222]  on_each_cpu+0x28/0x60',
  ].join('\n');
  const lines = linesFromText(text);
  assert.equal(lines[0].text, 'clean log: what? really');
  assert.equal(lines[1].text, ' ? stale_frame+0x1/0x2');
  assert.equal(lines[5].text, 'watchdog: BUG: soft lockup - CPU#0 stuck for 23s! [kworker/0:1:2635]');
  assert.equal(lines[7].text, ' ? poke_int3_handler+0xe0/0xe0');
  assert.equal(lines[8].text, ' on_each_cpu+0x28/0x60');
});

test('a line a mail client wrapped is rejoined: task line, DMI string, Code: bytes cut mid-byte, WARNING header, format=flowed', () => {
  const lines = linesFromText([
    '[ 4223.822622] CPU: 144 PID: 1422 Comm: irq/57-pciehp Kdump: loaded Tainted: G S',
    '         OE    5.10.0-1 #1',
    '[ 4223.822623] Hardware name: vendorname xxxx 666-106,',
    'BIOS 01.01.02.03.01 05/15/2023',
    '[ 4223.822624] Code: 48 be 00 00 00 00 00 08 00 00 49 85 74 24 20 0f 95 c1 48 8b',
    ' 57 10 83 c1 04 83 3c 1a 03 0f 84 a2 01 00 00 49 8b 04 24 8b 70 34 <40> f6 c6 1',
    '0 74 17 49 8b 04 24 8b 80 80 00 00 00 89 c2 d3 fa 41 39',
    '[ 4223.822624] RSP: 0018:ffffc4f074f0bbb8 EFLAGS: 00000093',
  ].join('\n'));
  assert.deepEqual(lines.map((l) => [l.no, l.joined ?? 0]), [[1, 1], [3, 1], [5, 2], [8, 0]]);
  assert.equal(lines[0].text, 'CPU: 144 PID: 1422 Comm: irq/57-pciehp Kdump: loaded Tainted: G S         OE    5.10.0-1 #1');
  assert.equal(lines[1].text, 'Hardware name: vendorname xxxx 666-106, BIOS 01.01.02.03.01 05/15/2023');
  assert.match(lines[2].text, / 48 8b 57 10 83 .* <40> f6 c6 10 74 17 49 .* 41 39$/);
  const warn = linesFromText('WARNING: CPU: 65 PID: 3959 at lib/list_debug.c:26\n__list_add_valid+0x53/0x80\nCPU: 65 PID: 3959 Comm: fbdev Tainted: G     U\n');
  assert.equal(warn[0].text, 'WARNING: CPU: 65 PID: 3959 at lib/list_debug.c:26 __list_add_valid+0x53/0x80');
  assert.equal(warn.length, 2);
  const flowed = linesFromText('[  243.354138] INFO: task irq/26-aerdrv:170 blocked for more than 120 \nseconds.\n[  243.354145]       Not tainted 5.4.2-10-feb+ #51\n');
  assert.equal(flowed[0].text, 'INFO: task irq/26-aerdrv:170 blocked for more than 120 seconds.');
  assert.equal(flowed.length, 2);
});

test('console lines of other programs between kernel lines are not glued onto them', () => {
  for (const text of [
    '[  772.918915] BUG: unable to handle kernel paging request at ffff88002bde1e40\nunrelated line\n[  772.919010] IP: [<ffffffff82d4e304>] __memset+0x24/0x30\n',
    '<6>[   85.501187] nouveau  [     DRM] suspending kernel object tree...\nexecuting program 1:\n<6>[   85.525111] nouveau  [     DRM] nouveau suspended\n',
    // kmemleak ends its lines with a space: not a soft break when the next line is indented.
    'unreferenced object 0xffff8800342540c0 (size 1864): \n  comm "a.out", pid 24109, jiffies 4299060398 (age 27.984s) \n  backtrace: \n',
    // A multi-line printk record: its continuation lines carry no timestamp of their own.
    '[  104.541887] DAR: c00000007f000000 DSISR: 40010000 SOFTE: 0\nGPR00: c00000000019cb48 c0000001655739c0 c0000000012f1858 0000000000000000\n',
  ]) {
    const lines = linesFromText(text);
    assert.ok(lines.every((l) => !l.joined), text);
  }
});

test('the real mail-wrapped logs come back whole: hung-task lines and the OOM table of 042/043, the powerpc oops of 026', { skip: SKIP_REALWORLD }, () => {
  const c42 = realworldCase('042-');
  const c26 = realworldCase('026-');
  if (!c42 || !c26) return;
  const l42 = linesFromBuffer(c42.bytes);
  assert.ok(l42.some((l) => l.text === 'INFO: task irq/26-aerdrv:170 blocked for more than 120 seconds.'));
  assert.ok(l42.some((l) => l.text === '"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.'));
  const l26 = linesFromBuffer(c26.bytes);
  assert.ok(l26.some((l) => l.text === 'CPU: 1 PID: 1241 Comm: kmemleak Not tainted 3.15.0-08556-gdfb9454 #49'));
  assert.ok(l26.some((l) => l.text === '[c0000001655739c0] [c00000000019cb48] .scan_block+0x68/0x170 (unreliable)'));
  assert.ok(l26.some((l) => l.text === 'Modules linked in: ipv6 bonding snd_aoa_codec_onyx snd_aoa snd soundcore uninorth_agp unix'));
  // The GPR rows of its register dump are genuine lines without timestamps: left alone.
  assert.ok(l26.some((l) => l.text.startsWith('GPR00: ') && !l.joined));
});
