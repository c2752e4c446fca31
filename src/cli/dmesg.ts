// `ktriage dmesg VMCORE`: the kernel log of a dump, read natively (no vmlinux, no crash), as crash's `log` prints it.

import { Command, Option } from 'commander';
import { DumpError, openVmcore, vmcoreLogLines, type LogStyle } from '../vmcore';
import { vmcoreNotes } from '../vmcore/input';

const EXIT_OK = 0;
const EXIT_UNREADABLE = 2;

interface DmesgOpts {
  caller?: boolean;
  notes?: boolean;
  style?: LogStyle;
}

/** The log of the dump on standard output; what the dump says beside it on standard error. */
export async function runDmesg(path: string, opts: DmesgOpts, out: (s: string) => Promise<void>, err: (s: string) => void): Promise<number> {
  let v;
  try {
    v = openVmcore(path, { symbols: opts.notes === true });
  } catch (e) {
    err(`ktriage: ${e instanceof DumpError ? e.message : `${path}: ${(e as Error).message}`}\n`);
    return EXIT_UNREADABLE;
  }
  if (!v.log) {
    err(`ktriage: ${path}: no kernel log could be read: ${v.logError}\n`);
    return EXIT_UNREADABLE;
  }
  const lines = vmcoreLogLines(v, { caller: opts.caller, style: opts.style });
  // Written in slices: a log of millions of records is not one string.
  for (let i = 0; i < lines.length; i += 4096) await out(lines.slice(i, i + 4096).join('\n') + '\n');
  if (opts.notes) for (const n of vmcoreNotes(v)) err(`note: ${n}\n`);
  else for (const p of v.log.problems) err(`ktriage: note: ${p}\n`);
  return EXIT_OK;
}

export function registerDmesg(program: Command): void {
  program
    .command('dmesg')
    .description("Print the kernel log held in a vmcore (ELF, kdump-compressed or flattened), read without a vmlinux, line for line as crash's `log` prints it.")
    .argument('<vmcore>', 'the dump file')
    .addOption(new Option('--caller', 'print each record\'s caller id after its time ([    T123] a task, [     C1] a CPU), as CONFIG_PRINTK_CALLER consoles do'))
    .addOption(new Option('--style <style>', 'crash: as crash\'s log prints it (a record\'s further lines indented under it); makedumpfile: as makedumpfile --dump-dmesg does (the same, unprintable bytes as \\xNN)').choices(['crash', 'makedumpfile']).default('crash'))
    .addOption(new Option('--notes', 'also print what the dump says beside the log (format, VMCOREINFO, every CPU\'s registers) on standard error'))
    .addHelpText(
      'after',
      `
The log is read from the printk ring buffer of 5.10 and later kernels, the
structured log_buf of 3.5-5.9, or the plain log_buf before that, with the
symbols, offsets and sizes the dump's VMCOREINFO note gives.

Exit status: 0 printed; 2 the file is no dump this reader opens, or holds no
readable log (the message says why).

Examples:
  ktriage dmesg /var/crash/127.0.0.1-2026-12-01-10:00:00/vmcore > dmesg.txt
  ktriage dmesg --caller vmcore | less
  ktriage analyze vmcore          (the same log, diagnosed)`,
    )
    .action(async (path: string, opts: DmesgOpts) => {
      const write = (s: string): Promise<void> =>
        new Promise((resolve, reject) => {
          if (process.stdout.write(s)) resolve();
          else process.stdout.once('drain', resolve).once('error', reject);
        });
      process.exitCode = await runDmesg(path, opts, write, (s) => process.stderr.write(s));
    });
}
