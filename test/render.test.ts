// What the renderers make of text from the log and from the rules: escaping, commands on their own lines, counts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mdBlock, mdCode, mdEscape } from '../src/render/markdown';
import { commandOf, cpuRanges, repeatText, stepParts } from '../src/render/findings';
import { groupFindings, type GroupedFinding } from '../src/rules/group';
import type { RenderedFinding } from '../src/rules/engine';
import type { CrashReport } from '../src/model/types';

test('Markdown shows HTML from the log as text and keeps words with underscores as they are', () => {
  assert.equal(mdEscape('<IRQ> foo & <script>alert(1)</script>'), '&lt;IRQ&gt; foo &amp; &lt;script&gt;alert(1)&lt;/script&gt;');
  assert.equal(mdEscape('spin_lock_bh and _emphasis_ and a*b'), 'spin_lock_bh and \\_emphasis\\_ and a\\*b');
  assert.equal(mdEscape('# not a heading'), '\\# not a heading');
  assert.equal(mdEscape('1. not a list'), '1\\. not a list');
  assert.equal(mdEscape('[link](http://x)'), '\\[link\\](http://x)');
  assert.equal(mdCode('a `b` c'), '``a `b` c``');
  assert.deepEqual(mdBlock(['```', 'x']), ['````', '```', 'x', '````'], 'a fence no line can close');
});

test('several commands in one next step are one line each, a comment stays beside its command', () => {
  assert.deepEqual(stepParts('crash> mod     (which modules)   crash> log | grep -B5 x     (what ran before)'), ['crash> mod  (which modules)', 'crash> log | grep -B5 x  (what ran before)']);
  assert.deepEqual(stepParts('crash> mod（查看模块）  crash> log（之前）'), ['crash> mod（查看模块）', 'crash> log（之前）']);
  assert.deepEqual(commandOf('crash> bt -a  (every CPU)'), { command: 'crash> bt -a', comment: '(every CPU)' });
  assert.equal(commandOf('Read the source of the module'), null);
});

function finding(rule: string, report: number | null, line: number): RenderedFinding {
  return { rule, rootCauseClass: 'other', confidence: 0.5, summary: `s ${rule}`, explanation: 'e', evidence: [{ line, text: `line ${line}`, note: 'n' }], culprit: { function: 'f', module: null }, nextSteps: [], references: [], secondaryClasses: [], facts: {}, report };
}

function report(title: string, start: number, cpu: number, pid: number): CrashReport {
  return { title, startLine: start, endLine: start + 9, cpu, pid, comm: 'kworker' } as CrashReport;
}

test('repeated diagnoses are one finding with their count, span, CPUs and tasks, and cite a later occurrence', () => {
  const reports = [report('WARNING in foo', 1, 0, 10), report('WARNING in foo', 11, 2, 11), report('WARNING in bar', 21, 1, 12), report('WARNING in foo', 31, 3, 10)];
  const g = groupFindings([finding('KT-a', 0, 1), finding('KT-a', 1, 11), finding('KT-a', 2, 21), finding('KT-a', 3, 31), finding('KT-b', null, 5)], reports, 'en');
  assert.equal(g.length, 3, 'foo, bar and the finding about no report');
  const foo = g.find((f) => f.report === 0) as GroupedFinding;
  assert.equal(foo.count, 3);
  assert.equal(foo.firstLine, 1);
  assert.equal(foo.lastLine, 40);
  assert.deepEqual(foo.cpus, [0, 2, 3]);
  assert.deepEqual(foo.tasks, [{ comm: 'kworker', pid: 10 }, { comm: 'kworker', pid: 11 }]);
  assert.deepEqual(foo.evidence.map((e) => e.line), [1, 31], 'the first occurrence, then the latest');
  assert.match(foo.evidence[1].note, /3 in all, lines 1-40/);
  assert.equal(repeatText(foo, 'en'), 'x 3, lines 1-40, CPUs 0,2-3, tasks kworker/10, kworker/11');
  assert.equal(repeatText(foo, 'zh'), '共 3 次，第 1-40 行，CPU 0,2-3，任务 kworker/10、kworker/11');
  assert.equal(repeatText(g.find((f) => f.report === 2) as GroupedFinding, 'en'), null, 'once is not a repeat');
  assert.equal(cpuRanges([0, 1, 2, 3, 5, 7, 8]), '0-3,5,7-8');
});

test('two findings of one rule on one report stay two diagnoses', () => {
  const reports = [report('BUG: x', 1, 0, 1)];
  const a = finding('KT-a', 0, 1);
  const b = { ...finding('KT-a', 0, 2), summary: 'another' };
  assert.equal(groupFindings([a, b], reports, 'en').length, 2);
});

test('an investigation\'s commands and the start of their answers are shown in text, Markdown and HTML, escaped', async () => {
  const { analyzeText } = await import('../src/analyze/analyze');
  const { renderText } = await import('../src/render/text');
  const { renderMarkdown } = await import('../src/render/markdown');
  const { renderHtml } = await import('../src/render/html');
  const { PLAIN } = await import('../src/render/color');
  const { runRules } = await import('../src/rules/engine');
  const log = ['[    5.1] BUG: unable to handle page fault for address: ffffffffc03fd3e0', '[    5.1] Oops: 0002 [#1] PREEMPT SMP NOPTI', '[    5.1] RIP: 0010:__run_timers+0xd3/0x2b0', '[    5.1] Call Trace:', '[    5.1]  <IRQ>', '[    5.1]  run_timer_softirq+0x26/0x50', ''].join('\n');
  const a = await analyzeText('x.vmcore', log);
  a.findings = runRules(a, 'en');
  a.investigation = [
    { round: 1, command: 'rd ffffffffc03fd3e0 8', line: 120, answer: ['rd: invalid kernel virtual address: ffffffffc03fd3e0  type: "64-bit KVADDR"'], more: 0 },
    { round: 2, command: 'dis -l foo', line: 130, answer: ['<b>```</b>', 'two'], more: 40 },
  ];
  const text = renderText(a, 'en', PLAIN);
  assert.match(text, /Investigation in the dump \(crash, the findings' next steps\):\n  crash> rd ffffffffc03fd3e0 8   \(round 1, line 120\)\n    rd: invalid kernel virtual address/);
  assert.match(text, /\.\.\. 40 more lines/);
  const md = renderMarkdown(a, 'en');
  assert.match(md, /## Investigation in the dump/);
  assert.doesNotMatch(md.split('## Investigation')[1].split('```text')[1].split('\n```')[0], /```/, 'nothing in an answer closes the fence');
  const html = renderHtml(a, 'en');
  assert.match(html, /<code>crash&gt; rd ffffffffc03fd3e0 8<\/code>/);
  assert.match(html, /&lt;b&gt;/);
  assert.match(renderText(a, 'zh', PLAIN), /在 dump 中的调查/);
});
