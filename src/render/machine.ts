// The machine model as text lines: a table of the CPUs, then each lock with who waits for it and who holds it.

import type { MachineContext, MachineModel } from '../machine/types';
import { pick, t, type OutLang } from './i18n';
import { wrapParagraph } from './findings';

const KIND: Record<MachineContext['kind'], { en: string; zh: string }> = {
  task: { en: 'task', zh: '进程' },
  irq: { en: 'irq', zh: '硬中断' },
  softirq: { en: 'softirq', zh: '软中断' },
  nmi: { en: 'NMI', zh: 'NMI' },
  exception: { en: 'exception', zh: '异常' },
  unknown: { en: '?', zh: '?' },
};

/** Whether the model says more than the reports do: several CPUs, a lock wait or a cross-CPU call. */
export function machineWorthShowing(m: MachineModel): boolean {
  return m.cpus.length >= 2 || m.locks.some((l) => l.holders.length > 0) || m.ipiWaits.length > 0;
}

function contextText(c: MachineContext, lang: OutLang): string {
  const k = pick(KIND[c.kind], lang);
  if (c.interruptsEnabled === null) return k;
  return `${k}(IF=${c.interruptsEnabled ? 1 : 0})`;
}

function who(c: MachineContext, lang: OutLang): string {
  return `CPU${c.cpu ?? '?'} ${pick(KIND[c.kind], lang)}`;
}

/** A paragraph wrapped to the terminal: the first line at `first`, the rest at `rest`. */
function wrapped(text: string, first: string, rest: string): string[] {
  return wrapParagraph(text, rest).map((l, i) => (i === 0 ? first + l.slice(rest.length) : l));
}

/** For a terminal: one block per CPU (its task and contexts, then what it does), then each lock, wrapped to 80 columns. */
export function machineBlocks(m: MachineModel, lang: OutLang): string[] {
  const out: string[] = [];
  for (const c of m.cpus) {
    const task = c.comm !== null ? `${c.comm}${c.pid !== null ? `/${c.pid}` : ''}` : '-';
    const ctxs = c.contexts.map((id) => contextText(m.contexts[id], lang)).join(' > ');
    out.push(...wrapped(`${t(lang, 'machineCpu')} ${c.cpu} ${task} ${ctxs}`, '  ', '      '));
    out.push(...wrapped(`${t(lang, 'machineDoing')}: ${pick(c.doing, lang)}`, '      ', '        '));
  }
  for (const line of lockLines(m, lang)) out.push(...wrapped(line, '  ', '      '));
  return out;
}

function lockLines(m: MachineModel, lang: OutLang): string[] {
  const out: string[] = [];
  for (const l of m.locks) {
    if (l.waiters.length === 0) continue;
    const name = [l.address, l.name ? `(${l.name})` : null].filter((x) => x !== null).join(' ');
    const waiters = l.waiters.map((w) => `${who(m.contexts[w.context], lang)}${w.taker ? ` ${w.taker}()` : ''}`).join(', ');
    const holders = l.holders.map((h) => `${who(m.contexts[h.context], lang)}${h.function ? ` ${h.function}()` : ''} [${h.evidence.join(', ')}]`).join(', ');
    out.push(`${t(lang, 'machineLock')} ${name}: ${t(lang, 'machineWaiters')} ${waiters}${holders ? `; ${t(lang, 'machineHolders')} ${holders}` : ''}`);
  }
  return out;
}

/** The table and lock lines, each line indented by `indent` (a fenced block: lines as long as they need). */
export function machineLines(m: MachineModel, lang: OutLang, indent = '  '): string[] {
  const rows = m.cpus.map((c) => [
    String(c.cpu),
    c.comm !== null ? `${c.comm}${c.pid !== null ? `/${c.pid}` : ''}` : '-',
    c.contexts.map((id) => contextText(m.contexts[id], lang)).join(' > '),
    pick(c.doing, lang),
  ]);
  const head = [t(lang, 'machineCpu'), t(lang, 'machineTask'), t(lang, 'machineContexts'), t(lang, 'machineDoing')];
  const width = [0, 1, 2].map((i) => Math.max(head[i].length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => indent + r.map((x, i) => (i < 3 ? x.padEnd(width[i]) : x)).join('  ').trimEnd();
  return [line(head), ...rows.map(line), ...lockLines(m, lang).map((l) => indent + l)];
}
