// Logs full of reports (made from real ones): every format prints in bounded memory, the work grows linearly, repeats are grouped.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { REPO } from './support/shared';
import { corpusBlocks, reportBlocks, writeFlood, ORDINARY } from '../bench/floods';
import { corpusAvailable, corpusRoot } from './support/corpus';
import { extractWork } from '../src/signature/extract';
import { analyzeBatches, type Batch } from '../src/analyze/analyze';
import { runRules } from '../src/rules/engine';
import type { LogLine } from '../src/model/types';

const BIN = join(REPO, 'bin', 'ktriage');
const FIXTURES = join(REPO, 'test', 'fixtures', 'qemu');
const tmp = mkdtempSync(join(tmpdir(), 'ktriage-flood-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

async function blocksOf(...names: string[]): Promise<string[][]> {
  const out: string[][] = [];
  for (const n of names) for (const b of await reportBlocks(n, readFileSync(join(FIXTURES, `${n}.log`), 'utf8'))) out.push(b);
  return out;
}

test('20,000 copies of one report: analysed and printed in every format under a 300 MB heap, grouped as one diagnosis', async () => {
  const flood = join(tmp, 'copies.log');
  const stats = writeFlood(flood, { blocks: await blocksOf('bhleak'), copies: 20_000, between: 0, vary: true });
  const child = spawnSync(process.execPath, ['--max-old-space-size=300', join(REPO, 'dist', 'test', 'support', 'flood-child.js'), flood, tmp], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(child.status, 0, child.stderr);
  const seen = JSON.parse(child.stdout) as {
    reports: number;
    kept: number;
    findings: Array<{ rule: string; count: number; firstLine: number; lastLine: number; cpus: number[] }>;
    text: string;
    md: string;
    html: string;
  };
  assert.equal(seen.reports, 20_000);
  assert.equal(seen.kept, 50, 'text, md and html keep the first 50 reports');
  assert.ok(seen.findings.length <= 3, `one diagnosis, not one per report (${seen.findings.length})`);
  const main = seen.findings.reduce((a, b) => (b.count > a.count ? b : a));
  assert.ok(main.count >= 19_990, `the repeats are counted (${main.count})`);
  assert.equal(seen.findings.reduce((n, f) => n + f.count, 0), 20_000, 'every report is counted once');
  assert.equal(main.lastLine, stats.lines);
  assert.deepEqual(main.cpus, [0, 1, 2, 3]);
  const span = `lines ${main.firstLine.toLocaleString('en-US')}-${stats.lines.toLocaleString('en-US')}`;
  assert.ok(seen.text.includes(`, ${span}, CPUs 0-3`) && /x 19,9\d\d, lines /.test(seen.text), `the text says "x 19,9NN, ${span}, CPUs 0-3"`);
  assert.match(seen.text, /Report 50 of 20,000: /);
  assert.match(seen.text, /19,950 more reports, counted by title/);
  assert.ok(!seen.text.includes('Backtraces outside any report'), "a report's own stack is never listed as outside it, however many reports a region holds");
  assert.match(seen.md, new RegExp(`\\*\\*x 19,9\\d\\d, ${span}`));
  assert.match(seen.html, new RegExp(`<div class="again">x 19,9\\d\\d, ${span}`));
  const json = JSON.parse(readFileSync(join(tmp, 'flood.json'), 'utf8')) as { reports: Array<{ startLine: number }>; reportCount: number; backtraces: unknown[] };
  assert.equal(json.reports.length, 20_000, 'json lists every report');
  assert.equal(json.backtraces.length, 0, 'no stack outside the reports');
  assert.equal(json.reportCount, 20_000);
  for (let i = 1; i < json.reports.length; i++) assert.ok(json.reports[i].startLine > json.reports[i - 1].startLine, 'in log order');
  const line = readFileSync(join(tmp, 'flood.jsonl'), 'utf8');
  assert.equal(line.indexOf('\n'), -1, 'jsonl is one line');
  assert.equal((JSON.parse(line) as { reports: unknown[] }).reports.length, 20_000);
});

/** Line reads the rules make on a flood of `copies` reports: each access to a kept line counts. */
async function ruleWork(copies: number): Promise<number> {
  const flood = join(tmp, `work-${copies}.log`);
  writeFlood(flood, { blocks: await blocksOf('bhleak', 'nullmember', 'softlockup', 'timerleak'), copies, between: 5, vary: true });
  let reads = 0;
  const counted = (region: LogLine[]): LogLine[] =>
    new Proxy(region, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
  const { createReadStream } = await import('node:fs');
  await analyzeBatches(flood, createReadStream(flood), {
    maxReports: 256,
    onBatch(b: Batch) {
      b.regions = b.regions.map(counted);
      runRules(b, 'en');
    },
  });
  return reads;
}

test('the rules read a flood of reports in time linear in its length (4x the reports, about 4x the line reads)', async () => {
  const small = await ruleWork(1_000);
  const large = await ruleWork(4_000);
  const ratio = large / small;
  assert.ok(ratio < 5, `line reads grew ${ratio.toFixed(2)}x for 4x the reports (quadratic would be 16x)`);
  assert.ok(ratio > 3, `the count measures the work (${ratio.toFixed(2)}x)`);
});

/** Lines the report readers look at on a flood of `copies` small corpus reports (panics, lockdep, caller ids among them). */
async function extractionWork(blocks: string[][], copies: number): Promise<number> {
  const flood = join(tmp, `extract-${copies}.log`);
  writeFlood(flood, { blocks, copies, between: 1, vary: true });
  const { createReadStream } = await import('node:fs');
  const before = extractWork.linesScanned;
  await analyzeBatches(flood, createReadStream(flood), { maxReports: 256, onBatch() {} });
  return extractWork.linesScanned - before;
}

test('the report readers read a flood of small reports in time linear in its length', { skip: corpusAvailable('report') ? false : `corpus not found at ${corpusRoot()}` }, async () => {
  const blocks = await corpusBlocks(corpusRoot(), 12);
  assert.ok(blocks.length >= 5, `small corpus reports found (${blocks.length})`);
  const small = await extractionWork(blocks, 1_000);
  const large = await extractionWork(blocks, 4_000);
  const ratio = large / small;
  assert.ok(ratio < 5, `lines scanned grew ${ratio.toFixed(2)}x for 4x the reports (quadratic would be 16x)`);
  assert.ok(small / 1_000 < 400, `a small report is read in a few hundred lines, not to the end of the log (${(small / 1_000).toFixed(0)} a report)`);
});

test('5,000 reports of five kinds mixed with ordinary lines: one finding per diagnosis, every report listed', async () => {
  const flood = join(tmp, 'mixed.log');
  // Kinds whose header opens a report wherever it is (a panic after another report belongs to it).
  const blocks = await blocksOf('bhleak', 'nullmember', 'timerleak', 'softlockup', 'recurse');
  writeFlood(flood, { blocks, copies: 5_000, between: 2, vary: true });
  const r = spawnSync(process.execPath, ['--max-old-space-size=300', BIN, 'analyze', '--format', 'json', flood], { encoding: 'utf8', maxBuffer: 1 << 30 });
  assert.equal(r.status, 0, r.stderr.slice(0, 2000));
  const j = JSON.parse(r.stdout) as { reports: unknown[]; findings: Array<{ rule: string; count: number }> };
  assert.ok(j.reports.length >= 5_000, `every report is listed (${j.reports.length})`);
  assert.ok(j.findings.length <= 25, `repeats are grouped (${j.findings.length} findings: ${j.findings.map((f) => `${f.rule} x${f.count}`).join(', ')})`);
  assert.ok(j.findings.filter((f) => f.count >= 900).length >= 4, 'each kind is one diagnosis made about a thousand times');
});

test('/dev/zero and a stream of zeros on standard input are refused after the first chunk, status 2', async () => {
  const file = spawnSync(BIN, ['analyze', '/dev/zero'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(file.status, 2);
  assert.match(file.stderr, /binary data, not a text log/);
  // A writer that never stops: the reader must give up by itself.
  const child = spawn(BIN, ['analyze', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const zeros = Buffer.alloc(64 * 1024);
  let open = true;
  child.stdin.on('error', () => (open = false));
  const pump = (): void => {
    while (open && child.stdin.write(zeros));
    if (open) child.stdin.once('drain', pump);
  };
  pump();
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  open = false;
  assert.equal(status, 2);
  assert.match(stderr, /binary data/);
});

test('--follow prints a report as soon as it is complete, while the input is still open', async () => {
  const child = spawn(BIN, ['analyze', '--follow', '--format', 'jsonl', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const seen = new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"index":0')) resolve();
    });
  });
  child.stdin.write(readFileSync(join(FIXTURES, 'nullmember.log')));
  await seen;
  const first = JSON.parse(out.split('\n')[0]) as { report: { title: string }; findings: Array<{ rule: string }> };
  assert.match(first.report.title, /NULL pointer dereference/);
  assert.ok(first.findings.length > 0, 'the report comes with its diagnosis');
  for (let i = 0; i < 2000; i++) child.stdin.write(`[ 99.000000] ${ORDINARY[i % ORDINARY.length]}\n`);
  child.stdin.end();
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  assert.equal(status, 0);
  const last = JSON.parse(out.trim().split('\n').pop() as string) as { end: boolean; reports: number };
  assert.equal(last.end, true);
  assert.equal(last.reports, 1);
});

test('an endless text stream keeps memory flat: 96 MB of ordinary lines under a 120 MB heap, followed or not', async () => {
  for (const follow of [[], ['--follow']]) {
    const child = spawn(process.execPath, ['--max-old-space-size=120', BIN, 'analyze', ...follow, '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const piece = Buffer.from(Array.from({ length: 1024 }, (_, i) => `[ 12.${String(i).padStart(6, '0')}] ${ORDINARY[i % ORDINARY.length]}\n`).join(''));
    const target = 96 * 1024 * 1024;
    let sent = 0;
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        while (sent < target) {
          sent += piece.length;
          if (!child.stdin.write(piece)) return void child.stdin.once('drain', pump);
        }
        child.stdin.end();
        resolve();
      };
      pump();
    });
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    assert.equal(status, 0, `${follow.join(' ')}: ${stderr.slice(0, 500)}`);
  }
});

test('--follow on a file being written prints each report as it is appended, and Ctrl-C ends with the summary, status 0', async () => {
  const { appendFileSync, writeFileSync } = await import('node:fs');
  const log = join(tmp, 'growing.log');
  writeFileSync(log, `[ 1.000000] ${ORDINARY[0]}\n`);
  const child = spawn(BIN, ['analyze', '--follow', log], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'C', NO_COLOR: '1' } });
  let out = '';
  const waitFor = (re: RegExp): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (re.test(out)) resolve();
        else setTimeout(check, 50);
      };
      check();
    });
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  appendFileSync(log, readFileSync(join(FIXTURES, 'nullmember.log')));
  await waitFor(/\[1\] BUG: unable to handle kernel NULL pointer dereference/);
  appendFileSync(log, readFileSync(join(FIXTURES, 'nullmember.log')));
  await waitFor(/\[2\] BUG: unable to handle kernel NULL pointer dereference/);
  assert.match(out, /\(x 2\)/, 'the second occurrence of the diagnosis is one line with its count');
  child.kill('SIGINT');
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  assert.equal(status, 0);
  assert.match(out, /2 reports ==/);
  assert.match(out, /x 2, lines/);
});
