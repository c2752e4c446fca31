// The command line: parses arguments, runs the analysis, prints in the chosen format.

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError } from '../analyze/analyze';
import { ReportSpool, reportJson, unreadableJson, writeAnalysisJson } from '../render/json';
import { triage, type Triaged } from './triage';
import type { Occurrence } from '../rules/group';
import { renderText } from '../render/text';
import { renderMarkdown } from '../render/markdown';
import { renderHtml, renderHtmlPage, type UnreadableInput } from '../render/html';
import { langOf, LANG_CHOICES, ruleLang, script, t, type OutLang } from '../render/i18n';
import { RULES, ruleById } from '../rules';
import { registerDecode } from './decode';
import { registerDmesg } from './dmesg';
import { registerCheck } from './check';
import { CHECK_METAS, checkById } from '../source/checks';
import { checkSources, type CheckResult } from '../source/check';
import { linkFinding } from '../source/crash-link';
import type { VmcoreOptions } from '../vmcore/input';
import { CRASH_COMMAND_SECONDS } from '../investigate/crash';
import { pickPaint, type ColorWhen, type Paint } from '../render/color';
import { count, findingsText, repeatText, wrapParagraph } from '../render/findings';
import { localizeFinding } from '../render/hant';
import type { Batch } from '../analyze/analyze';

export const EXIT_OK = 0;
export const EXIT_USAGE = 2;

const FORMATS = ['text', 'json', 'jsonl', 'md', 'html'] as const;
type Format = (typeof FORMATS)[number];

interface AnalyzeOpts {
  format: Format;
  lang?: OutLang;
  color: ColorWhen;
  outDir?: string;
  follow?: boolean;
  vmlinux?: string;
  crash?: boolean;
  crashTimeout?: number;
  crashCommandTimeout?: number;
  investigate?: boolean;
  source?: string;
}

/** A positive number of seconds, for the timeout options. */
function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a number of seconds');
  return n;
}

/** How the vmcores among the inputs are read, from the options. */
function vmcoreOptions(opts: AnalyzeOpts): VmcoreOptions {
  return {
    vmlinux: opts.vmlinux,
    crash: opts.crash,
    crashTimeout: opts.crashTimeout,
    commandTimeout: opts.crashCommandTimeout,
    investigate: opts.investigate,
    progress: process.stderr.isTTY ? (m) => process.stderr.write(`ktriage: ${m}\n`) : undefined,
  };
}

/** Quiet time after which follow mode prints what it has read. */
const FOLLOW_IDLE_MS = 2000;

function write(s: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(s)) resolve();
    else process.stdout.once('drain', () => resolve());
  });
}

function parseLang(value: string): OutLang {
  const l = langOf(value);
  if (!l) throw new InvalidArgumentError(`Allowed choices are ${LANG_CHOICES.join(', ')} (or a locale such as zh_TW.UTF-8).`);
  return l;
}

/** The output language: --lang, else the locale. */
function outLang(flag: OutLang | undefined, env: NodeJS.ProcessEnv = process.env): OutLang {
  return flag ?? langOf(env.LC_ALL || env.LC_MESSAGES || env.LANG || '') ?? 'en';
}

const EXTENSIONS: Record<Format, string> = { text: 'txt', json: 'json', jsonl: 'jsonl', md: 'md', html: 'html' };

/** One file name per input in --out-dir: the input's base name with the format's extension, made unique. */
function outName(file: string, format: Format, taken: Set<string>): string {
  const base = file === '-' ? 'stdin' : basename(file).replace(/[^\w.@+-]/g, '_') || 'input';
  let name = `${base}.${EXTENSIONS[format]}`;
  for (let k = 2; taken.has(name); k++) name = `${base}-${k}.${EXTENSIONS[format]}`;
  taken.add(name);
  return name;
}

function failureMessage(file: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return e instanceof InputError ? e.message : code ? `cannot read ${file}: ${(e as Error).message}` : `cannot analyse ${file}: ${(e as Error).message}`;
}

/** Findings in Traditional Chinese when asked for (the rules write Simplified). */
function localized(a: Triaged, lang: OutLang): Triaged {
  return lang === 'zh-Hant' ? { ...a, findings: a.findings.map((f) => localizeFinding(f)) } : a;
}

/** Each finding with its place in the source given with --source, when the source says something of it. */
function withSource(a: Triaged, checked: CheckResult | null, lang: OutLang): Triaged {
  if (!checked) return a;
  return {
    ...a,
    findings: a.findings.map((f) => {
      const source = linkFinding(f, checked, ruleLang(lang));
      return source ? { ...f, source } : f;
    }),
  };
}

async function runAnalyze(files: string[], opts: AnalyzeOpts): Promise<number> {
  const inputs = files.length === 0 ? ['-'] : files;
  if (opts.follow) return runFollow(inputs, opts);
  if (inputs.length === 1 && inputs[0] === '-' && process.stdin.isTTY) {
    process.stderr.write('ktriage: reading the log from standard input (end with Ctrl-D); `ktriage analyze --help` for usage\n');
  }
  // Interrupted, the program still removes the temporary files of a large JSON output (on exit).
  const interrupted = (): void => process.exit(130);
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    return await analyzeAll(inputs, opts);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
}

async function analyzeAll(inputs: string[], opts: AnalyzeOpts): Promise<number> {
  const lang = outLang(opts.lang);
  const paint = opts.outDir ? pickPaint(process.stdout, process.env, opts.color === 'always' ? 'always' : 'never') : pickPaint(process.stdout, process.env, opts.color);
  let status = EXIT_OK;
  const json = opts.format === 'json' || opts.format === 'jsonl';
  if (opts.outDir) mkdirSync(opts.outDir, { recursive: true });
  const taken = new Set<string>();
  // --source: the module's source checked once, tied to every input's findings.
  let checked: CheckResult | null = null;
  if (opts.source) {
    if (process.stderr.isTTY) process.stderr.write(`ktriage: checking the source in ${opts.source}\n`);
    checked = await checkSources([opts.source]);
    for (const u of checked.unreadable) process.stderr.write(`ktriage: cannot read ${u.path}: ${u.error}\n`);
    if (checked.unreadable.length > 0) status = EXIT_USAGE;
  }
  // json: one document (an array for several inputs), its reports streamed; jsonl: one line per input.
  const toStdout = !opts.outDir;
  const depth = opts.format === 'jsonl' ? null : inputs.length > 1 && toStdout ? 2 : 1;
  const progress = inputs.length > 20 && process.stderr.isTTY;
  const pages: Array<Triaged | UnreadableInput> = [];
  if (opts.format === 'json' && inputs.length > 1 && toStdout) await write('[\n  ');
  for (let i = 0; i < inputs.length; i++) {
    const file = inputs[i];
    if (progress && i % 10 === 0) process.stderr.write(`\r${i}/${inputs.length} files`);
    const spool = json ? new ReportSpool(depth === null ? null : depth + 1) : null;
    const sep = opts.format === 'json' && i > 0 && toStdout ? ',\n  ' : '';
    // With --out-dir each input goes to its own file, written as it is produced.
    // The file is made at the first write: an unreadable input gets one only in the forms that say so.
    let sink: WriteStream | null = null;
    const target = toStdout ? '' : join(opts.outDir as string, outName(file, opts.format, taken));
    const toFile = (s: string): Promise<void> => {
      const to = (sink ??= createWriteStream(target));
      return new Promise<void>((resolve) => (to.write(s) ? resolve() : to.once('drain', () => resolve())));
    };
    const out = toStdout ? write : toFile;
    const done = (): Promise<void> => new Promise((resolve) => (sink ? sink.end(() => resolve()) : resolve()));
    let a: Triaged;
    try {
      a = localized(withSource(await triage(file, { lang: ruleLang(lang), onReport: spool ? (r) => spool.add(r) : undefined, vmcore: vmcoreOptions(opts) }), checked, lang), lang);
    } catch (e) {
      spool?.dispose();
      status = EXIT_USAGE;
      const msg = failureMessage(file, e);
      process.stderr.write(`ktriage: ${msg}\n`);
      if (opts.format === 'jsonl') await out(JSON.stringify(unreadableJson(file, msg)) + '\n');
      else if (opts.format === 'json') await out(sep + JSON.stringify(unreadableJson(file, msg), null, 2).replace(/\n/g, depth === 2 ? '\n  ' : '\n') + (toStdout ? '' : '\n'));
      else if (opts.format === 'html') {
        if (toStdout) pages.push({ input: file, error: msg });
        else await out(renderHtmlPage([{ input: file, error: msg }], lang));
      }
      await done();
      continue;
    }
    switch (opts.format) {
      case 'jsonl':
      case 'json':
        await out(sep);
        await writeAnalysisJson(a, spool as ReportSpool, out, depth);
        if (opts.format === 'jsonl' || !toStdout) await out('\n');
        break;
      case 'md':
        await out((i > 0 && toStdout ? '\n' : '') + renderMarkdown(a, lang));
        break;
      case 'html':
        if (toStdout) pages.push(a);
        else await out(renderHtml(a, lang));
        break;
      default:
        await out((i > 0 && toStdout ? '\n' : '') + renderText(a, lang, paint));
    }
    await done();
  }
  if (progress) process.stderr.write(`\r${inputs.length}/${inputs.length} files\n`);
  if (opts.format === 'json' && toStdout) await write(inputs.length > 1 ? '\n]\n' : '\n');
  if (opts.format === 'html' && toStdout && pages.length > 0) await write(renderHtmlPage(pages, lang));
  return status;
}

/** Follow mode, text: each report as soon as it is complete, a new diagnosis in full, a repeated one in a line. */
function followText(b: Batch, found: readonly Occurrence[], lang: OutLang, p: Paint): string {
  const out: string[] = [];
  const about = new Map<number, Occurrence[]>();
  for (const x of found) {
    const k = x.finding.report ?? -1;
    if (!about.has(k)) about.set(k, []);
    about.get(k)?.push(x);
  }
  const findingLines = (xs: readonly Occurrence[]): void => {
    for (const x of xs) {
      if (x.isNew) {
        const lines = findingsText([x.finding], lang, p);
        lines[1] = lines[1].replace(/^1\. /, `${x.group + 1}. `);
        for (const l of lines.slice(1)) out.push(l);
      } else {
        const again = `${x.group + 1}. ${x.finding.summary} (${lang === 'en' ? `x ${count(x.count)}` : `${t(lang, 'repeated')} ${count(x.count)} ${t(lang, 'times')}`})`;
        wrapParagraph(again, '   ').forEach((l, k) => out.push(p.dim(k === 0 ? l.trimStart() : l)));
      }
    }
  };
  b.reports.forEach((r, i) => {
    out.push(p.bold(p.red(`[${count(b.offset + i + 1)}] ${r.title}`)) + p.dim(` (${t(lang, 'line')} ${r.startLine}-${r.endLine}${r.cpu !== null ? `, CPU ${r.cpu}` : ''}${r.comm ? `, ${r.comm}${r.pid !== null ? `/${r.pid}` : ''}` : ''})`));
    findingLines(about.get(i) ?? []);
    out.push('');
  });
  const loose = about.get(-1) ?? [];
  if (loose.length > 0) {
    findingLines(loose);
    out.push('');
  }
  return out.length > 0 ? out.join('\n') + '\n' : '';
}

async function runFollow(inputs: string[], opts: AnalyzeOpts): Promise<number> {
  if (opts.format !== 'text' && opts.format !== 'jsonl') {
    process.stderr.write('ktriage: --follow prints as it reads: use it with --format text or jsonl\n');
    return EXIT_USAGE;
  }
  if (inputs.length !== 1) {
    process.stderr.write('ktriage: --follow reads one input (a file being written, or - for standard input)\n');
    return EXIT_USAGE;
  }
  const file = inputs[0];
  const lang = outLang(opts.lang);
  const paint = pickPaint(process.stdout, process.env, opts.color);
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) process.exit(130);
    stopping = true;
    if (file === '-') process.stdin.destroy();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const a = localized(
      await triage(file, {
        lang: ruleLang(lang),
        keep: 0,
        follow: { idleMs: FOLLOW_IDLE_MS, stop: () => stopping },
        async onBatch(b, raw) {
          const found = raw.map((x) => ({ ...x, finding: lang === 'zh-Hant' ? localizeFinding(x.finding) : x.finding }));
          if (opts.format === 'jsonl') {
            const byReport = (i: number) => found.filter((x) => x.finding.report === i).map((x) => ({ ...x.finding, report: b.offset + i, count: x.count }));
            for (let i = 0; i < b.reports.length; i++) await write(JSON.stringify({ input: file, index: b.offset + i, report: reportJson(b.reports[i]), findings: byReport(i) }) + '\n');
            const loose = found.filter((x) => x.finding.report === null).map((x) => ({ ...x.finding, count: x.count }));
            if (loose.length > 0) await write(JSON.stringify({ input: file, index: null, report: null, findings: loose }) + '\n');
          } else {
            await write(followText(b, found, lang, paint));
          }
        },
      }),
      lang,
    );
    if (opts.format === 'jsonl') {
      await write(JSON.stringify({ input: a.input, end: true, kernel: a.kernel, lines: a.lineCount, reports: a.reportCount, findings: a.findings, notes: a.notes }) + '\n');
    } else {
      const head = `== ${a.input}: ${count(a.lineCount)} ${t(lang, 'lines')}, ${count(a.reportCount)} ${t(lang, 'reportsShort')} ==`;
      const lines = [paint.bold(head)];
      for (const n of a.notes) lines.push(paint.yellow(`${t(lang, 'notes')}: ${n}`));
      a.findings.forEach((f, i) => {
        const again = repeatText(f, lang);
        wrapParagraph(`${i + 1}. [${f.rootCauseClass}] ${f.summary}${again ? ` (${again})` : ''}`, '   ').forEach((l, k) => lines.push(k === 0 ? l.trimStart() : l));
      });
      await write(lines.join('\n') + '\n');
    }
    return EXIT_OK;
  } catch (e) {
    const msg = failureMessage(file, e);
    process.stderr.write(`ktriage: ${msg}\n`);
    if (opts.format === 'jsonl') await write(JSON.stringify(unreadableJson(file, msg)) + '\n');
    return EXIT_USAGE;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function explainText(id: string | undefined, lang: OutLang): { text: string; status: number } {
  const l = ruleLang(lang);
  if (!id) {
    const rows = [...RULES.map((r) => r.meta), ...CHECK_METAS].map((m) => `${m.id.padEnd(36)} ${m.rootCauseClass.padEnd(31)} ${script(m.summary[l], lang)}`);
    return { text: rows.join('\n') + '\n', status: EXIT_OK };
  }
  const rule = ruleById(id) ?? checkById(id);
  if (!rule) return { text: `ktriage: no rule ${id}; \`ktriage explain\` lists them\n`, status: EXIT_USAGE };
  const m = rule.meta;
  const refs = m.references.length > 0 ? `\n${script(l === 'zh' ? '参考' : 'References', lang)}:\n${m.references.map((r) => `  - ${r}`).join('\n')}\n` : '';
  return { text: `${m.id} (${m.rootCauseClass})\n${script(m.summary[l], lang)}\n\n${script(m.docs[l], lang)}\n${refs}`, status: EXIT_OK };
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('ktriage')
    .description('Triage Linux kernel crashes: find the crash reports in a log, title them as syzkaller does, and show what is in them.')
    .version(require('../../../package.json').version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('analyze')
    .description('Find and parse every crash report in kernel logs (dmesg, console, vmcore-dmesg.txt, syslog, journalctl -k, crash output, pasted traces).')
    .argument('[file...]', 'log files to read; - or nothing reads standard input')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...FORMATS]).default('text'))
    .addOption(new Option('--lang <lang>', 'language of the output: en, zh (Simplified), zh-Hant (Traditional; also zh-TW, zh-HK) (default: from LANG)').argParser(parseLang))
    .addOption(new Option('--color <when>', 'colour: auto (on a terminal, unless NO_COLOR is set), always, never').choices(['auto', 'always', 'never']).default('auto'))
    .addOption(new Option('--out-dir <dir>', 'write one file per input into DIR (named after the input, with the format\'s extension) instead of printing'))
    .addOption(new Option('--follow', 'follow a log as it is written (a file, or - for standard input): print each report as soon as it is complete; text or jsonl'))
    .addOption(new Option('--vmlinux <path>', 'for a vmcore: the debug vmlinux to run crash with (default: the one of the dump\'s release where distributions install it)'))
    .addOption(new Option('--source <dir>', 'the source of the module the crash is in (C files or a directory): run ktriage check on it and tie its findings to the crash\'s culprit'))
    .addOption(new Option('--no-crash', 'for a vmcore: read its log natively only, never run crash'))
    .addOption(new Option('--no-investigate', 'for a vmcore read by crash: do not run the findings\' next steps in the dump (crash\'s first pass only)'))
    .addOption(new Option('--crash-timeout <seconds>', 'for a vmcore: seconds crash may take in all').argParser(seconds).default(600))
    .addOption(new Option('--crash-command-timeout <seconds>', 'for a vmcore: seconds one crash command may take; one that takes longer is stopped and the next ones run').argParser(seconds).default(CRASH_COMMAND_SECONDS))
    .addHelpText(
      'after',
      `
Formats: text (colour on a terminal), json (one object, or an array for several
files), jsonl (one line per input file, for batches), md (Markdown), html (one
self-contained page; several inputs give one page with a section each, or one
file each with --out-dir).

A log full of reports: each distinct diagnosis is printed once with how often
it occurred ("x 20,000, lines 1-219,999"); text, md and html show the first 50
reports and count the others by title; json and jsonl list every report.

A vmcore (ELF, kdump-compressed, flattened) is read as it is: its kernel log
straight from the dump with no vmlinux; with the dump's debug vmlinux (found
under /usr/lib/debug, or --vmlinux) and the crash utility, crash's sys, bt -a,
foreach bt, ps, log, mod, kmem -i, runq and irq -s answers, so that every CPU
and task is in the machine model; then the commands the findings ask for next
(dis -l of the culprit, rd and kmem of a lock or a bad address, struct of a
lock...) are run in the dump, in at most two rounds, and their answers read
too (--no-investigate skips them).

Exit status: 0 analysed (whether or not a crash was found); 2 usage error or an
input could not be read (the others are still analysed and printed).

Examples:
  ktriage analyze vmcore-dmesg.txt
  ktriage analyze /var/crash/*/vmcore      (its kernel log, read with no vmlinux)
  dmesg | ktriage analyze -
  ktriage analyze --format jsonl logs/*.txt > reports.jsonl
  ktriage analyze --format html --out-dir pages/ logs/*.txt
  ktriage analyze --follow /var/log/kern.log`,
    )
    .action(async (files: string[], opts: AnalyzeOpts) => {
      process.exitCode = await runAnalyze(files, opts);
    });
  program
    .command('explain')
    .description('Print what a diagnosis rule looks for, why it concludes what it does, and what to do; without an id, list the rules.')
    .argument('[rule-id]', 'a rule id as printed in findings, e.g. KT-bh-leak-return-to-user')
    .addOption(new Option('--lang <lang>', 'language: en, zh, zh-Hant (default: from LANG)').argParser(parseLang))
    .action((id: string | undefined, opts: { lang?: OutLang }) => {
      const r = explainText(id, outLang(opts.lang));
      (r.status === EXIT_OK ? process.stdout : process.stderr).write(r.text);
      process.exitCode = r.status;
    });

  registerDecode(program);
  registerDmesg(program);
  registerCheck(program, parseLang, (flag) => outLang(flag));
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  if (argv.length <= 2) {
    program.outputHelp();
    process.exitCode = EXIT_USAGE;
    return;
  }
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
      return;
    }
    process.stderr.write(`ktriage: internal error: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 70;
  }
}
