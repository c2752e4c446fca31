// Out of memory: the OOM killer ran (and killed, or found nothing to kill, or panicked by configuration); what held the memory.

import type { LogLine } from '../../model/types';
import {
  DOMINANT_SHARE, HIGH_ORDER, MEMCG_USAGE, SHMEM_SHARE, OOM_INVOKED, OOM_ORDER, OOM_OUTCOMES, SLAB_CACHE_MEANINGS, SLAB_INFO_HEADER, SLAB_INFO_ROW, SLAB_LEAK_SHARE, TASK_TABLE_HEADER,
  type OomOutcome,
} from '../../knowledge/oom';
import { messenger } from '../messages';
import { paragraphs } from '../reports';
import type { FindingDraft, L10n, Rule, RuleContext } from '../types';

const messages = {
  summaryNoKillable: { en: 'Out of memory with nothing left to kill', zh: '内存耗尽且已无进程可杀' },
  summaryPanicOnOom: { en: 'Out of memory, and panic_on_oom is set: the OOM killer was not allowed to recover', zh: '内存耗尽，且设置了 panic_on_oom：不允许 OOM killer 去恢复' },
  summaryKilled: { en: 'Out of memory: the OOM killer killed {{victim}} (pid {{pid}})', zh: '内存耗尽：OOM killer 杀掉了 {{victim}}（pid {{pid}}）' },
  summaryKilledMany: { en: 'Out of memory {{count}} times: the OOM killer killed {{count}} processes, the last {{victim}} (pid {{pid}})', zh: '内存耗尽 {{count}} 次：OOM killer 杀掉了 {{count}} 个进程，最后一个是 {{victim}}（pid {{pid}}）' },
  summaryMemcg: { en: 'A memory cgroup reached its limit: the OOM killer killed {{victim}} (pid {{pid}}) inside it', zh: '某个内存 cgroup 达到了上限：OOM killer 杀掉了其中的 {{victim}}（pid {{pid}}）' },
  summaryInvoked: { en: 'Out of memory: {{invoker}} invoked the OOM killer', zh: '内存耗尽：{{invoker}} 触发了 OOM killer' },
  consumerSlab: { en: '{{summary}}: {{slab}} MiB of unreclaimable slab points at a kernel memory leak', zh: '{{summary}}：{{slab}} MiB 的不可回收 slab 指向内核内存泄漏' },
  consumerCache: { en: '{{summary}}: {{slab}} MiB of unreclaimable slab, {{cacheMib}} MiB of it in {{cache}}, points at a kernel memory leak', zh: '{{summary}}：{{slab}} MiB 的不可回收 slab（其中 {{cacheMib}} MiB 在 {{cache}}）指向内核内存泄漏' },
  consumerVictim: { en: '{{summary}}; it held {{mib}} MiB, most of the memory', zh: '{{summary}}；它占用了 {{mib}} MiB，是内存的主要占用者' },
  consumerCgroupTask: { en: '{{summary}}; {{task}} (pid {{pid}}) held {{mib}} MiB, most of what the cgroup may use', zh: '{{summary}}；{{task}}（pid {{pid}}）占用了 {{mib}} MiB，是该 cgroup 可用内存的主要占用者' },
  consumerTask: { en: '{{summary}}; {{task}} (pid {{pid}}) held {{mib}} MiB, most of the memory', zh: '{{summary}}；{{task}}（pid {{pid}}）占用了 {{mib}} MiB，是内存的主要占用者' },

  whyNoKillable: { en: 'The OOM killer found no task it could kill: everything left was a kernel thread, protected (oom_score_adj -1000) or already exiting. Memory was therefore held by the kernel itself or by protected processes, and the kernel panicked.', zh: 'OOM killer 找不到可以杀的任务：剩下的要么是内核线程，要么受保护（oom_score_adj -1000），要么已经在退出。因此内存是被内核自己或受保护的进程占着，内核随之 panic。' },
  whyPanicOnOom: { en: 'The system is configured to panic instead of killing a process (vm.panic_on_oom). The panic itself is intended; the question is why memory ran out.', zh: '系统被配置为 OOM 时 panic 而不是杀进程（vm.panic_on_oom）。panic 本身是预期行为；要回答的是内存为什么耗尽。' },
  whyKilled: { en: 'The kernel could not satisfy an allocation even after reclaim, and the OOM killer chose a process to kill to free memory; the machine carried on. The victim is the task with the highest OOM score (mostly its memory), not necessarily the one that leaks.', zh: '内核在回收之后仍无法满足一次分配，于是 OOM killer 选了一个进程杀掉以释放内存；系统继续运行。被杀的是 OOM 分数最高的任务（主要取决于它占用的内存），未必就是泄漏的那个。' },
  whyMemcg: { en: 'The limit that was hit is a memory cgroup\'s{{limit}}, not the machine\'s memory: a container or service used all it was allowed. Raise the limit or find what grows inside that cgroup.', zh: '达到的是内存 cgroup 的上限{{limit}}，而不是整机内存：某个容器或服务用完了允许它使用的内存。调高上限，或者找出该 cgroup 内不断增长的东西。' },
  memcgLimit: { en: ' ({{usage}} MiB used of {{limit}} MiB)', zh: '（已用 {{usage}} MiB，上限 {{limit}} MiB）' },
  whyInvoked: { en: 'The kernel could not satisfy an allocation even after reclaim and invoked the OOM killer; the log does not show how it ended.', zh: '内核在回收之后仍无法满足一次分配，于是触发了 OOM killer；日志没有显示结果如何。' },
  whyRepeated: { en: 'It happened {{count}} times in this log: memory keeps running out, so something keeps growing.', zh: '这个日志里发生了 {{count}} 次：内存反复耗尽，说明有东西在持续增长。' },
  whyOrder: { en: 'The failing request was order {{order}} ({{kib}} KiB contiguous): with free memory left this is fragmentation, not exhaustion.', zh: '失败的请求是 order {{order}}（{{kib}} KiB 连续内存）：如果还有空闲内存，这是碎片化问题而不是耗尽。' },
  whySlab: { en: 'Unreclaimable slab holds {{slab}} MiB{{ofRam}}: kernel objects that killing processes does not free, a kernel memory leak.', zh: '不可回收的 slab 占用了 {{slab}} MiB{{ofRam}}：这些内核对象不会因为杀进程而释放，是内核内存泄漏。' },
  ofRam: { en: ' of {{ram}} MiB of RAM', zh: '（内存共 {{ram}} MiB）' },
  whyCache: { en: 'One cache dominates it: {{cache}} with {{cacheMib}} MiB. Whatever allocates from that cache without freeing is the leak.', zh: '其中一个 cache 占了大头：{{cache}}，{{cacheMib}} MiB。从这个 cache 分配却不释放的代码就是泄漏所在。' },
  whyCacheMeaning: { en: 'One cache dominates it: {{cache}} with {{cacheMib}} MiB. {{meaning}}.', zh: '其中一个 cache 占了大头：{{cache}}，{{cacheMib}} MiB。{{meaning}}。' },
  whyTasksOne: { en: 'The task table lists one process, {{task}} (pid {{pid}}), with {{mib}} MiB resident.', zh: '任务表只列出了一个进程：{{task}}（pid {{pid}}），驻留 {{mib}} MiB。' },
  whyTasks: { en: 'The task table lists {{count}} processes holding {{total}} MiB resident; the largest is {{task}} (pid {{pid}}) with {{mib}} MiB.', zh: '任务表列出了 {{count}} 个进程，共驻留 {{total}} MiB；最大的是 {{task}}（pid {{pid}}），{{mib}} MiB。' },
  whyTaskDominant: { en: 'That process holds most of the memory: a leak in {{task}}, or a limit it needs (a memory cgroup or ulimit).', zh: '该进程占用了大部分内存：{{task}} 有内存泄漏，或者需要给它加上限制（memory cgroup 或 ulimit）。' },
  whyInvoker: { en: 'The task that invoked the OOM killer, {{invoker}}, only asked for memory last: its stack shows where the allocation failed, not what used the memory.', zh: '触发 OOM killer 的任务 {{invoker}} 只是最后一个申请内存的：它的调用栈说明分配在哪里失败，而不是内存被谁用掉了。' },
  whyShmem: { en: 'shmem/tmpfs holds {{mib}} MiB, which killing processes does not free either.', zh: 'shmem/tmpfs 占用了 {{mib}} MiB，这部分同样不会因为杀进程而释放。' },

  evNoKillable: { en: 'no process could be killed to free memory', zh: '没有任何进程可以被杀掉来释放内存' },
  evDeadlocked: { en: 'the kernel panicked: nothing could free memory', zh: '内核 panic：已没有任何办法释放内存' },
  evPanicOnOom: { en: 'panic_on_oom made the OOM fatal', zh: 'panic_on_oom 让 OOM 变成了宕机' },
  evKilled: { en: 'the OOM killer killed {{victim}} (pid {{pid}})', zh: 'OOM killer 杀掉了 {{victim}}（pid {{pid}}）' },
  evMemcgKilled: { en: 'killed inside a memory cgroup at its limit: {{victim}} (pid {{pid}})', zh: '在达到上限的内存 cgroup 内被杀：{{victim}}（pid {{pid}}）' },
  evInvoked: { en: 'the allocation that failed{{order}}, by {{invoker}}', zh: '失败的分配{{order}}，由 {{invoker}} 发起' },
  evOrder: { en: ': order {{order}}', zh: '：order 为 {{order}}' },
  evSlab: { en: 'slab_unreclaimable: {{pages}} pages ({{mib}} MiB)', zh: 'slab_unreclaimable：{{pages}} 页（约 {{mib}} MiB）' },
  evSlabSmall: { en: 'slab_unreclaimable: {{pages}} pages ({{mib}} MiB): the kernel\'s own objects are not what filled memory', zh: 'slab_unreclaimable：{{pages}} 页（约 {{mib}} MiB）：占满内存的不是内核自己的对象' },
  evShmem: { en: 'shmem/tmpfs pages are not freed by killing processes', zh: 'shmem/tmpfs 占用的页不会因为杀进程而释放' },
  evTask: { en: 'the largest process: {{task}} (pid {{pid}}), rss {{pages}} pages ({{mib}} MiB)', zh: '占内存最多的进程：{{task}}（pid {{pid}}），rss {{pages}} 页（约 {{mib}} MiB）' },
  evCache: { en: 'the largest unreclaimable slab cache: {{cache}}, {{mib}} MiB', zh: '最大的不可回收 slab cache：{{cache}}，{{mib}} MiB' },
  evMemcg: { en: 'the cgroup\'s usage at its limit', zh: 'cgroup 的用量已达上限' },

  stepKmemI: { en: 'crash> kmem -i     (where the memory is: slab, page cache, anon, shmem)', zh: 'crash> kmem -i（内存都在哪里：slab、页缓存、匿名页、shmem）' },
  stepKmemS: { en: 'crash> kmem -s | sort -k 5 -n | tail     (the biggest slab caches: a leak shows as one cache out of proportion)', zh: 'crash> kmem -s | sort -k 5 -n | tail（最大的 slab cache：泄漏通常表现为某个 cache 大得不成比例）' },
  stepCache: { en: 'Find who allocates from {{cache}}: echo 1 > /sys/kernel/slab/{{cache}}/trace on a test system, or slub_debug=U,{{cache}} with /sys/kernel/debug/slab/{{cache}}/alloc_traces.', zh: '找出从 {{cache}} 分配内存的代码：在测试系统上 echo 1 > /sys/kernel/slab/{{cache}}/trace，或用 slub_debug=U,{{cache}} 并查看 /sys/kernel/debug/slab/{{cache}}/alloc_traces。' },
  stepPs: { en: 'crash> ps -G | sort -k 8 -n | tail     (the largest processes, and whether they are OOM-protected)', zh: 'crash> ps -G | sort -k 8 -n | tail（占内存最多的进程，以及它们是否受 OOM 保护）' },
  stepTask: { en: 'Watch the memory of {{task}} over time (/proc/PID/status VmRSS, smem); put it in a memory cgroup with a limit if it is expected to grow.', zh: '持续观察 {{task}} 的内存（/proc/PID/status 中的 VmRSS、smem）；如果它本来就会增长，把它放进带上限的内存 cgroup。' },
  stepMemcg: { en: 'cat /sys/fs/cgroup/<cgroup>/memory.max memory.current memory.stat     (the cgroup\'s limit and what fills it)', zh: 'cat /sys/fs/cgroup/<cgroup>/memory.max memory.current memory.stat（cgroup 的上限以及占满它的东西）' },
  stepPsLive: { en: 'ps aux --sort=-rss | head     (the largest processes now; run it again later to see which one grows)', zh: 'ps aux --sort=-rss | head（当前占内存最多的进程；过一段时间再运行一次，看哪个在增长）' },
  stepMemcgWatch: { en: 'Watch memory.current and memory.events (oom_kill) of that cgroup over time: a steady climb to the limit is a leak in what runs there, a sudden one a workload that needs a higher limit.', zh: '持续观察该 cgroup 的 memory.current 和 memory.events（oom_kill）：稳步涨到上限说明其中运行的程序有泄漏，突然上涨则说明该负载需要更高的上限。' },
  stepLive: { en: 'On a live system: watch /proc/meminfo and /proc/slabinfo over time; kmemleak (CONFIG_DEBUG_KMEMLEAK) finds kernel leaks.', zh: '在运行中的系统上：持续观察 /proc/meminfo 和 /proc/slabinfo；kmemleak（CONFIG_DEBUG_KMEMLEAK）可以找出内核泄漏。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

interface Outcome {
  row: OomOutcome;
  line: LogLine;
  pid: number | null;
  comm: string | null;
}

interface OomEvent {
  invoked: LogLine | null;
  invoker: string | null;
  outcome: Outcome | null;
  /** A panic line that followed the outcome ("System is deadlocked on memory" after "no killable processes"). */
  panic: LogLine | null;
  from: number;
  to: number;
}

function outcomeOf(l: LogLine): Outcome | null {
  for (const row of OOM_OUTCOMES) {
    const m = row.re.exec(l.text);
    if (m) return { row, line: l, pid: m[1] ? Number(m[1]) : null, comm: m[2] ?? null };
  }
  return null;
}

/** Every OOM event of the log, in order: an "invoked oom-killer" line and what came of it. */
function oomEvents(ctx: RuleContext): OomEvent[] {
  const markers = [...ctx.findLines(/ invoked oom-killer:/, 200), ...ctx.findLines(/Out of memory|Kill(?:ed)? process \d|System is deadlocked on memory/, 400)].sort((a, b) => a.no - b.no);
  const events: OomEvent[] = [];
  let seen = -1;
  for (const l of markers) {
    if (l.no === seen) continue;
    seen = l.no;
    const inv = OOM_INVOKED.exec(l.text);
    if (inv) {
      events.push({ invoked: l, invoker: inv[1].trim(), outcome: null, panic: null, from: l.no, to: l.no });
      continue;
    }
    const o = outcomeOf(l);
    if (!o) continue;
    const cur = events[events.length - 1];
    if (cur && !cur.outcome) {
      cur.outcome = o;
      cur.to = l.no;
    } else if (cur?.outcome && o.row.id === 'killed' && cur.outcome.pid === o.pid) {
      cur.to = l.no; // "Kill process N ... or sacrifice child", then "Killed process N"
    } else if (cur?.outcome && o.row.panics && cur.outcome.row.id === 'no-killable') {
      cur.panic = l;
      cur.to = l.no;
    } else {
      events.push({ invoked: null, invoker: null, outcome: o, panic: null, from: l.no, to: l.no });
    }
  }
  return events;
}

interface TaskRow {
  pid: number;
  name: string;
  rssPages: number;
  line: number;
}

/**
 * The OOM report's task table ("[  pid  ]   uid  tgid total_vm      rss ... name"): columns differ between versions,
 * so the header names them; a row (or the header) wrapped by a mail client continues on the next line.
 */
function taskTable(ctx: RuleContext, from: number, to: number): TaskRow[] {
  let header: LogLine | null = null;
  for (let no = from; no <= to && !header; no++) {
    const l = ctx.line(no);
    if (l && TASK_TABLE_HEADER.test(l.text)) header = l;
  }
  if (!header) return [];
  let headText = header.text;
  let no = header.no + 1;
  if (!/\bname\s*$/.test(headText)) headText += ' ' + (ctx.line(no++)?.text ?? '');
  const cols = headText.replace(/^\[ {0,4}pid {0,4}\]/, '').trim().split(/\s+/);
  const rssAt = cols.indexOf('rss');
  if (rssAt < 0) return [];
  const rows: TaskRow[] = [];
  for (; no <= to && rows.length < 100_000; no++) {
    const l = ctx.line(no);
    const m = l ? /^\[ {0,10}(\d{1,10})\] (.{1,400})$/.exec(l.text) : null;
    if (!l || !m) break;
    let fields = m[2].trim().split(/\s+/);
    if (fields.length < cols.length) {
      const next = ctx.line(no + 1);
      if (next && !/^\[ {0,10}\d/.test(next.text)) {
        fields = [...fields, ...next.text.trim().split(/\s+/)];
        no++;
      }
    }
    const rss = Number(fields[rssAt]);
    if (!Number.isFinite(rss)) continue;
    rows.push({ pid: Number(m[1]), name: fields[fields.length - 1], rssPages: rss, line: l.no });
  }
  return rows;
}

/** The largest cache of "Unreclaimable slab info:", in KiB. */
function largestSlabCache(ctx: RuleContext, from: number, to: number): { name: string; kib: number; line: number } | null {
  let best: { name: string; kib: number; line: number } | null = null;
  let inTable = false;
  for (let no = from; no <= to; no++) {
    const l = ctx.line(no);
    if (!l) continue;
    if (SLAB_INFO_HEADER.test(l.text)) {
      inTable = true;
      continue;
    }
    if (!inTable) continue;
    const m = SLAB_INFO_ROW.exec(l.text.trim());
    if (!m) {
      if (!/^Name\s/.test(l.text.trim())) inTable = false;
      continue;
    }
    const kib = Number(m[3]);
    if (!best || kib > best.kib) best = { name: m[1], kib, line: l.no };
  }
  return best;
}

/** The first line in [from, to] matching `re`, and its first capture as a number. */
function numberIn(ctx: RuleContext, re: RegExp, from: number, to: number): { value: number; line: number } | null {
  for (let no = from; no <= to; no++) {
    const l = ctx.line(no);
    const m = l ? re.exec(l.text) : null;
    if (m) return { value: Number(m[1]), line: no };
  }
  return null;
}

const mib = (pages: number): number => Math.round((pages * 4) / 1024);

export const oomPanic: Rule = {
  meta: {
    id: 'KT-oom-panic',
    rootCauseClass: 'resource-exhaustion',
    summary: { en: 'Out of memory: the OOM killer killed a process, found nothing to kill, or panicked because panic_on_oom is set', zh: '内存耗尽：OOM killer 杀掉了进程、找不到可杀的进程，或因设置了 panic_on_oom 而 panic' },
    docs: {
      en: `Looks for an OOM event: "X invoked oom-killer: gfp_mask=..., order=N" and how it ended:
"Out of memory: Killed process N (comm)" (older: "Kill process N (comm) score S or sacrifice
child"), "Memory cgroup out of memory: Killed process ...", "Out of memory and no killable
processes..." (then "Kernel panic - not syncing: System is deadlocked on memory"), "Out of
memory: system-wide panic_on_oom is enabled" or "compulsory panic_on_oom". It reads the Mem-Info
block, the task table and "Unreclaimable slab info:" of the same event.
"no killable processes" means every task was unkillable (kernel threads, OOM_SCORE_ADJ_MIN) or
already dying: the memory is held by the kernel itself (a slab or page leak) or by a process
protected from the OOM killer. panic_on_oom turns any OOM into a panic by configuration. A
memory cgroup OOM is the cgroup's limit, not the machine's memory. A high order in the request
with free memory left means fragmentation, not exhaustion. The task that invoked the OOM killer
only asked for memory last: it is not the culprit. The finding names a consumer only when one
task or one slab cache clearly holds most of the memory, and names no kernel function.
What to do: read Mem-Info (slab_unreclaimable, shmem, anon) and the largest slab caches to find
the consumer; "kmem -i" and "kmem -s" in a vmcore.`,
      zh: `匹配一次 OOM 事件："X invoked oom-killer: gfp_mask=..., order=N"，以及它的结局：
"Out of memory: Killed process N (comm)"（老内核为 "Kill process N (comm) score S or sacrifice child"）、
"Memory cgroup out of memory: Killed process ..."、"Out of memory and no killable processes..."（随后
"Kernel panic - not syncing: System is deadlocked on memory"）、"Out of memory: system-wide panic_on_oom
is enabled" 或 "compulsory panic_on_oom"。并读取同一事件中的 Mem-Info 块、任务表和 "Unreclaimable slab info:"。
"no killable processes" 表示所有任务都不可杀（内核线程、OOM_SCORE_ADJ_MIN）或已经在退出：内存被内核自己
占着（slab 或页泄漏），或者被免于 OOM killer 的进程占着。panic_on_oom 是配置使然，任何 OOM 都会 panic。
内存 cgroup 的 OOM 是该 cgroup 的上限，而不是整机内存。如果请求的 order 很高而空闲内存还有，那是碎片化
而不是耗尽。触发 OOM killer 的任务只是最后一个申请内存的：它不是嫌疑者。只有某个任务或某个 slab cache
明显占了大部分内存时，诊断才会点出这个消耗者，并且不会点名任何内核函数。
处理办法：看 Mem-Info（slab_unreclaimable、shmem、anon）和最大的 slab cache，找出内存消耗者；有 vmcore
时用 "kmem -i" 和 "kmem -s"。`,
    },
    references: ['mm/oom_kill.c', 'Documentation/admin-guide/sysctl/vm.rst (panic_on_oom)', 'Documentation/admin-guide/cgroup-v2.rst (memory.max)'],
    messages,
  },
  check(ctx) {
    const events = oomEvents(ctx);
    if (events.length === 0) return [];
    const reports = ctx.analysis.reports;
    const reportOf = (e: OomEvent): number => {
      const lines = [e.invoked?.no, e.outcome?.line.no, e.panic?.no].filter((x): x is number => x !== undefined);
      return reports.findIndex((r) => lines.some((no) => no >= r.startLine && no <= r.endLine));
    };
    // One finding per report the OOM events belong to; events outside every report make one finding together.
    const groups = new Map<number, OomEvent[]>();
    for (const e of events) {
      const k = reportOf(e);
      groups.set(k, [...(groups.get(k) ?? []), e]);
    }
    // A panic's report often starts at the panic line: the events printed just before it belong to it.
    const panicGroup = [...groups.entries()].find(([k, es]) => k >= 0 && es.some((e) => e.outcome?.row.panics));
    const loose = groups.get(-1);
    if (panicGroup && loose) {
      const first = Math.min(...panicGroup[1].map((e) => e.from));
      const before = loose.filter((e) => e.from < first);
      groups.set(panicGroup[0], [...before, ...panicGroup[1]]);
      const rest = loose.filter((e) => e.from >= first);
      if (rest.length > 0) groups.set(-1, rest);
      else groups.delete(-1);
    }
    const out: FindingDraft[] = [];
    for (const [report, es] of groups) out.push(finding(ctx, es, report));
    return out;
  },
};

function finding(ctx: RuleContext, es: OomEvent[], report: number): FindingDraft {
  const e = es.find((x) => x.outcome?.row.panics) ?? es[es.length - 1];
  const outcome = e.outcome;
  // The event's memory report lies between the invoked line and the outcome; a panic's may lie before its own invoked line.
  const invoked = e.invoked ?? [...es].reverse().find((x) => x.invoked)?.invoked ?? null;
  const from = invoked?.no ?? Math.max(1, e.from - 400);
  const to = (e.panic ?? outcome?.line ?? invoked)?.no ?? e.to;
  const invText = invoked ? `${invoked.text} ${ctx.line(invoked.no + 1)?.text ?? ''}` : '';
  const orderM = OOM_ORDER.exec(invText);
  const order = orderM ? Number(orderM[1]) : null;
  const invoker = invoked ? OOM_INVOKED.exec(invoked.text)?.[1]?.trim() ?? null : null;
  const slab = numberIn(ctx, /slab_unreclaimable:(\d{1,12})/, from, to);
  const shmem = numberIn(ctx, /(?:^|\s)shmem:(\d{1,12})(?:\s|$)/, from, to);
  const ram = numberIn(ctx, /^(\d{1,12}) pages RAM/, from, to);
  const memcg = ((): { usage: number; limit: number; line: number } | null => {
    for (let no = from; no <= to; no++) {
      const m = MEMCG_USAGE.exec(ctx.line(no)?.text ?? '');
      if (m) return { usage: Number(m[1]), limit: Number(m[2]), line: no };
    }
    return null;
  })();
  const tasks = taskTable(ctx, from, to);
  const top = tasks.reduce<TaskRow | null>((best, r) => (!best || r.rssPages > best.rssPages ? r : best), null);
  const totalRss = tasks.reduce((n, r) => n + r.rssPages, 0);
  const cache = largestSlabCache(ctx, from, to);

  const slabLeak = slab !== null && (ram ? slab.value >= SLAB_LEAK_SHARE * ram.value : slab.value > 262144);
  const cacheDominant = slabLeak && cache !== null && slab !== null && cache.kib >= DOMINANT_SHARE * slab.value * 4;
  const taskDominant = !slabLeak && top !== null && totalRss > 0 && top.rssPages > DOMINANT_SHARE * totalRss && (!ram || top.rssPages > 0.25 * ram.value);

  const cacheMeaning = cache ? SLAB_CACHE_MEANINGS.find((m) => m.cache.test(cache.name))?.meaning ?? null : null;
  const id = outcome?.row.id ?? null;
  const kills = es.filter((x) => x.outcome?.row.id === 'killed' || x.outcome?.row.id === 'memcg-killed');
  const victim = outcome && (id === 'killed' || id === 'memcg-killed') ? { comm: outcome.comm, pid: outcome.pid } : null;
  const base = id === 'no-killable' || id === 'deadlocked'
    ? msg('summaryNoKillable')
    : id === 'panic-on-oom'
      ? msg('summaryPanicOnOom')
      : id === 'memcg-killed' && victim
        ? msg('summaryMemcg', { victim: victim.comm, pid: victim.pid })
        : id === 'killed' && victim
          ? kills.length > 1 ? msg('summaryKilledMany', { count: kills.length, victim: victim.comm, pid: victim.pid }) : msg('summaryKilled', { victim: victim.comm, pid: victim.pid })
          : msg('summaryInvoked', { invoker: invoker ?? '?' });
  const slabMib = slab ? mib(slab.value) : 0;
  const summary = cacheDominant && cache
    ? msg('consumerCache', { summary: base, slab: slabMib, cache: cache.name, cacheMib: Math.round(cache.kib / 1024) })
    : slabLeak
      ? msg('consumerSlab', { summary: base, slab: slabMib })
      : taskDominant && top
        ? victim?.pid === top.pid
          ? msg('consumerVictim', { summary: base, mib: mib(top.rssPages) })
          : msg(id === 'memcg-killed' ? 'consumerCgroupTask' : 'consumerTask', { summary: base, task: top.name, pid: top.pid, mib: mib(top.rssPages) })
        : base;

  const evidence: FindingDraft['evidence'] = [];
  if (outcome) {
    const note = id === 'no-killable' ? msg('evNoKillable') : id === 'deadlocked' ? msg('evDeadlocked') : id === 'panic-on-oom' ? msg('evPanicOnOom') : msg(id === 'memcg-killed' ? 'evMemcgKilled' : 'evKilled', { victim: outcome.comm, pid: outcome.pid });
    evidence.push({ line: outcome.line.no, note });
  }
  if (e.panic) evidence.push({ line: e.panic.no, note: msg('evDeadlocked') });
  if (invoked) evidence.push({ line: invoked.no, note: msg('evInvoked', { order: order !== null ? msg('evOrder', { order }) : null, invoker }) });
  if (slab) evidence.push({ line: slab.line, note: msg(slabLeak ? 'evSlab' : 'evSlabSmall', { pages: slab.value, mib: slabMib }) });
  const bigShmem = shmem !== null && (ram ? shmem.value > SHMEM_SHARE * ram.value : shmem.value > 65536);
  if (shmem && bigShmem) evidence.push({ line: shmem.line, note: msg('evShmem') });
  if (top) evidence.push({ line: top.line, note: msg('evTask', { task: top.name, pid: top.pid, pages: top.rssPages, mib: mib(top.rssPages) }) });
  if (cache && slabLeak) evidence.push({ line: cache.line, note: msg('evCache', { cache: cache.name, mib: Math.round(cache.kib / 1024) }) });
  if (memcg) evidence.push({ line: memcg.line, note: msg('evMemcg') });

  const panics = outcome?.row.panics ?? false;
  const otherReports = ctx.analysis.reports.length > (report >= 0 ? 1 : 0);
  return {
    report: report >= 0 ? report : undefined,
    confidence: panics ? 0.8 : report < 0 && otherReports ? 0.5 : id === 'memcg-killed' ? 0.65 : 0.7,
    summary,
    explanation: paragraphs([
      id === 'no-killable' || id === 'deadlocked'
        ? msg('whyNoKillable')
        : id === 'panic-on-oom'
          ? msg('whyPanicOnOom')
          : id === 'memcg-killed'
            ? msg('whyMemcg', { limit: memcg ? msg('memcgLimit', { usage: Math.round(memcg.usage / 1024), limit: Math.round(memcg.limit / 1024) }) : null })
            : id === 'killed' ? msg('whyKilled') : msg('whyInvoked'),
      es.length > 1 && kills.length > 1 ? msg('whyRepeated', { count: es.length }) : null,
      order !== null && order >= HIGH_ORDER ? msg('whyOrder', { order, kib: 2 ** order * 4 }) : null,
      slabLeak ? msg('whySlab', { slab: slabMib, ofRam: ram ? msg('ofRam', { ram: mib(ram.value) }) : null }) : null,
      cacheDominant && cache ? msg(cacheMeaning ? 'whyCacheMeaning' : 'whyCache', { cache: cache.name, cacheMib: Math.round(cache.kib / 1024), meaning: cacheMeaning }) : null,
      shmem && bigShmem ? msg('whyShmem', { mib: mib(shmem.value) }) : null,
      top ? msg(tasks.length === 1 ? 'whyTasksOne' : 'whyTasks', { count: tasks.length, total: mib(totalRss), task: top.name, pid: top.pid, mib: mib(top.rssPages) }) : null,
      taskDominant && top && id !== 'memcg-killed' ? msg('whyTaskDominant', { task: top.name }) : null,
      invoker && !(taskDominant && top?.name === invoker) ? msg('whyInvoker', { invoker }) : null,
    ]),
    evidence,
    culprit: null,
    // A vmcore exists only when the machine panicked; after an OOM kill it runs on, and the steps are for the live system.
    nextSteps: id === 'memcg-killed'
      ? [msg('stepMemcg'), msg('stepMemcgWatch')]
      : [
          ...(panics ? [msg('stepKmemI')] : []),
          ...(cacheDominant && cache ? [msg('stepCache', { cache: cache.name })] : panics ? [msg('stepKmemS')] : []),
          ...(taskDominant && top ? [msg('stepTask', { task: top.name })] : panics ? [msg('stepPs')] : [msg('stepPsLive')]),
          msg('stepLive'),
        ],
    facts: {
      outcome: id,
      noKillable: id === 'no-killable' || id === 'deadlocked',
      panicOnOom: id === 'panic-on-oom',
      panicked: panics,
      cgroup: outcome?.row.cgroup ?? false,
      events: es.length,
      killed: kills.map((k) => ({ pid: k.outcome?.pid ?? null, comm: k.outcome?.comm ?? null })),
      invoker,
      order,
      slabUnreclaimablePages: slab?.value ?? null,
      ramPages: ram?.value ?? null,
      largestProcess: top ? { name: top.name, pid: top.pid, rssPages: top.rssPages } : null,
      largestSlabCache: cache ? { name: cache.name, kib: cache.kib } : null,
      dominantConsumer: cacheDominant && cache ? { slabCache: cache.name } : slabLeak ? { kernel: 'unreclaimable slab' } : taskDominant && top ? { task: top.name, pid: top.pid } : null,
    },
  };
}
