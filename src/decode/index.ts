// The decoders: pure functions from one value (preempt count, taint, EFLAGS, #PF error code, arm64 ESR, address, Code: bytes) to facts, in English and Chinese.

import type { TextLang } from '../knowledge/text';
import { addrLines, type AddrDecode } from './addr';
import { codeLines, type CodeDecode } from './code';
import { eflagsLines, type EflagsDecode } from './eflags';
import { esrLines, type EsrDecode } from './esr';
import { pfErrorLines, type PfErrorDecode } from './pf-error';
import { preemptLines, type PreemptDecode } from './preempt';
import { taintLines, type TaintDecode } from './taint';

export * from './common';
export * from './preempt';
export * from './taint';
export * from './eflags';
export * from './pf-error';
export * from './addr';
export * from './code';
export * from './esr';
export { parseRelease, type KernelRelease, type Distro } from '../knowledge/release';

export type AnyDecode = PreemptDecode | TaintDecode | EflagsDecode | PfErrorDecode | AddrDecode | CodeDecode | EsrDecode;

/** Human explanation of any decode result, headline first. */
export function lines(r: AnyDecode, lang: TextLang): string[] {
  switch (r.kind) {
    case 'preempt': return preemptLines(r, lang);
    case 'taint': return taintLines(r, lang);
    case 'eflags': return eflagsLines(r, lang);
    case 'pf-error': return pfErrorLines(r, lang);
    case 'addr': return addrLines(r, lang);
    case 'code': return codeLines(r, lang);
    case 'esr': return esrLines(r, lang);
  }
}
