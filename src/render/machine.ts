// The machine model as text lines: a table of the CPUs, then each lock with who waits for it and who holds it.

import type { MachineContext, MachineModel } from '../machine/types';
import { pick, t, type OutLang } from './i18n';
import { wrapParagraph } from './findings';
import { esc } from './escape';

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
  return m.cpus.length >= 2 || m.locks.some((l) => l.holders.length > 0) || m.ipiWaits.length > 0 || m.waitsFor.length > 0 || m.tasks.filter((x) => x.state === 'UN').length >= 2;
}

function contextText(c: MachineContext, lang: OutLang): string {
  const k = pick(KIND[c.kind], lang);
  if (c.interruptsEnabled === null) return k;
  return `${k}(IF=${c.interruptsEnabled ? 1 : 0})`;
}

function who(c: MachineContext, lang: OutLang): string {
  const task = c.comm !== null ? `${c.comm}${c.pid !== null ? `/${c.pid}` : ''}` : null;
  if (c.cpu === null) return `${task ?? '?'} ${pick(KIND[c.kind], lang)}`;
  return `CPU${c.cpu} ${pick(KIND[c.kind], lang)}${task && c.pid !== 0 ? ` ${task}` : ''}`;
}

function lockName(l: MachineModel['locks'][number]): string {
  if (l.kind === 'completion') return l.waiters[0]?.taker ? `${l.waiters[0].primitive}() in ${l.waiters[0].taker}()` : 'completion';
  return [l.kind, l.address, l.name ? `(${l.name})` : null].filter((x) => x !== null).join(' ');
}

/** What a CPU's contexts wait for and who holds it: `lock ... ` and the holders, or nulls. */
function cpuWait(m: MachineModel, cpu: MachineModel['cpus'][number], lang: OutLang): { waits: string; heldBy: string } {
  const ids = new Set(cpu.contexts);
  const lock = m.locks.find((l) => l.waiters.some((w) => ids.has(w.context)));
  if (!lock) return { waits: '-', heldBy: '-' };
  const holders = lock.holders.map((h) => `${who(m.contexts[h.context], lang)}${h.function ? ` ${h.function}()` : ''}`).join(', ');
  return { waits: lockName(lock), heldBy: holders || '?' };
}

/** One sentence per waits-for edge, the rings first; blocked tasks; what holds the RCU grace period up. */
function relationLines(m: MachineModel, lang: OutLang): string[] {
  const out: string[] = [];
  const edge = (e: MachineModel['waitsFor'][number]): string => {
    const l = m.locks[e.lock];
    return t(lang, l.kind === 'completion' ? 'machineEdgeSignal' : 'machineEdge').replace('{w}', who(m.contexts[e.waiter], lang)).replace('{h}', who(m.contexts[e.holder], lang)).replace('{l}', lockName(l));
  };
  for (const c of m.cycles) out.push(`${t(lang, 'machineCycle')}: ${c.edges.map(edge).join('; ')}`);
  const inCycle = new Set(m.cycles.flatMap((c) => c.edges));
  for (const e of m.waitsFor) if (!inCycle.has(e)) out.push(`${t(lang, 'machineWaitsFor')}: ${edge(e)}`);
  for (const task of m.tasks) {
    if (task.state !== 'UN' || task.contexts.length === 0) continue;
    const ids = new Set(task.contexts);
    const lock = m.locks.find((l) => l.waiters.some((w) => ids.has(w.context)));
    const w = lock?.waiters.find((x) => ids.has(x.context));
    const what = lock && w ? `${lock.kind === 'completion' ? `${w.primitive}()` : `${w.primitive}() ${lockName(lock)}`}${lock.holders.length === 0 ? ` (${t(lang, 'machineNoHolder')})` : ''}` : '';
    out.push(`${t(lang, 'machineBlocked')} ${task.comm ?? '?'}/${task.pid} [UN]${w?.taker ? ` ${w.taker}()` : ''}${what ? `: ${what}` : ''}`);
  }
  const busy = m.work.filter((w) => w.state === 'in-flight').slice(0, 16);
  if (busy.length > 0) out.push(`${t(lang, 'machineWork')}: ${busy.map((w) => `${w.workqueue ?? '?'} ${w.pid ?? '?'}:${w.function}${w.module ? ` [${w.module}]` : ''}`).join(', ')}`);
  for (const r of m.rcuBlockers) {
    const whom = r.cpu !== null ? `CPU${r.cpu}` : r.pid !== null ? `P${r.pid}` : '?';
    out.push(`${t(lang, 'machineRcu')} ${whom}: ${r.detail}${r.doing ? ` — ${pick(r.doing, lang)}` : ''}`);
  }
  return out;
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
    const w = cpuWait(m, c, lang);
    if (w.waits !== '-') out.push(...wrapped(`${t(lang, 'machineWaitsCol')}: ${w.waits}; ${t(lang, 'machineHolders')}: ${w.heldBy}`, '      ', '        '));
  }
  for (const line of [...lockLines(m, lang), ...relationLines(m, lang)]) out.push(...wrapped(line, '  ', '      '));
  return out;
}

function lockLines(m: MachineModel, lang: OutLang): string[] {
  const out: string[] = [];
  for (const l of m.locks) {
    if (l.waiters.length === 0) continue;
    const name = l.kind === 'completion' ? lockName(l) : [l.address, l.name ? `(${l.name})` : null].filter((x) => x !== null).join(' ') || l.kind;
    const waiters = l.waiters.map((w) => `${who(m.contexts[w.context], lang)}${w.taker ? ` ${w.taker}()` : ''}`).join(', ');
    const holders = l.holders.map((h) => `${who(m.contexts[h.context], lang)}${h.function ? ` ${h.function}()` : ''} [${h.evidence.join(', ')}]`).join(', ');
    out.push(`${t(lang, 'machineLock')} ${name}: ${t(lang, 'machineWaiters')} ${waiters}${holders ? `; ${t(lang, 'machineHolders')} ${holders}` : ''}`);
  }
  return out;
}

/** The table and lock lines, each line indented by `indent` (a fenced block: lines as long as they need). */
export function machineLines(m: MachineModel, lang: OutLang, indent = '  '): string[] {
  const rows = m.cpus.map((c) => {
    const w = cpuWait(m, c, lang);
    return [
      String(c.cpu),
      c.comm !== null ? `${c.comm}${c.pid !== null ? `/${c.pid}` : ''}` : '-',
      c.contexts.map((id) => contextText(m.contexts[id], lang)).join(' > '),
      pick(c.doing, lang),
      w.waits,
      w.heldBy,
    ];
  });
  const head = [t(lang, 'machineCpu'), t(lang, 'machineTask'), t(lang, 'machineContexts'), t(lang, 'machineDoing'), t(lang, 'machineWaitsCol'), t(lang, 'machineHolders')];
  const width = [0, 1, 2, 3, 4].map((i) => Math.max(head[i].length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => indent + r.map((x, i) => (i < 5 ? x.padEnd(width[i]) : x)).join('  ').trimEnd();
  return [line(head), ...rows.map(line), ...[...lockLines(m, lang), ...relationLines(m, lang)].map((l) => indent + l)];
}

/** Rows of boxes and of locks the graph draws at most. */
const MAX_SVG_ROWS = 40;

/**
 * The wait-for graph as an inline SVG: CPUs, and tasks off any CPU that wait or hold, as boxes on the left, locks as nodes on the right,
 * edges labelled waits / holds, and cross-CPU calls as dashed edges between CPUs. No script, no network.
 */
export function machineSvg(m: MachineModel, lang: OutLang): string {
  const locks = m.locks.filter((l) => l.waiters.length > 0).slice(0, MAX_SVG_ROWS);
  const rowH = 56;
  // Boxes: every CPU, then each task that waits for or holds a shown lock without being on a CPU now.
  const boxOfContext = new Map<number, number>();
  const boxes: Array<{ title: string; sub: string; cls: string }> = [];
  const cpuBox = new Map<number, number>();
  for (const c of m.cpus.slice(0, MAX_SVG_ROWS)) {
    cpuBox.set(c.cpu, boxes.length);
    for (const id of c.contexts) boxOfContext.set(id, boxes.length);
    boxes.push({ title: `${t(lang, 'machineCpu')} ${c.cpu}`, sub: c.comm !== null ? `${c.comm}${c.pid !== null ? `/${c.pid}` : ''}` : '', cls: 'cpu' });
  }
  const involved = new Set(locks.flatMap((l) => [...l.waiters.map((w) => w.context), ...l.holders.map((h) => h.context)]));
  for (const task of m.tasks) {
    if (boxes.length >= MAX_SVG_ROWS * 2) break;
    if (!task.contexts.some((id) => involved.has(id)) || task.contexts.every((id) => boxOfContext.has(id))) continue;
    for (const id of task.contexts) boxOfContext.set(id, boxes.length);
    boxes.push({ title: `${task.comm ?? '?'}/${task.pid}`, sub: [task.state, task.cpu !== null ? `CPU ${task.cpu}` : null].filter((x) => x !== null).join(' '), cls: 'task' });
  }
  const boxY = (i: number): number => 20 + i * rowH;
  const lockY = new Map(locks.map((l, i) => [l, 20 + i * rowH]));
  const height = 40 + Math.max(boxes.length, locks.length, 1) * rowH;
  const parts: string[] = [];
  // Labels sit near the box end of an edge, where the edges of one lock part.
  const edge = (x1: number, y1: number, x2: number, y2: number, label: string, cls: string, at: number): void => {
    parts.push(`<line class="${cls}" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" marker-end="url(#arrow)"/>`);
    parts.push(`<text class="edge" x="${Math.round(x1 + (x2 - x1) * at)}" y="${Math.round(y1 + (y2 - y1) * at) - 4}">${esc(label)}</text>`);
  };
  boxes.forEach((b, i) => {
    const y = boxY(i);
    parts.push(`<rect class="${b.cls}" x="10" y="${y}" width="230" height="40" rx="4"/><text x="20" y="${y + 17}">${esc(b.title.slice(0, 34))}</text><text class="small" x="20" y="${y + 33}">${esc(b.sub.slice(0, 34))}</text>`);
  });
  for (const l of locks) {
    const y = lockY.get(l) as number;
    const label = l.address ?? l.name ?? l.kind;
    parts.push(`<ellipse class="lock" cx="560" cy="${y + 20}" rx="130" ry="20"/><text x="445" y="${y + 17}">${esc(label.slice(0, 30))}</text><text class="small" x="445" y="${y + 33}">${esc((l.name ?? l.kind).slice(0, 34))}</text>`);
    for (const w of l.waiters) {
      const b = boxOfContext.get(w.context);
      if (b !== undefined) edge(240, boxY(b) + 14, 430, y + 14, lang === 'en' ? 'waits' : '等待', 'waits', 0.1);
    }
    for (const h of l.holders) {
      const b = boxOfContext.get(h.context);
      if (b !== undefined) edge(430, y + 28, 240, boxY(b) + 28, lang === 'en' ? `held by ${h.function ?? ''}` : `持有 ${h.function ?? ''}`, 'holds', 0.75);
    }
  }
  for (const p of m.ipiWaits) {
    const from = cpuBox.get(p.cpu);
    for (const to of p.blockedBy) {
      const tb = cpuBox.get(to);
      if (from === undefined || tb === undefined) continue;
      parts.push(`<path class="ipi" d="M10 ${boxY(from) + 20} C -40 ${boxY(from) + 20}, -40 ${boxY(tb) + 20}, 10 ${boxY(tb) + 20}" marker-end="url(#arrow)"/>`);
    }
  }
  const defs = '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z"/></marker></defs>';
  const style = '<style>.cpu{fill:#eef4ff;stroke:#446}.task{fill:#f4f4f4;stroke:#666}.lock{fill:#fff4e0;stroke:#a60}.waits{stroke:#a00}.holds{stroke:#070}.ipi{stroke:#555;fill:none;stroke-dasharray:4 3}text{font:12px sans-serif}.small{font-size:10px;fill:#444}.edge{font-size:10px;fill:#333}</style>';
  return `<svg class="machine-graph" xmlns="http://www.w3.org/2000/svg" viewBox="-50 0 750 ${height}" width="750" height="${height}" role="img" aria-label="${esc(t(lang, 'machine'))}">${defs}${style}${parts.join('')}</svg>`;
}

/** The machine section of an HTML page: the per-CPU table, the locks and the graph. */
export function machineHtml(m: MachineModel, lang: OutLang): string {
  const head = [t(lang, 'machineCpu'), t(lang, 'machineTask'), t(lang, 'machineContexts'), t(lang, 'machineDoing'), t(lang, 'machineWaitsCol'), t(lang, 'machineHolders')];
  const rows = m.cpus.map((c) => {
    const task = c.comm !== null ? `${c.comm}${c.pid !== null ? `/${c.pid}` : ''}` : '-';
    const ctxs = c.contexts.map((id) => contextText(m.contexts[id], lang)).join(' › ');
    const w = cpuWait(m, c, lang);
    return `<tr><td>${c.cpu}</td><td>${esc(task)}</td><td>${esc(ctxs)}</td><td>${esc(pick(c.doing, lang))}</td><td>${esc(w.waits)}</td><td>${esc(w.heldBy)}</td></tr>`;
  });
  const lockList = [...lockLines(m, lang), ...relationLines(m, lang)].map((l) => `<li>${esc(l)}</li>`).join('');
  return `<h2>${esc(t(lang, 'machine'))}</h2><table class="machine"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>${lockList ? `<ul class="locks">${lockList}</ul>` : ''}${machineSvg(m, lang)}`;
}
