// Streaming a large log must find the same reports, at the same line numbers, as reading it whole.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeChunks, DEFAULT_SCAN } from '../src/analyze/analyze';

const OOPS = (n: number): string[] => [
  `BUG: unable to handle kernel NULL pointer dereference at 00000000000000${(n % 90) + 10}`,
  `IP: [<ffffffffa0001234>] drv${n}_probe+0x24/0x80 [drv${n}]`,
  'Oops: 0000 [#1] SMP',
  `CPU: 1 PID: ${100 + n} Comm: modprobe Tainted: G           OE   4.4.0-1-amd64 #1`,
  'Call Trace:',
  ` [<ffffffffa0001300>] drv${n}_init+0x10/0x20 [drv${n}]`,
  ' [<ffffffff81002123>] do_one_initcall+0x53/0x1a0',
  '---[ end trace 0000000000000000 ]---',
];

function buildLog(): string {
  const lines: string[] = [];
  let t = 0;
  for (let block = 0; block < 6; block++) {
    for (let i = 0; i < 3000 + block * 517; i++) lines.push(`[${(t += 0.001).toFixed(6).padStart(12)}] usb 1-1: ordinary line ${i}`);
    for (const l of OOPS(block)) lines.push(`[${(t += 0.001).toFixed(6).padStart(12)}] ${l}`);
  }
  return lines.join('\n') + '\n';
}

async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

test('streamed regions find the same reports at the same lines as a whole read', async () => {
  const buf = Buffer.from(buildLog());
  const whole = await analyzeChunks('w', chunked(buf, buf.length));
  assert.equal(whole.reports.length, 6);
  for (const size of [4096, 65536, 1000003]) {
    const streamed = await analyzeChunks('s', chunked(buf, size), { ...DEFAULT_SCAN, wholeLimit: 1024 });
    assert.equal(streamed.lineCount, whole.lineCount, `line count with ${size}-byte chunks`);
    assert.deepEqual(
      streamed.reports.map((r) => [r.title, r.startLine, r.endLine, r.pid]),
      whole.reports.map((r) => [r.title, r.startLine, r.endLine, r.pid]),
      `reports with ${size}-byte chunks`,
    );
  }
});

test('a report cut by a chunk boundary keeps its context lines', async () => {
  const buf = Buffer.from(buildLog());
  const firstHeader = buf.indexOf('BUG: unable');
  const streamed = await analyzeChunks('s', (async function* () {
    yield buf.subarray(0, firstHeader + 20);
    yield buf.subarray(firstHeader + 20);
  })(), { ...DEFAULT_SCAN, wholeLimit: 1024 });
  assert.equal(streamed.reports[0].pid, 100);
  assert.equal(streamed.reports[0].traces[0].segments[0].frames[0].function, 'drv0_init');
});

test('a flood of reports longer than a region is cut between reports: none is lost or split, whatever the chunk size', async () => {
  const lines: string[] = [];
  let t = 0;
  for (let n = 0; n < 400; n++) for (const l of OOPS(n)) lines.push(`[${(t += 0.001).toFixed(6).padStart(12)}] ${l}`);
  const buf = Buffer.from(lines.join('\n') + '\n');
  const whole = await analyzeChunks('w', chunked(buf, buf.length + 1), DEFAULT_SCAN);
  assert.equal(whole.reports.length, 400);
  for (const size of [4096, 65536, 1 << 20]) {
    const cfg = { ...DEFAULT_SCAN, wholeLimit: 1024, maxRegionLines: 250 };
    const streamed = await analyzeChunks('s', chunked(buf, size), cfg);
    assert.deepEqual(
      streamed.reports.map((r) => [r.title, r.startLine, r.endLine]),
      whole.reports.map((r) => [r.title, r.startLine, r.endLine]),
      `chunks of ${size} bytes`,
    );
  }
});
