// `ktriage check PATH...`: the lock checks on kernel C source, printed as a compiler prints errors, as JSON or as SARIF.

import { Command, Option } from 'commander';
import { checkSources } from '../source/check';
import { CHECK_METAS } from '../source/checks';
import { checkJson, checkSarif, checkText } from '../render/check';
import { ruleLang, type OutLang } from '../render/i18n';

const EXIT_CLEAN = 0;
const EXIT_FINDINGS = 1;
const EXIT_UNREADABLE = 2;

interface CheckOpts {
  format: 'text' | 'json' | 'sarif';
  lang?: OutLang;
  kernel?: string;
}

export function registerCheck(program: Command, parseLang: (v: string) => OutLang, outLang: (flag: OutLang | undefined) => OutLang): void {
  program
    .command('check')
    .description('Check kernel C source (files or directories of *.c and *.h) for the bugs behind kernel crashes: a lock released with the wrong variant, a lock or disabled BH/IRQ/preemption held at return, interrupts turned back on under a caller that keeps them off, a sleep in atomic context, a callback left armed at unload, a stack frame or recursion too deep.')
    .argument('<path...>', 'C files or directories to check')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .addOption(new Option('--lang <lang>', 'language: en, zh (default: from LANG)').argParser(parseLang))
    .addOption(new Option('--kernel <release>', 'the kernel release the source is for (the stack check measures against its stack size)'))
    .addHelpText(
      'after',
      `
Needs no kernel configuration, build or database: each file is parsed on its
own (one branch of each #if, iterator macros read as loops), each function
walked path by path with the locks it holds, and the file's own helpers (a
function that returns holding a lock, one that releases its caller's) counted
where they are called. A function that does not parse is not reported on; the
summary line says how many.

Checks: ${CHECK_METAS.map((c) => c.id).join(', ')} (ktriage explain ID).

Exit status: 0 no findings, 1 findings, 2 a path could not be read.

Examples:
  ktriage check drivers/net/ethernet/mydrv/
  ktriage check --format sarif src/ > ktriage.sarif`,
    )
    .action(async (paths: string[], opts: CheckOpts) => {
      const lang = ruleLang(outLang(opts.lang));
      const t0 = Date.now();
      const tty = process.stderr.isTTY === true;
      const progress = tty
        ? (done: number, total: number, file: string): void => {
            if (Date.now() - t0 > 1000 && done % 50 === 0) process.stderr.write(`\rktriage check: ${done}/${total} files (${file.slice(-50)})\x1b[K`);
          }
        : undefined;
      const r = await checkSources(paths, { progress, kernel: opts.kernel ?? null });
      if (tty && Date.now() - t0 > 1000) process.stderr.write('\r\x1b[K');
      for (const u of r.unreadable) process.stderr.write(`ktriage: cannot read ${u.path}: ${u.error}\n`);
      const version = require('../../../package.json').version as string;
      const out =
        opts.format === 'json'
          ? `${JSON.stringify(checkJson(r, lang), null, 2)}\n`
          : opts.format === 'sarif'
            ? `${JSON.stringify(checkSarif(r, CHECK_METAS, version, lang), null, 2)}\n`
            : checkText(r, lang);
      process.stdout.write(out);
      process.exitCode = r.unreadable.length > 0 ? EXIT_UNREADABLE : r.findings.length > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
    });
}
