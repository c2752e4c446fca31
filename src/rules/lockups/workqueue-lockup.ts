// "BUG: workqueue lockup - pool cpus=N ... stuck for Ns!": a work item on that pool runs without ever sleeping, and nothing queued behind it runs.

import { paragraphs } from '../reports';
import type { LogLine } from '../../model/types';
import { baseName, blameOfSite, blameFrames, culpritOfBlame, type Blame } from '../blame';
import { cpuBacktraces, sampleFrames, sightings, type Sighting } from '../facts';
import { messenger } from '../messages';
import type { FindingDraft, L10n, Rule, RuleContext } from '../types';

/** The pool as printed: `cpus=1 node=0 flags=0x0 nice=0` (the same text opens its queues' `pwq N:` lines). */
const POOL = '(cpus=[\\d,-]{1,64}(?: node=-?\\d{1,4})?(?: flags=0x[0-9a-f]{1,8})?(?: nice=-?\\d{1,3})?)';
const HEADER = new RegExp(`BUG: workqueue lockup - pool ${POOL} stuck for (\\d{1,7})s!`);
const STOP = /BUG: workqueue lockup|BUG: soft lockup|Watchdog detected hard LOCKUP|rcu: INFO:|INFO: rcu_|Kernel panic - not syncing/;
const BUSY = /Showing busy workqueues and worker pools:/;
/** `workqueue events: flags=0x0` */
const WORKQUEUE = /^\s*workqueue ([\w./:-]{1,64}): flags=/;
/** `  pwq 2: cpus=1 node=0 flags=0x0 nice=0 active=2/256 refcnt=3` */
const PWQ = new RegExp(`^\\s*pwq \\d{1,5}: ${POOL}`);
const IN_FLIGHT = /^\s*in-flight: (.{1,2000})$/;
const PENDING = /^\s*(?:pending|inactive|delayed): (.{1,2000})$/;
/** `7:wqlockup_fw_load_work [wqlockup]`, `30(RESCUER):func`. */
const WORK_ITEM = /(\d{1,10})(?:\(RESCUER\))?:([A-Za-z_.$][\w.$]{0,200})(?: \[([\w-]{1,64})\])?/g;
const PENDING_ITEM = /(?:^|,\s{0,2})([A-Za-z_.$][\w.$]{0,200})(?: \[([\w-]{1,64})\])?/g;
/** The listing ends at the first line that is not part of it. */
const LISTING_LINE = /^\s*(?:workqueue [\w./:-]{1,64}: flags=|pwq \d|in-flight:|pending:|inactive:|delayed:|pool \d{1,5}:|Showing )/;

const messages = {
  summary: { en: 'Workqueue lockup on pool {{pool}}: the work function {{who}} has run for {{secs}} s without sleeping, and the work queued behind it cannot run{{still}}', zh: '工作池 {{pool}} 发生 workqueue lockup：工作函数 {{who}} 已经运行了 {{secs}} 秒而没有睡眠，排在它后面的工作项都无法运行{{still}}' },
  summaryUnknown: { en: 'Workqueue lockup on pool {{pool}}: the pool made no progress for {{secs}} s, and the log does not show which work item held it{{still}}', zh: '工作池 {{pool}} 发生 workqueue lockup：该工作池 {{secs}} 秒没有进展，日志中没有显示是哪个工作项占着它{{still}}' },
  still: { en: ' (still stuck at the later reports: {{n}} reports of the same pool)', zh: '（之后的报告中仍然卡住：同一个工作池共报告了 {{n}} 次）' },
  explainWatchdog: { en: 'The workqueue watchdog found the worker pool of {{pool}} making no progress for {{secs}} s. A per-CPU pool starts another worker only when the running one sleeps; a work function that busy-waits or loops (calling cond_resched() at most, which keeps the soft-lockup watchdog quiet) holds the pool, and everything queued behind it waits.', zh: 'workqueue 看门狗发现 {{pool}} 的工作池已经 {{secs}} 秒没有进展。每 CPU 工作池只有在正在运行的 worker 睡眠时才会启动另一个 worker；一个忙等或循环的工作函数（顶多调用 cond_resched()，这能让 soft lockup 看门狗保持沉默）会一直占着工作池，排在它后面的所有工作都只能等待。' },
  explainInFlight: { en: '{{who}} is in flight on that pool (worker pid {{pid}}, workqueue {{wq}}): it is the work function that never yields. It should sleep while it waits (msleep(), wait_event_timeout()), re-queue itself as delayed work, or run on a WQ_UNBOUND or WQ_CPU_INTENSIVE workqueue if it is legitimately long.', zh: '{{who}} 正在该工作池上运行（worker pid {{pid}}，工作队列 {{wq}}）：它就是那个从不让出的工作函数。它在等待时应当睡眠（msleep()、wait_event_timeout()），或者把自己重新排成延迟工作；如果它确实要运行很久，就应放到 WQ_UNBOUND 或 WQ_CPU_INTENSIVE 工作队列上。' },
  explainStack: { en: 'The backtrace of the running worker shows where it loops: {{loop}}.', zh: '正在运行的 worker 的回溯显示了它循环的位置：{{loop}}。' },
  explainPending: { en: 'Queued behind it on the same pool: {{pending}}.', zh: '同一工作池上排在它后面的有：{{pending}}。' },
  explainNoListing: { en: 'The log does not list the busy workqueues for that pool (the "Showing busy workqueues and worker pools:" part is missing or cut), so the work item that holds it is not known. If another report shows CPU {{cpu}} itself stuck (a soft or hard lockup, an RCU stall), the pool is a victim of that.', zh: '日志中没有列出该工作池的忙碌工作队列（"Showing busy workqueues and worker pools:" 部分缺失或被截断），所以不知道是哪个工作项占着它。如果另有报告显示 CPU {{cpu}} 本身卡住了（soft/hard lockup、RCU 停滞），这个工作池只是受害者。' },
  explainNoListingAnyCpu: { en: 'The log does not list the busy workqueues for that pool (the "Showing busy workqueues and worker pools:" part is missing or cut), so the work item that holds it is not known. If another report shows the pool\'s CPUs stuck (a soft or hard lockup, an RCU stall), the pool is a victim of that.', zh: '日志中没有列出该工作池的忙碌工作队列（"Showing busy workqueues and worker pools:" 部分缺失或被截断），所以不知道是哪个工作项占着它。如果另有报告显示该工作池的 CPU 本身卡住了（soft/hard lockup、RCU 停滞），这个工作池只是受害者。' },
  explainRepeats: { en: 'The same pool was reported {{n}} times: one lockup that never ended.', zh: '同一个工作池被报告了 {{n}} 次：这是一个一直没有结束的 lockup。' },
  evHeader: { en: 'the pool of {{pool}} made no progress for {{secs}} s', zh: '{{pool}} 的工作池 {{secs}} 秒没有进展' },
  evLater: { en: 'the same pool, still stuck', zh: '同一个工作池，仍然卡住' },
  evPwq: { en: 'the pool\'s queue of workqueue {{wq}}', zh: '工作队列 {{wq}} 在该工作池上的队列' },
  evInFlight: { en: '{{who}}: the work item running on the stuck pool', zh: '{{who}}：在卡住的工作池上运行的工作项' },
  evPending: { en: 'work queued behind it, waiting', zh: '排在它后面、正在等待的工作' },
  evBacktrace: { en: 'the running worker\'s backtrace', zh: '正在运行的 worker 的回溯' },
  stepFix: { en: 'In {{fn}}(): do not busy-wait in a work item; sleep while waiting (msleep(), wait_event_timeout()) or re-queue with queue_delayed_work(), and bound the wait.', zh: '在 {{fn}}() 中：不要在工作项里忙等；等待时睡眠（msleep()、wait_event_timeout()），或用 queue_delayed_work() 重新排队，并给等待设上限。' },
  stepBtWorker: { en: 'crash> bt {{pid}}     (the worker running {{fn}}: where it loops)', zh: 'crash> bt {{pid}}（运行 {{fn}} 的 worker：它在哪里循环）' },
  stepDis: { en: 'crash> dis -l {{fn}}     (the loop and its exit condition)', zh: 'crash> dis -l {{fn}}（循环及其退出条件）' },
  stepNoListing: { en: 'echo t > /proc/sysrq-trigger (or crash> foreach bt) on the next occurrence: the stacks of the kworkers of that pool show what runs there.', zh: '下次出现时执行 echo t > /proc/sysrq-trigger（或 crash> foreach bt）：该工作池的 kworker 的调用栈会显示那里在运行什么。' },
  stepOtherReports: { en: 'crash> log | grep -n -E "soft lockup|hard LOCKUP|rcu.*stall"     (whether the pool\'s CPU is itself stuck)', zh: 'crash> log | grep -n -E "soft lockup|hard LOCKUP|rcu.*stall"（工作池所在的 CPU 本身是否卡住）' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

interface InFlight {
  pid: number;
  fn: string;
  module: string | null;
  line: number;
}

interface PoolListing {
  pwqLine: LogLine | null;
  workqueue: string | null;
  inFlight: InFlight[];
  pending: Array<{ fn: string; module: string | null; line: number }>;
}

/** The busy-workqueue listing after a header: the queues of the stuck pool, what runs on it and what waits. */
function poolListing(ctx: RuleContext, from: number, to: number, pool: string): PoolListing | null {
  let busy: number | null = null;
  for (let no = from; no <= to && no <= from + 20; no++) if (BUSY.test(ctx.line(no)?.text ?? '')) busy = no;
  if (busy === null) return null;
  const out: PoolListing = { pwqLine: null, workqueue: null, inFlight: [], pending: [] };
  let wq: string | null = null;
  let onPool = false;
  for (let no = busy + 1; no <= to && no <= busy + 400; no++) {
    const l = ctx.line(no);
    if (!l || !LISTING_LINE.test(l.text)) break;
    const w = WORKQUEUE.exec(l.text);
    if (w) {
      wq = w[1];
      onPool = false;
      continue;
    }
    const p = PWQ.exec(l.text);
    if (p) {
      onPool = p[1] === pool;
      if (onPool && out.pwqLine === null) {
        out.pwqLine = l;
        out.workqueue = wq;
      }
      continue;
    }
    if (!onPool) continue;
    const f = IN_FLIGHT.exec(l.text);
    if (f) {
      for (const m of f[1].matchAll(WORK_ITEM)) out.inFlight.push({ pid: Number(m[1]), fn: m[2], module: m[3] ?? null, line: l.no });
      if (out.workqueue === null) out.workqueue = wq;
      continue;
    }
    const q = PENDING.exec(l.text);
    if (q) for (const m of q[1].matchAll(PENDING_ITEM)) if (out.pending.length < 8) out.pending.push({ fn: m[1], module: m[2] ?? null, line: l.no });
  }
  return out;
}

function who(b: Pick<Blame, 'function' | 'module'>): string {
  return b.module ? `${b.function} [${b.module}]` : (b.function as string);
}

export const workqueueLockup: Rule = {
  meta: {
    id: 'KT-workqueue-lockup',
    rootCauseClass: 'other',
    summary: { en: 'A worker pool made no progress: a work function ran without ever sleeping, so the work queued behind it could not run', zh: '某个工作池没有进展：一个工作函数一直运行而不睡眠，排在它后面的工作都无法运行' },
    docs: {
      en: `Looks for "BUG: workqueue lockup - pool cpus=N node=M flags=0x.. nice=0 stuck for Ns!" and the
"Showing busy workqueues and worker pools:" listing after it. CONFIG_WQ_WATCHDOG found that the
pool had not started a queued work item for workqueue.watchdog_thresh seconds. A per-CPU pool
starts a new worker only when the running one sleeps, so a work function that busy-waits or loops
(even with cond_resched(), which keeps the soft-lockup watchdog quiet) holds the pool and starves
everything queued behind it. The culprit is the work function listed as "in-flight" on the stuck
pool's queue ("pwq N: cpus=N ..."), class other. Several reports of the same pool are one lockup
still going. Without the listing, or when the pool's CPU is itself stuck (a soft or hard lockup,
an RCU stall on it), the pool is a victim.
What to do: make the work function sleep while it waits (msleep(), wait_event_timeout()), re-queue
it as delayed work, or move a long CPU-bound job to a WQ_UNBOUND or WQ_CPU_INTENSIVE workqueue.`,
      zh: `匹配 "BUG: workqueue lockup - pool cpus=N node=M flags=0x.. nice=0 stuck for Ns!" 以及其后的
"Showing busy workqueues and worker pools:" 列表。CONFIG_WQ_WATCHDOG 发现该工作池已经 workqueue.watchdog_thresh
秒没有启动排队的工作项。每 CPU 工作池只有在正在运行的 worker 睡眠时才会启动新的 worker，所以一个忙等或循环的
工作函数（即使调用了 cond_resched()，这能让 soft lockup 看门狗保持沉默）会一直占着工作池，让排在后面的所有工作
饿死。嫌疑是卡住工作池的队列（"pwq N: cpus=N ..."）中列为 "in-flight" 的工作函数，分类为 other。同一个工作池
的多次报告是同一个仍在持续的 lockup。如果没有这个列表，或者工作池所在的 CPU 本身卡住了（该 CPU 上的 soft/hard
lockup、RCU 停滞），这个工作池只是受害者。
处理办法：让工作函数在等待时睡眠（msleep()、wait_event_timeout()），把它重新排成延迟工作，或者把长时间占用
CPU 的任务放到 WQ_UNBOUND 或 WQ_CPU_INTENSIVE 工作队列上。`,
    },
    references: ['kernel/workqueue.c: wq_watchdog_timer_fn(), show_one_workqueue()', 'Documentation/core-api/workqueue.rst'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const hits = sightings(ctx, HEADER, { title: 'BUG: workqueue lockup', stop: STOP });
    const groups: Sighting[][] = [];
    for (const h of hits) {
      const same = groups.find((g) => g[0].match[1] === h.match[1]);
      if (same) same.push(h);
      else groups.push([h]);
    }
    for (const group of groups) {
      const first = group[0];
      const poolKey = first.match[1];
      const pool = /^cpus=[\d,-]{1,64}/.exec(poolKey)?.[0] ?? poolKey;
      const n = group.length;
      const last = group[n - 1];
      // The newest listing says most: the same item still in flight, or a different one.
      let listing: PoolListing | null = null;
      for (const h of [...group].reverse()) {
        const to = Math.max(h.report.endLine, h.header.no + 400);
        listing = poolListing(ctx, h.header.no, to, poolKey);
        if (listing && listing.inFlight.length > 0) break;
      }
      const item = listing?.inFlight[0] ?? null;
      const site = item ? blameOfSite({ function: item.fn, offset: null, module: item.module, line: item.line }, 'printed') : null;
      // A backtrace of that worker (newer kernels print the running workers of a stalled pool) samples where it loops.
      const bt = item ? cpuBacktraces(ctx, first.header.no, Math.max(last.report.endLine, last.header.no + 400)).filter((b) => b.pid === item.pid) : [];
      const loop = bt.length > 0 ? blameFrames(sampleFrames(bt[0].stack), { mode: 'lockup', detectedIn: bt[0].stack.detectedIn, samples: bt.slice(1).map((b) => sampleFrames(b.stack)) }) : null;
      const secs = last.match[2];
      const cpu = /^cpus=(\d{1,5})$/.exec(pool)?.[1] ?? null;
      const data = {
        pool, secs, n, cpu, still: n > 1 ? msg('still', { n }) : null, who: site ? who(site) : null, fn: site?.function ?? null, pid: item?.pid ?? null,
        wq: listing?.workqueue ?? null, loop: loop?.function && loop.function !== site?.function ? who(loop) : null,
        pending: listing && listing.pending.length > 0 ? listing.pending.map((p) => (p.module ? `${baseName(p.fn)} [${p.module}]` : baseName(p.fn))).join(', ') : null,
      };
      const evidence: FindingDraft['evidence'] = [{ line: first.header.no, note: msg('evHeader', { pool, secs: first.match[2] }) }];
      for (const h of group.slice(1)) evidence.push({ line: h.header.no, note: msg('evLater') });
      if (listing?.pwqLine && data.wq) evidence.push({ line: listing.pwqLine.no, note: msg('evPwq', data) });
      if (item && site) evidence.push({ line: item.line, note: msg('evInFlight', data) });
      if (listing && listing.pending.length > 0) evidence.push({ line: listing.pending[0].line, note: msg('evPending') });
      if (bt[0]) evidence.push({ line: bt[0].line, note: msg('evBacktrace') });
      const paras: L10n[] = [msg('explainWatchdog', data)];
      if (n > 1) paras.push(msg('explainRepeats', data));
      if (site) {
        paras.push(msg('explainInFlight', data));
        if (data.loop) paras.push(msg('explainStack', data));
        if (data.pending) paras.push(msg('explainPending', data));
      } else paras.push(cpu ? msg('explainNoListing', data) : msg('explainNoListingAnyCpu'));
      const nextSteps: L10n[] = [];
      if (site) {
        nextSteps.push(msg('stepFix', data));
        if (data.pid !== null) nextSteps.push(msg('stepBtWorker', data));
        nextSteps.push(msg('stepDis', data));
      } else {
        nextSteps.push(msg('stepOtherReports'));
        nextSteps.push(msg('stepNoListing'));
      }
      const indices = group.map((h) => h.index).filter((x): x is number => x !== null);
      out.push({
        report: indices[0],
        alsoExplains: indices.slice(1),
        confidence: site ? 0.7 : 0.4,
        summary: msg(site ? 'summary' : 'summaryUnknown', data),
        explanation: paragraphs(paras),
        evidence,
        culprit: site ? culpritOfBlame(site) : null,
        nextSteps,
        facts: { pool, seconds: Number(secs), reports: n, workqueue: data.wq, inFlight: item ? `${item.pid}:${item.fn}` : null, pending: listing?.pending.map((p) => p.fn) ?? [] },
      });
    }
    return out;
  },
};
