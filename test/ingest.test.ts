// Reading what users paste: prefixes, paste damage, encodings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitPrefix } from '../src/ingest/prefix';
import { linesFromBuffer, linesFromText, decodeBytes, MAX_LINE_CHARS } from '../src/ingest/lines';
import { detectPasteStyle } from '../src/ingest/paste';
import { identifyInput } from '../src/ingest/identify';

test('console prefixes are split off: timestamp, caller id, level, syslog, journalctl', () => {
  const cases: Array<[string, string, Partial<ReturnType<typeof splitPrefix>>]> = [
    ['[  287.366523] BUG: scheduling while atomic', 'BUG: scheduling while atomic', { time: 287.366523 }],
    ['[   49.679506][ T8428] WARNING: CPU: 1', 'WARNING: CPU: 1', { caller: 'T8428', time: 49.679506 }],
    ['[ 1164.176368][T16664] xfs: Unknown', 'xfs: Unknown', { caller: 'T16664' }],
    ['[  760.247152][    C0] watchdog: BUG', 'watchdog: BUG', { caller: 'C0' }],
    ['<4>[  123.000001] Call Trace:', 'Call Trace:', { level: 4 }],
    ['<1>BUG: unable to handle', 'BUG: unable to handle', { level: 1 }],
    ['Nov 17 05:56:07 cpe kernel: [  123.4] BUG: x', 'BUG: x', { time: 123.4 }],
    ['Nov  7 05:56:07 cpe kernel: Call Trace:', 'Call Trace:', {}],
    ['2023-02-19T02:04:55+0800 localhost kernel: RIP: 0010:f+0x1/0x2', 'RIP: 0010:f+0x1/0x2', {}],
    ['[Sun Feb 19 02:04:55 2023] Oops: 0002 [#1] SMP', 'Oops: 0002 [#1] SMP', {}],
    ['kern  :warn  : [  1.000000] WARNING: x', 'WARNING: x', {}],
    [' [<ffffffff81687133>] dump_stack+0x19/0x1b', ' [<ffffffff81687133>] dump_stack+0x19/0x1b', {}],
    // Console noise in front of the prefix: a getty prompt, printk's lost-messages note.
    ['syzkaller login: [   59.806466][ T6792] BUG: using smp_processor_id()', 'BUG: using smp_processor_id()', { caller: 'T6792', time: 59.806466 }],
    ['my-host.example login: [   16.305150] INFO: trying to register', 'INFO: trying to register', { time: 16.30515 }],
    ['** 2395 printk messages dropped ** [   96.027166] BUG fasync_cache', 'BUG fasync_cache', { time: 96.027166 }],
    ['** 12 printk messages dropped ** [   96.0][    C1]  foo+0x1/0x2', ' foo+0x1/0x2', { caller: 'C1' }],
    // Not followed by a console prefix: left alone.
    ['syzkaller login: root', 'syzkaller login: root', {}],
    ['** 5 printk messages dropped **', '** 5 printk messages dropped **', {}],
  ];
  for (const [raw, text, extra] of cases) {
    const p = splitPrefix(raw);
    assert.equal(p.text, text, raw);
    for (const [k, v] of Object.entries(extra)) assert.equal((p as unknown as Record<string, unknown>)[k], v, `${raw}: ${k}`);
  }
});

test('frame lines keep their leading space after the timestamp, so `?` frames stay recognisable', () => {
  const [l] = linesFromText('[  760.247221]  ? poke_int3_handler+0xe0/0xe0\n');
  assert.equal(l.text, ' ? poke_int3_handler+0xe0/0xe0');
});

test('a page that turned spaces into ? and added bullets is restored, keeping real ? frame marks', () => {
  const pasted = [
    '  \u2022 [? 760.247152] watchdog: BUG: soft lockup - CPU#0 stuck for 23s! [kworker/0:1:2635]',
    '  \u2022 [? 760.247184] CPU: 0 PID: 2635 Comm: kworker/0:1 Kdump: loaded Tainted: G??????????? E??? ---------r-? - 4.18.0 #4',
    '  \u2022 [? 760.247221]? ? poke_int3_handler+0xe0/0xe0',
    '  \u2022 [? 760.247222]? on_each_cpu+0x28/0x60',
    '  \u2022 ??? RIP: ffffffffbc15677c? RSP: ffffa3b342ac3dd0? RFLAGS: 00000202',
    '  \u2022 ?#8 [ffffa3b342ac3d28] apic_timer_interrupt at ffffffffbca01d6f',
  ].join('\n');
  const lines = linesFromText(pasted);
  assert.equal(lines[0].text, 'watchdog: BUG: soft lockup - CPU#0 stuck for 23s! [kworker/0:1:2635]');
  assert.equal(lines[0].time, 760.247152);
  assert.match(lines[1].text, /Tainted: G +E +---------r- +- 4\.18\.0 #4$/);
  assert.equal(lines[2].text, ' ? poke_int3_handler+0xe0/0xe0');
  assert.equal(lines[3].text, ' on_each_cpu+0x28/0x60');
  assert.equal(lines[4].text, '    RIP: ffffffffbc15677c  RSP: ffffa3b342ac3dd0  RFLAGS: 00000202');
  assert.equal(lines[5].text, ' #8 [ffffa3b342ac3d28] apic_timer_interrupt at ffffffffbca01d6f');
});

test('an ordinary log keeps its question marks', () => {
  const lines = linesFromText('[    1.0] what? really\n[    2.0]  ? func+0x1/0x2\n');
  assert.equal(lines[0].text, 'what? really');
  assert.equal(lines[1].text, ' ? func+0x1/0x2');
});

test('line numbers from an editor or chat paste are removed, uptime stamps are not taken for them', () => {
  const numbered = ['1: BUG: unable to handle kernel NULL pointer dereference at 0000000000000008', '2: IP: [<ffffffff81058e5d>] f+0x4d/0xa8', '3: Oops: 0000 [#1] SMP', '4: Call Trace:'];
  assert.equal(linesFromText(numbered.join('\n'))[1].text, 'IP: [<ffffffff81058e5d>] f+0x4d/0xa8');
  assert.equal(detectPasteStyle(['12.5 x', '13.5 y', '14.5 z']).lineNumbers, false);
});

test('CRLF, NBSP and ideographic spaces become plain spaces', () => {
  const [l] = linesFromText('[  1.0] BUG:\u00a0scheduling\u3000while atomic\r\n');
  assert.equal(l.text, 'BUG: scheduling while atomic');
});

test('GBK bytes decode as Chinese and invalid UTF-8 never throws', () => {
  const gbk = Buffer.from([0xc4, 0xda, 0xba, 0xcb, 0x0a]); // 内核
  assert.equal(decodeBytes(gbk), '内核\n');
  const junk = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x0a, 0x42, 0x55, 0x47, 0x3a]);
  const lines = linesFromBuffer(junk);
  assert.equal(lines.length, 2);
  assert.equal(lines[1].text, 'BUG:');
});

test('an endless line is cut to a bounded length', () => {
  const lines = linesFromText('x'.repeat(MAX_LINE_CHARS * 3));
  assert.equal(lines.length, 1);
  assert.equal(lines[0].raw.length, MAX_LINE_CHARS);
});

test('vmcores and ELF files are recognised instead of being read as text', () => {
  assert.equal(identifyInput(Buffer.from('\x7fELF\x02\x01\x01', 'latin1'))?.fatal, true);
  assert.equal(identifyInput(Buffer.from('KDUMP   \x00\x00', 'latin1'))?.fatal, true);
  assert.equal(identifyInput(Buffer.alloc(4096, 0))?.fatal, true, 'zeros are no log');
  assert.equal(identifyInput(Buffer.from('[    0.000000] Linux version 6.1.0\n')), null);
});

test('noise in front of the console prefix is removed in linear time and raw keeps it', () => {
  const [l] = linesFromText('syzkaller login: [   59.806466][ T6792] BUG: x\n');
  assert.equal(l.raw, 'syzkaller login: [   59.806466][ T6792] BUG: x');
  assert.equal(l.text, 'BUG: x');
  for (const hostile of ['a'.repeat(100_000) + ' login: [ 1.0] x', '** ' + '9'.repeat(100_000) + ' printk messages dropped ** [ 1.0] x', 'a login: '.repeat(20_000)]) {
    const p = splitPrefix(hostile);
    assert.equal(p.text, hostile);
  }
});
