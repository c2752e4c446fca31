// Out-of-memory panics: "Out of memory and no killable processes", panic_on_oom, and what held the memory.

import type { FindingDraft, Rule, RuleContext } from '../types';
import { ev, paragraphs, steps, t } from '../reports';

const PANIC = /Kernel panic - not syncing: (Out of memory and no killable processes|Out of memory: (?:system-wide )?panic_on_oom is enabled|Out of memory: compulsory panic_on_oom is enabled|System is deadlocked on memory)/;

interface TaskRow {
  pid: number;
  name: string;
  rssPages: number;
  line: number;
}

/**
 * The OOM report's task table ("[  pid  ]   uid  tgid total_vm      rss ... name"): columns differ
 * between versions, so the header names them; rows are read until the table ends.
 */
function taskTable(ctx: RuleContext, before: number): TaskRow[] {
  const header = ctx.findLines(/^\[ {0,4}pid {0,4}\] .{0,120}\brss\b.{0,120}\bname\s*$/, 20).filter((l) => l.no < before).pop();
  if (!header) return [];
  const cols = header.text.replace(/^\[ {0,4}pid {0,4}\]/, '').trim().split(/\s+/);
  const rssAt = cols.indexOf('rss');
  const rows: TaskRow[] = [];
  for (let no = header.no + 1; no < before && rows.length < 100_000; no++) {
    const l = ctx.line(no);
    const m = l ? /^\[ {0,10}(\d{1,10})\] (.{1,400})$/.exec(l.text) : null;
    if (!l || !m) break;
    const fields = m[2].trim().split(/\s+/);
    const rss = Number(fields[rssAt]);
    if (!Number.isFinite(rss)) continue;
    rows.push({ pid: Number(m[1]), name: fields[fields.length - 1], rssPages: rss, line: no });
  }
  return rows;
}

export const oomPanic: Rule = {
  meta: {
    id: 'KT-oom-panic',
    rootCauseClass: 'resource-exhaustion',
    summary: t('The machine panicked on out-of-memory: nothing killable was left, or panic_on_oom is set', '系统因内存耗尽而 panic：已没有可杀的进程，或者设置了 panic_on_oom'),
    docs: t(
      `Looks for "Kernel panic - not syncing: Out of memory and no killable processes...", "Out of memory:
system-wide panic_on_oom is enabled", "compulsory panic_on_oom" and "System is deadlocked on memory",
with the "invoked oom-killer: gfp_mask=..., order=N" line, the Mem-Info block and the slab summary.
"no killable processes" means every task was unkillable (kernel threads, OOM_SCORE_ADJ_MIN) or
already dying: the memory is held by the kernel itself (a slab or page leak) or by a process
protected from the OOM killer. panic_on_oom turns any OOM into a panic by configuration. A high
order in the request with plenty of free memory means fragmentation, not exhaustion.
What to do: read Mem-Info (slab_unreclaimable, shmem, anon) and the largest slab caches to find
the consumer; "kmem -i" and "kmem -s" in a vmcore.`,
      `匹配 "Kernel panic - not syncing: Out of memory and no killable processes..."、"Out of memory:
system-wide panic_on_oom is enabled"、"compulsory panic_on_oom" 和 "System is deadlocked on memory"，并结合
"invoked oom-killer: gfp_mask=..., order=N"、Mem-Info 块和 slab 汇总。
"no killable processes" 表示所有任务都不可杀（内核线程、OOM_SCORE_ADJ_MIN）或已经在退出：内存被内核自己
占着（slab 或页泄漏），或者被免于 OOM killer 的进程占着。panic_on_oom 是配置使然，任何 OOM 都会 panic。
如果请求的 order 很高而空闲内存很多，那是碎片化而不是耗尽。
处理办法：看 Mem-Info（slab_unreclaimable、shmem、anon）和最大的 slab cache，找出内存消耗者；有 vmcore
时用 "kmem -i" 和 "kmem -s"。`,
    ),
    references: ['mm/oom_kill.c', 'Documentation/admin-guide/sysctl/vm.rst (panic_on_oom)'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const l of ctx.findLines(PANIC, 3)) {
      const m = PANIC.exec(l.text);
      if (!m) continue;
      const noKillable = /no killable/.test(m[1]);
      const configured = /panic_on_oom/.test(m[1]);
      const invoked = ctx.findLines(/invoked oom-killer: gfp_mask=/, 50).filter((x) => x.no < l.no).pop() ?? null;
      const order = invoked ? /order=(-?\d+)/.exec(invoked.text)?.[1] ?? null : null;
      const who = invoked ? /^(.+?) invoked oom-killer/.exec(invoked.text)?.[1]?.trim() ?? null : null;
      const slabLine = ctx.findLines(/slab_unreclaimable:\d+/, 50).filter((x) => x.no < l.no).pop() ?? null;
      const slabPages = slabLine ? Number(/slab_unreclaimable:(\d+)/.exec(slabLine.text)?.[1] ?? '0') : null;
      const shmemLine = ctx.findLines(/ shmem:\d+/, 50).filter((x) => x.no < l.no).pop() ?? null;
      const report = ctx.analysis.reports.findIndex((r) => l.no >= r.startLine && l.no <= r.endLine);
      const evidence = [ev(l.no, noKillable ? 'no process could be killed to free memory' : 'panic_on_oom made the OOM fatal', noKillable ? '没有任何进程可以被杀掉来释放内存' : 'panic_on_oom 让 OOM 变成了宕机')];
      if (invoked) evidence.push(ev(invoked.no, `the allocation that failed${order !== null ? `: order ${order}` : ''}${who ? `, by ${who}` : ''}`, `失败的分配${order !== null ? `：order ${order}` : ''}${who ? `，由 ${who} 发起` : ''}`));
      if (slabLine) evidence.push(ev(slabLine.no, `slab_unreclaimable: ${slabPages} pages (${Math.round(((slabPages ?? 0) * 4) / 1024)} MiB)`, `slab_unreclaimable：${slabPages} 页（约 ${Math.round(((slabPages ?? 0) * 4) / 1024)} MiB）`));
      if (shmemLine) evidence.push(ev(shmemLine.no, 'shmem/tmpfs pages are not freed by killing processes', 'shmem/tmpfs 占用的页不会因为杀进程而释放'));
      const bigSlab = slabPages !== null && slabPages > 262144;
      const tasks = taskTable(ctx, l.no);
      const top = tasks.reduce<TaskRow | null>((best, r) => (!best || r.rssPages > best.rssPages ? r : best), null);
      const totalRss = tasks.reduce((n, r) => n + r.rssPages, 0);
      const mib = (pages: number): number => Math.round((pages * 4) / 1024);
      if (top) evidence.push(ev(top.line, `the largest process: ${top.name} (pid ${top.pid}), rss ${top.rssPages} pages (${mib(top.rssPages)} MiB)`, `占内存最多的进程：${top.name}（pid ${top.pid}），rss ${top.rssPages} 页（约 ${mib(top.rssPages)} MiB）`));
      const dominant = top !== null && totalRss > 0 && top.rssPages * 2 > totalRss && !bigSlab;
      out.push({
        report: report >= 0 ? report : undefined,
        confidence: 0.8,
        summary: noKillable
          ? t(`Out of memory with nothing left to kill${bigSlab ? `: ${Math.round((slabPages * 4) / 1024)} MiB of unreclaimable slab points at a kernel memory leak` : ''}`, `内存耗尽且已无进程可杀${bigSlab ? `：${Math.round((slabPages * 4) / 1024)} MiB 的不可回收 slab 指向内核内存泄漏` : ''}`)
          : dominant && top
            ? t(`Out of memory with panic_on_oom set: ${top.name} (pid ${top.pid}) held ${mib(top.rssPages)} MiB, most of the memory`, `内存耗尽且设置了 panic_on_oom：${top.name}（pid ${top.pid}）占用了 ${mib(top.rssPages)} MiB，是内存的主要占用者`)
            : t('Out of memory, and panic_on_oom is set: the OOM killer was not allowed to recover', '内存耗尽，且设置了 panic_on_oom：不允许 OOM killer 去恢复'),
        explanation: paragraphs([
          noKillable
            ? t('The OOM killer found no task it could kill: everything left was a kernel thread, protected (oom_score_adj -1000) or already exiting. Memory was therefore held by the kernel itself or by protected processes.', 'OOM killer 找不到可以杀的任务：剩下的要么是内核线程，要么受保护（oom_score_adj -1000），要么已经在退出。因此内存是被内核自己或受保护的进程占着。')
            : t('The system is configured to panic instead of killing a process (vm.panic_on_oom). The panic itself is intended; the question is why memory ran out.', '系统被配置为 OOM 时 panic 而不是杀进程（vm.panic_on_oom）。panic 本身是预期行为；要回答的是内存为什么耗尽。'),
          order !== null && Number(order) >= 3 ? t(`The failing request was order ${order} (${2 ** Number(order) * 4} KiB contiguous): with free memory left this is fragmentation.`, `失败的请求是 order ${order}（${2 ** Number(order) * 4} KiB 连续内存）：如果还有空闲内存，这是碎片化问题。`) : null,
          bigSlab ? t('Unreclaimable slab is large: a kernel object leak (find the biggest cache in the slab summary).', '不可回收的 slab 很大：内核对象泄漏（在 slab 汇总中找最大的 cache）。') : null,
          top
            ? t(
                `The task table lists ${tasks.length} process(es) holding ${mib(totalRss)} MiB resident; the largest is ${top.name} (pid ${top.pid}) with ${mib(top.rssPages)} MiB${dominant ? ': it is what exhausted memory (a leak in that program, or a limit it needs: a memory cgroup or ulimit)' : ''}.`,
                `任务表列出了 ${tasks.length} 个进程，共驻留 ${mib(totalRss)} MiB；最大的是 ${top.name}（pid ${top.pid}），${mib(top.rssPages)} MiB${dominant ? '：正是它耗尽了内存（该程序有内存泄漏，或者需要给它加上限制：memory cgroup 或 ulimit）' : ''}。`,
              )
            : null,
        ]),
        evidence,
        culprit: null,
        nextSteps: steps(
          t('crash> kmem -i     (where the memory is: slab, page cache, anon, shmem)', 'crash> kmem -i（内存都在哪里：slab、页缓存、匿名页、shmem）'),
          t('crash> kmem -s | sort -k 5 -n | tail     (the biggest slab caches: a leak shows as one cache out of proportion)', 'crash> kmem -s | sort -k 5 -n | tail（最大的 slab cache：泄漏通常表现为某个 cache 大得不成比例）'),
          t('crash> ps -G | sort -k 8 -n | tail     (the largest processes, and whether they are OOM-protected)', 'crash> ps -G | sort -k 8 -n | tail（占内存最多的进程，以及它们是否受 OOM 保护）'),
          t('On a live system: watch /proc/meminfo and /proc/slabinfo over time; kmemleak (CONFIG_DEBUG_KMEMLEAK) finds kernel leaks.', '在运行中的系统上：持续观察 /proc/meminfo 和 /proc/slabinfo；kmemleak（CONFIG_DEBUG_KMEMLEAK）可以找出内核泄漏。'),
        ),
        facts: { noKillable, panicOnOom: configured, order: order !== null ? Number(order) : null, slabUnreclaimablePages: slabPages, largestProcess: top ? { name: top.name, pid: top.pid, rssPages: top.rssPages } : null },
      });
    }
    return out;
  },
};
