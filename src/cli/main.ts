// The command line: parses arguments, runs the analysis, prints in the chosen format.

import { Command, CommanderError, Option } from 'commander';
import { InputError } from '../analyze/analyze';
import { ReportSpool, unreadableJson, writeAnalysisJson } from '../render/json';
import { triage, type Triaged } from './triage';
import { renderText } from '../render/text';
import { renderMarkdown } from '../render/markdown';
import { renderHtml } from '../render/html';
import { pickLang, type Lang } from '../render/i18n';
import { RULES, ruleById } from '../rules';
import { registerDecode } from './decode';
import { pickPaint } from '../render/color';

export const EXIT_OK = 0;
export const EXIT_USAGE = 2;

const FORMATS = ['text', 'json', 'jsonl', 'md', 'html'] as const;
type Format = (typeof FORMATS)[number];

interface AnalyzeOpts {
  format: Format;
  lang?: string;
}

function write(s: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(s)) resolve();
    else process.stdout.once('drain', () => resolve());
  });
}

async function runAnalyze(files: string[], opts: AnalyzeOpts): Promise<number> {
  const inputs = files.length === 0 ? ['-'] : files;
  if (inputs.length === 1 && inputs[0] === '-' && process.stdin.isTTY) {
    process.stderr.write('ktriage: reading the log from standard input (end with Ctrl-D); `ktriage analyze --help` for usage\n');
  }
  const lang = pickLang(opts.lang);
  const paint = pickPaint(process.stdout);
  let status = EXIT_OK;
  const json = opts.format === 'json' || opts.format === 'jsonl';
  // json: one document (an array for several inputs), its reports streamed; jsonl: one line per input.
  const depth = opts.format === 'jsonl' ? null : inputs.length > 1 ? 2 : 1;
  const progress = inputs.length > 20 && process.stderr.isTTY;
  if (opts.format === 'json' && inputs.length > 1) await write('[\n  ');
  for (let i = 0; i < inputs.length; i++) {
    const file = inputs[i];
    if (progress && i % 10 === 0) process.stderr.write(`\r${i}/${inputs.length} files`);
    const spool = json ? new ReportSpool(depth === null ? null : depth + 1) : null;
    const sep = opts.format === 'json' && i > 0 ? ',\n  ' : '';
    let a: Triaged;
    try {
      a = await triage(file, { lang, onReport: spool ? (r) => spool.add(r) : undefined });
    } catch (e) {
      spool?.dispose();
      status = EXIT_USAGE;
      const code = (e as NodeJS.ErrnoException).code;
      const msg = e instanceof InputError ? e.message : code ? `cannot read ${file}: ${(e as Error).message}` : `cannot analyse ${file}: ${(e as Error).message}`;
      process.stderr.write(`ktriage: ${msg}\n`);
      if (opts.format === 'jsonl') await write(JSON.stringify(unreadableJson(file, msg)) + '\n');
      else if (opts.format === 'json') await write(sep + JSON.stringify(unreadableJson(file, msg), null, 2).replace(/\n/g, depth === 2 ? '\n  ' : '\n'));
      continue;
    }
    switch (opts.format) {
      case 'jsonl':
      case 'json':
        await write(sep);
        await writeAnalysisJson(a, spool as ReportSpool, write, depth);
        if (opts.format === 'jsonl') await write('\n');
        break;
      case 'md':
        await write((i > 0 ? '\n' : '') + renderMarkdown(a, lang));
        break;
      case 'html':
        await write(renderHtml(a, lang));
        break;
      default:
        await write((i > 0 ? '\n' : '') + renderText(a, lang, paint));
    }
  }
  if (progress) process.stderr.write(`\r${inputs.length}/${inputs.length} files\n`);
  if (opts.format === 'json') await write(inputs.length > 1 ? '\n]\n' : '\n');
  return status;
}

function explainText(id: string | undefined, lang: Lang): { text: string; status: number } {
  if (!id) {
    const rows = RULES.map((r) => `${r.meta.id.padEnd(36)} ${r.meta.rootCauseClass.padEnd(31)} ${r.meta.summary[lang]}`);
    return { text: rows.join('\n') + '\n', status: EXIT_OK };
  }
  const rule = ruleById(id);
  if (!rule) return { text: `ktriage: no rule ${id}; \`ktriage explain\` lists them\n`, status: EXIT_USAGE };
  const m = rule.meta;
  const refs = m.references.length > 0 ? `\n${lang === 'zh' ? '参考' : 'References'}:\n${m.references.map((r) => `  - ${r}`).join('\n')}\n` : '';
  return { text: `${m.id} (${m.rootCauseClass})\n${m.summary[lang]}\n\n${m.docs[lang]}\n${refs}`, status: EXIT_OK };
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
    .addOption(new Option('--lang <lang>', 'language of the text output (default: from LANG)').choices(['en', 'zh']))
    .addHelpText(
      'after',
      `
Formats: text (colour on a terminal; NO_COLOR turns it off), json (one object,
or an array for several files), jsonl (one line per input file, for batches),
md (Markdown), html (one self-contained page per input; give one input and
redirect to a file).

Exit status: 0 analysed (whether or not a crash was found); 2 usage error or an
input could not be read (the others are still analysed and printed).

Examples:
  ktriage analyze vmcore-dmesg.txt
  dmesg | ktriage analyze -
  ktriage analyze --format jsonl logs/*.txt > reports.jsonl`,
    )
    .action(async (files: string[], opts: AnalyzeOpts) => {
      process.exitCode = await runAnalyze(files, opts);
    });
  program
    .command('explain')
    .description('Print what a diagnosis rule looks for, why it concludes what it does, and what to do; without an id, list the rules.')
    .argument('[rule-id]', 'a rule id as printed in findings, e.g. KT-bh-leak-return-to-user')
    .addOption(new Option('--lang <lang>', 'language (default: from LANG)').choices(['en', 'zh']))
    .action((id: string | undefined, opts: { lang?: string }) => {
      const r = explainText(id, pickLang(opts.lang));
      (r.status === EXIT_OK ? process.stdout : process.stderr).write(r.text);
      process.exitCode = r.status;
    });

  registerDecode(program);
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
