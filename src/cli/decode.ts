// `ktriage decode KIND VALUE`: one value from a crash (preempt count, taint, EFLAGS, #PF error code, address, Code: bytes) explained.

import { Command, Option } from 'commander';
import {
  decodeAddr, decodeCode, decodeEflags, decodeEsr, decodePfError, decodePreempt, decodeTaint, DecodeInputError, lines, strictRelease,
  type AnyDecode,
} from '../decode';
import { PREEMPT_SOURCES, type PreemptSource } from '../knowledge/preempt-layouts';
import { pickLang } from '../render/i18n';

const KINDS = ['preempt', 'taint', 'eflags', 'pf-error', 'esr', 'addr', 'code'] as const;
type Kind = (typeof KINDS)[number];

interface DecodeOpts {
  kernel?: string;
  format: 'text' | 'json';
  lang?: string;
  source?: PreemptSource;
  regs?: string;
  faultAddress?: string;
  rip?: string;
}

const EXIT_OK = 0;
const EXIT_USAGE = 2;

/** "RAX: 0000... RBX: ..." as printed, or "rcx=ffff...,rsi=...". */
export function parseRegs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/\b(R[A-Z0-9]{1,2}|E[A-Z]{2}|[xX]\d{1,2}|sp|SP)\s*[:=]\s*(?:0x)?([0-9a-fA-F]{1,16})(?![:\w])/g)) out[m[1].toUpperCase()] = m[2];
  return out;
}

function run(kind: Kind, value: string, opts: DecodeOpts): AnyDecode {
  const release = opts.kernel ? strictRelease(opts.kernel) : null;
  switch (kind) {
    case 'preempt': return decodePreempt(value, { release, source: opts.source });
    case 'taint': return decodeTaint(value, { release });
    case 'eflags': return decodeEflags(value);
    case 'pf-error': return decodePfError(value);
    case 'esr': return decodeEsr(value);
    case 'addr': return decodeAddr(value, { release });
    case 'code': return decodeCode(value, { release, regs: opts.regs ? parseRegs(opts.regs) : undefined, faultAddress: opts.faultAddress, rip: opts.rip });
  }
}

export function registerDecode(program: Command): void {
  program
    .command('decode')
    .description('Explain one value from a crash for the kernel\'s era: preempt count, taint, EFLAGS, page-fault error code, arm64 ESR, address, Code: bytes.')
    .addArgument(program.createArgument('<kind>', 'what the value is').choices([...KINDS]))
    .argument('<value>', 'the value as printed (quote taint strings and Code: bytes)')
    .option('-k, --kernel <release>', 'kernel release, e.g. 3.10.0-514.26.2.el7.x86_64 (uname -r; from "CPU: ... Tainted: ... RELEASE")')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--lang <lang>', 'language of the text output (default: from LANG)').choices(['en', 'zh']))
    .addOption(new Option('--source <source>', 'preempt: where the count was printed (schedule-bug: "scheduling while atomic"; might-sleep: "sleeping function called from invalid context"; raw: read from memory)').choices([...PREEMPT_SOURCES]))
    .option('--regs <registers>', 'code: register dump as printed ("RAX: ... RBX: ...") or "rcx=ffff...,rsi=..."')
    .option('--fault-address <address>', 'code: the fault address (CR2, "unable to handle kernel paging request at ...")')
    .option('--rip <address>', 'code: RIP of the faulting instruction, to print real addresses')
    .addHelpText(
      'after',
      `
Kinds:
  preempt   preempt_count, e.g. from "BUG: scheduling while atomic: comm/pid/0x00000400"
  taint     "Tainted: G           OE" string, /proc/sys/kernel/tainted number, or module letters "lwconn(OE)"
  eflags    EFLAGS/RFLAGS of a frame: were interrupts enabled?
  pf-error  page-fault error code ("Oops: 0002", "#PF: error_code(0x0002)")
  esr       arm64 exception syndrome ("ESR = 0x96000045", "Internal error: Oops: 96000045"): class, fault status, WnR
  addr      an address: region for the era and arch (x86_64, or arm64 with an arm64 --kernel), NULL, poison, ERR_PTR, KASAN shadow
  code      the bytes of a "Code:" line, with the <xx> marker (x86), or arm64's words with the (xxxxxxxx) marker

Exit status: 0 decoded; 2 the value (or --kernel) could not be read.

Examples:
  ktriage decode preempt 0x00000400 --kernel 3.10.0-514.26.2.el7.x86_64
  ktriage decode preempt 0x00000201 --kernel 6.1.0-13-amd64
  ktriage decode preempt 0xffff8811 --kernel 2.6.32-431.el6.x86_64
  ktriage decode taint 'G           OE  ------------ T' --kernel 3.10.0-514.21.1.el7.x86_64
  ktriage decode taint 'testmod(OE-) overlay(T)' --kernel 3.10.0-514.el7.x86_64
  ktriage decode eflags 0x246
  ktriage decode pf-error 0x0002
  ktriage decode esr 0x96000045
  ktriage decode addr ffff800008123456 --kernel 6.1.0-13-arm64
  ktriage decode addr ffffffffa88b53b0 --kernel 3.10.0-514.26.2.el7.x86_64
  ktriage decode addr 0xdffffc0000000001
  ktriage decode code '48 89 e5 <48> 89 71 08 5d c3' --regs 'RCX: ffffffffa88b53b0' --fault-address ffffffffa88b53b8
  ktriage decode code 'd503233f a9be7bfd 910003fd f9400800 (b9400000)' --regs 'x0: 0000000000000008' --fault-address 8
  ktriage decode addr ffff92adc0fc6400 --kernel 4.18.0-305.el8.x86_64 --lang zh --format json`,
    )
    .action((kind: Kind, value: string, opts: DecodeOpts) => {
      let result: AnyDecode;
      try {
        result = run(kind, value, opts);
      } catch (e) {
        if (e instanceof DecodeInputError) {
          process.stderr.write(`ktriage decode: ${e.message}\n`);
          process.exitCode = EXIT_USAGE;
          return;
        }
        throw e;
      }
      if (opts.format === 'json') {
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      } else {
        process.stdout.write(lines(result, pickLang(opts.lang)).join('\n') + '\n');
      }
      process.exitCode = EXIT_OK;
    });
}
