// The HTML report is one self-contained page that a browser renders, findings and stacks included.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { analyzePath } from '../src/analyze/analyze';
import { runRules } from '../src/rules/engine';
import { renderHtml } from '../src/render/html';
import { seedCases, SKIP_SHARED } from './support/shared';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? null;

async function seedHtml(prefix: string, lang: 'en' | 'zh'): Promise<string> {
  const c = seedCases().find((s) => s.name.startsWith(prefix));
  if (!c) throw new Error(`no ${prefix}`);
  const a = await analyzePath(c.inputPath);
  a.findings = runRules(a, lang);
  return renderHtml(a, lang);
}

test('the HTML page loads nothing from the network and escapes the log', { skip: SKIP_SHARED }, async () => {
  const html = await seedHtml('seed-003', 'en');
  assert.doesNotMatch(html, /\b(?:src|href)=["']?(?:https?:)?\/\//i);
  assert.doesNotMatch(html, /<script/i);
  assert.match(html, /<section class="finding"/);
  assert.match(html, /class="seg softirq"/);
  assert.match(html, /class="frame cited"/, 'frames cited as evidence are highlighted');
});

test('headless Chromium renders the page with its findings and stacks', { skip: SKIP_SHARED || (CHROMIUM ? false : 'chromium is not installed (apt-get install chromium)') }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ktriage-html-'));
  for (const lang of ['en', 'zh'] as const) {
    const file = join(dir, `seed-002-${lang}.html`);
    writeFileSync(file, await seedHtml('seed-002', lang));
    const png = join(dir, `seed-002-${lang}.png`);
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile-' + lang)}`];
    const dom = spawnSync(CHROMIUM as string, [...flags, '--dump-dom', `file://${file}`], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(dom.status, 0, dom.stderr);
    assert.match(dom.stdout, /id="finding-1"/);
    assert.match(dom.stdout, /run_timer_softirq/);
    if (lang === 'zh') assert.match(dom.stdout, /原因分析/);
    const shot = spawnSync(CHROMIUM as string, [...flags, `--screenshot=${png}`, '--window-size=1100,1400', `file://${file}`], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(shot.status, 0, shot.stderr);
    const bytes = readFileSync(png);
    assert.ok(bytes.length > 10_000, 'a non-trivial screenshot');
    assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
  }
});

test('headless Chromium renders the machine of a crash bt -a session: the per-CPU table and the wait-for graph', { skip: SKIP_SHARED || (CHROMIUM ? false : 'chromium is not installed (apt-get install chromium)') }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ktriage-machine-'));
  const file = join(dir, 'seed-003.html');
  writeFileSync(file, await seedHtml('seed-003', 'en'));
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`];
  const dom = spawnSync(CHROMIUM as string, [...flags, '--dump-dom', `file://${file}`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(dom.status, 0, dom.stderr);
  const table = /<table class="machine">([\s\S]*?)<\/table>/.exec(dom.stdout)?.[1] ?? '';
  assert.equal((table.match(/<tr>/g) ?? []).length, 5, 'a header and one row per CPU');
  assert.match(table, /<td>1<\/td><td>fio\/2857<\/td><td>task\(IF=1\) › irq › softirq\(IF=0\) › NMI<\/td>/);
  const svg = /<svg class="machine-graph"[\s\S]*?<\/svg>/.exec(dom.stdout)?.[0] ?? '';
  assert.equal((svg.match(/<rect class="cpu"/g) ?? []).length, 4, 'a box per CPU');
  assert.equal((svg.match(/<ellipse class="lock"/g) ?? []).length, 1, 'one lock node');
  assert.equal((svg.match(/<line class="waits"/g) ?? []).length, 3, 'three CPUs wait on it');
  assert.equal((svg.match(/<line class="holds"/g) ?? []).length, 1, 'one holder');
  assert.match(svg, /held by bfq_bio_merge/);
  assert.equal((svg.match(/<path class="ipi"/g) ?? []).length, 3, 'CPU0 waits for CPUs 1-3 in an IPI');
});

test('headless Chromium renders a deadlock between two blocked tasks: the tasks as boxes, the mutex and the work they wait on, an edge each way', { skip: CHROMIUM ? false : 'chromium is not installed (apt-get install chromium)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ktriage-machine-'));
  const file = join(dir, 'hunglocks.html');
  const a = await analyzePath(join(__dirname, '..', '..', 'test', 'fixtures', 'qemu-debug', 'hunglocks.log'));
  a.findings = runRules(a, 'en');
  writeFileSync(file, renderHtml(a, 'en'));
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`];
  const dom = spawnSync(CHROMIUM as string, [...flags, '--dump-dom', `file://${file}`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(dom.status, 0, dom.stderr);
  const svg = /<svg class="machine-graph"[\s\S]*?<\/svg>/.exec(dom.stdout)?.[0] ?? '';
  assert.equal((svg.match(/<rect class="task"/g) ?? []).length, 2, 'a box per blocked task');
  assert.equal((svg.match(/<ellipse class="lock"/g) ?? []).length, 2, 'the mutex and the completion');
  assert.equal((svg.match(/<line class="waits"/g) ?? []).length, 2);
  assert.equal((svg.match(/<line class="holds"/g) ?? []).length, 2);
  assert.match(dom.stdout, /Deadlock ring/);
});
