// arm64 knowledge: releases, ESR, the A64 decoder for Code: words, the virtual address layout per era.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRelease } from '../src/knowledge/release';
import { decodeEsr } from '../src/decode/esr';
import { decodeA64 } from '../src/decode/a64';
import { decodeAddr } from '../src/decode/addr';
import { decodeCode } from '../src/decode/code';
import { analyzeText } from '../src/analyze/analyze';

test('arm64 releases are recognised by distro, board and vendor suffixes', () => {
  for (const r of ['6.1.0-13-arm64', '6.1.0-13-rt-arm64', '5.15.0-1034-raspi', '5.15.0-91-generic-64k', '6.5.6-300.fc39.aarch64', '5.14.0-362.8.1.el9_3.aarch64+64k', '5.15.93-rockchip64', '6.6.16-current-sunxi64', '6.1.21-v8+', '6.12.34-v8-+', '6.6.31+rpt-rpi-2712', '4.9.253-tegra', '5.10.66-android12-9-00021-g2c8b8a8b0a1b']) {
    assert.equal(parseRelease(r)?.arch, 'aarch64', r);
  }
  assert.equal(parseRelease('6.1.21-v7l+')?.arch, 'arm');
  assert.equal(parseRelease('6.1.0-13-amd64')?.arch, 'x86_64');
  // A git-describe suffix is no vendor suffix.
  assert.equal(parseRelease('6.12.0-rc6-06316-g7f63786ad3d1-dirty')?.arch, null);
  assert.equal(parseRelease('6.8.0-rc4+')?.arch, null);
});

test('decode esr reads the class, the fault status and WnR as the kernel prints them', () => {
  const w = decodeEsr('0x96000045');
  assert.equal(w.ecName, 'DABT (current EL)');
  assert.equal(w.access, 'write');
  assert.equal(w.fsc?.name, 'level 1 translation fault');
  assert.equal(w.dataAbort?.wnr, 1);
  assert.equal(w.il, 32);
  const r = decodeEsr('0x0000000096000004');
  assert.equal(r.access, 'read');
  assert.equal(r.fsc?.name, 'level 0 translation fault');
  const x = decodeEsr('86000006');
  assert.equal(x.access, 'exec');
  assert.equal(x.ecName, 'IABT (current EL)');
  const perm = decodeEsr('9600004f');
  assert.equal(perm.fsc?.name, 'level 3 permission fault');
  assert.equal(perm.access, 'write');
  // Cache maintenance sets WnR without writing.
  assert.equal(decodeEsr('96000144').access, 'read');
  const brk = decodeEsr('f2000800');
  assert.equal(brk.ecName, 'BRK (AArch64)');
  assert.equal(brk.access, null);
  assert.ok(brk.notes.some((n) => n.id === 'brk' && /BUG\(\)/.test(n.en)));
  assert.throws(() => decodeEsr('not hex'));
});

test('the A64 decoder names loads, stores and branches with their registers, and says unknown words are unknown', () => {
  const cases: Array<[string, string, string, string | null, string | null]> = [
    ['b9400000', 'load', 'ldr w0, [x0]', 'x0', 'w0'],
    ['f9400a60', 'load', 'ldr x0, [x19, #0x10]', 'x19', 'x0'],
    ['f9001fe0', 'store', 'str x0, [sp, #0x38]', 'sp', 'x0'],
    ['a9be7bfd', 'store-pair', 'stp x29, x30, [sp, #-0x20]!', 'sp', 'x29'],
    ['a8c27bfd', 'load-pair', 'ldp x29, x30, [sp], #0x20', 'sp', 'x29'],
    ['f8408c20', 'load', 'ldr x0, [x1, #0x8]!', 'x1', 'x0'],
    ['b8616800', 'load', 'ldr w0, [x0, x1]', 'x0', 'w0'],
    ['885f7c01', 'load-exclusive', 'ldxr w1, [x0]', 'x0', 'w1'],
    ['88027c20', 'store-exclusive', 'stxr w2, w0, [x1]', 'x1', 'w0'],
    ['08dffc00', 'load-acquire', 'ldarb w0, [x0]', 'x0', 'w0'],
    ['c89ffc01', 'store-release', 'stlr x1, [x0]', 'x0', 'x1'],
    ['b8200020', 'atomic', 'ldadd w0, w0, [x1]', 'x1', 'w0'],
    ['d63f0020', 'branch-link-register', 'blr x1', 'x1', null],
    ['d61f0020', 'branch-register', 'br x1', 'x1', null],
    ['d65f03c0', 'return', 'ret', 'x30', null],
    ['94001234', 'branch-link', 'bl .+18640', null, null],
    ['b4000040', 'compare-branch', 'cbz x0, .+8', null, 'x0'],
    ['35ffffa0', 'compare-branch', 'cbnz w0, .-12', null, 'w0'],
    ['d4210000', 'brk', 'brk #0x800', null, null],
  ];
  for (const [hex, cls, text, base, transfer] of cases) {
    const i = decodeA64(Number.parseInt(hex, 16));
    assert.deepEqual([i.cls, i.text, i.base, i.transfer], [cls, text, base, transfer], hex);
  }
  for (const hex of ['910003fd', '12345678', '00000000', 'ffffffff']) assert.equal(decodeA64(Number.parseInt(hex, 16)).cls, 'unknown', hex);
  assert.equal(decodeA64(0xb9400000).access, 'read');
  assert.equal(decodeA64(0xf9001fe0).access, 'write');
});

test('decode code reads arm64 words, the faulting one in parentheses, and ties its base to the registers', () => {
  const d = decodeCode('Code: d503233f a9be7bfd 910003fd f9400800 (b9400000)', { regs: { X0: '0000000000000008' }, faultAddress: '0000000000000008' });
  assert.equal(d.arch, 'aarch64');
  assert.equal(d.faulting?.att, 'ldr w0, [x0]');
  assert.deepEqual(d.before.map((i) => i.att), ['paciasp', 'stp x29, x30, [sp, #-0x20]!', '.inst 0x910003fd', 'ldr x0, [x0, #0x10]']);
  assert.match(d.summary.en, /loads 4 bytes into w0 from \[x0\]; X0 = 0000000000000008/);
  assert.ok(d.notes.some((n) => /which is the fault address/.test(n.en)));
});

test('arm64 addresses are placed in the arm64 layout of their era, never the x86 one', () => {
  const k61 = '6.1.0-13-arm64';
  assert.equal(decodeAddr('ffff000004d17200', { release: k61 }).region, 'direct-map');
  assert.equal(decodeAddr('ffff800000a12340', { release: k61 }).region, 'modules');
  assert.equal(decodeAddr('ffff800008123456', { release: k61 }).region, 'vmalloc');
  assert.equal(decodeAddr('fffffc0000123400', { release: k61 }).region, 'vmemmap');
  assert.equal(decodeAddr('0000aaaabbbbcccc', { release: k61 }).region, 'user');
  assert.equal(decodeAddr('0000000000000010', { release: k61 }).region, 'null-page');
  // 6.5 gave modules 2 GiB; before 5.4 the linear map was the upper half.
  assert.equal(decodeAddr('ffff800040000000', { release: '6.6.13-arm64' }).region, 'modules');
  assert.equal(decodeAddr('ffff800040000000', { release: k61 }).region, 'vmalloc');
  assert.equal(decodeAddr('ffff800012345678', { release: '4.19.0-6-arm64' }).region, 'direct-map');
  assert.equal(decodeAddr('ffff000000a12340', { release: '4.19.0-6-arm64' }).region, 'modules');
  // 52-bit VA: the linear map starts lower.
  assert.equal(decodeAddr('fff1000012345678', { release: '6.8.0-31-generic-64k' }).region, 'direct-map');
  // A tagged pointer is read without its tag; the arch may come from the log instead of the release.
  const tagged = decodeAddr('f3ff000012345678', { release: '6.8.0-rc4', arch: 'aarch64' });
  assert.equal(tagged.region, 'direct-map');
  assert.equal(tagged.tag, 0xf3);
  assert.ok(!/x86/.test(decodeAddr('00ff000012345678', { release: k61 }).regionText.en));
});

test('an arm64 oops gets its faulting instruction decoded and its fault address placed in the model', async () => {
  const a = await analyzeText('arm64', [
    'Unable to handle kernel NULL pointer dereference at virtual address 0000000000000010',
    'Mem abort info:',
    '  ESR = 0x0000000096000004',
    '  EC = 0x25: DABT (current EL), IL = 32 bits',
    'Internal error: Oops: 0000000096000004 [#1] PREEMPT SMP',
    'CPU: 1 UID: 0 PID: 87 Comm: irq/111-2-0051 Not tainted 6.12.0-rc6 #4',
    'pstate: 60400009 (nZCv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--)',
    'pc : tcpci_irq+0x38/0x318',
    'lr : _tcpci_irq+0x14/0x20',
    'sp : ffff80008324bd30',
    'x29: ffff80008324bd70 x28: ffff800080107894 x27: ffff800082198f70',
    'x20: ffff000004d17200 x19: 0000000000000000 x18: 0000000000000001',
    'Call trace:',
    ' tcpci_irq+0x38/0x318',
    ' irq_thread_fn+0x2c/0xa8',
    'Code: f9426420 f9001fe0 d2800000 52800201 (f9400a60)',
  ].join('\n'));
  const r = a.reports[0];
  assert.ok(r, 'a report');
  assert.equal(r.kernel.arch, 'aarch64');
  assert.equal(r.instruction?.att, 'ldr x0, [x19, #0x10]');
  assert.equal(r.instruction?.base, 'x19');
  assert.equal(r.fault.access, 'read');
  assert.equal(r.fault.region?.id, 'null-page');
  assert.match(r.fault.region?.layout ?? '', /^arm64-/);
});
