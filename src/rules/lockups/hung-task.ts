// "INFO: task X:pid blocked for more than N seconds": what the D-state task waits for, who holds it, and so the class.

import type { CrashReport, Frame } from '../../model/types';
import { baseName, blameOfSite, blameReport, culpritOfBlame, reportFrames, type Blame } from '../blame';
import { readLockdep, isPseudoLock, type HeldLockList, type LockRef } from '../lockdep';
import { messenger } from '../messages';
import type { FindingDraft, L10n, RootCauseClass, Rule, RuleContext } from '../types';
import { reportsWhere, paragraphs } from '../reports';
import { machineOf, type MachineModel } from '../../machine';

/** What holds up the RCU grace period task `pid` waits for, as the machine model has it from the stall report. */
function rcuHolder(m: MachineModel, pid: number): { who: string; function: string | null; module: string | null; line: number } | null {
  const ids = new Set(m.contexts.filter((c) => c.pid === pid).map((c) => c.id));
  const l = m.locks.find((x) => x.kind === 'rcu' && x.waiters.some((w) => ids.has(w.context)));
  const h = l?.holders[0];
  if (!h) return null;
  const c = m.contexts[h.context];
  return { who: `${c.comm ?? '?'}/${c.pid ?? '?'}${c.cpu !== null ? ` on CPU${c.cpu}` : ''}`, function: h.function, module: h.module, line: h.lines[0] ?? c.lines[0] ?? 0 };
}

/** Evidence of a holder that names the lock itself, not a guess from the code it runs. */
const FIRM_HOLD = new Set(['owner-field', 'lockdep-held', 'same-address', 'stack-word']);

/** Who the machine model says holds the lock task `pid` sleeps on: the owner field of a mutex crash printed, lockdep, the address on its stack. */
function modelOwner(m: MachineModel, pid: number): { lock: string; owner: string; ownerPid: number; site: string | null; module: string | null; blocked: boolean; line: number } | null {
  const ids = new Set(m.contexts.filter((c) => c.pid === pid).map((c) => c.id));
  for (const l of m.locks) {
    if (!l.waiters.some((w) => ids.has(w.context))) continue;
    const h = l.holders.find((x) => x.evidence.some((e) => FIRM_HOLD.has(e)) && m.contexts[x.context].pid !== pid);
    if (!h) continue;
    const c = m.contexts[h.context];
    const task = m.tasks.find((t) => t.pid === c.pid);
    const waits = m.locks.some((o) => o.waiters.some((w) => m.contexts[w.context].pid === c.pid));
    return { lock: [l.name, l.address].filter((x) => x !== null).join(' ') || l.kind, owner: `${c.comm ?? '?'}/${c.pid}`, ownerPid: c.pid ?? -1, site: h.function, module: h.module, blocked: waits || task?.state === 'UN', line: h.lines[0] ?? c.lines[0] ?? 0 };
  }
  return null;
}

const HEADER = /INFO: task (.{1,64}):(\d+) blocked for more than(?: (\d+))?|task (.{1,64}):(\d+) can't die for more than(?: (\d+))?/;

type WaitKind = 'io' | 'page' | 'mutex' | 'rwsem' | 'completion' | 'work' | 'rcu' | 'other';

/** Wait primitives by what they wait for (data): the first match from the top of the stack decides. */
const WAITS: ReadonlyArray<{ re: RegExp; kind: WaitKind }> = [
  { re: /^(?:io_schedule\w*|blk_mq_get_tag|blk_\w+wait\w*|wait_on_buffer|__wait_on_buffer|bit_wait_io|jbd2_\w+|submit_bio_wait|nfs_\w*wait\w*|rpc_wait_bit_killable|xfs_buf_\w*wait\w*|__lock_buffer|out_of_line_wait_on_bit|get_request_wait)$/, kind: 'io' },
  { re: /^(?:wait_on_page_bit\w*|folio_wait\w*|__folio_lock\w*|__lock_page\w*|wait_on_page_writeback|folio_wait_bit_common)$/, kind: 'page' },
  { re: /^(?:__mutex_lock\w*|mutex_lock\w*|mutex_lock_nested|__mutex_lock_common|rt_mutex_\w+|cv_wait\w*|__cv_wait\w*|cv_timedwait\w*|rw_enter|mutex_enter)$/, kind: 'mutex' },
  { re: /^(?:rwsem_down_\w+|down_read\w*|down_write\w*|__down_\w+|down|percpu_down_\w+|percpu_rwsem_\w+)$/, kind: 'rwsem' },
  { re: /^(?:flush_work|__flush_work|flush_workqueue|__flush_workqueue|drain_workqueue|cancel_work_sync|__cancel_work_timer|flush_delayed_work)$/, kind: 'work' },
  { re: /^(?:synchronize_rcu\w*|synchronize_srcu\w*|rcu_barrier\w*|synchronize_net|__synchronize_srcu|wait_rcu_gp)$/, kind: 'rcu' },
  { re: /^(?:wait_for_completion\w*|__wait_for_common|wait_for_common\w*|kthread_stop)$/, kind: 'completion' },
];

/** A kthread that was created and never woken sleeps in kthread() itself. */
const NEVER_WOKEN = /^(?:__switch_to\w*|__schedule|schedule|schedule_preempt_disabled|kthread|ret_from_fork\w*|context_switch)$/;

const messages = {
  summary: { en: '{{task}} blocked{{secs}}, {{what}}{{where}}', zh: '{{task}} 阻塞{{secs}}，{{what}}{{where}}' },
  summaryDeadlock: { en: '{{task}} and {{owner}} block each other: {{task}} waits for {{lock}} held by {{owner}}, which waits too', zh: '{{task}} 与 {{owner}} 互相阻塞：{{task}} 在等 {{owner}} 持有的 {{lock}}，而 {{owner}} 自己也在等待' },
  summaryLeaked: { en: '{{task}} waits for {{lock}}, which {{owner}} took in {{site}} and still holds although it is not blocked: the lock was not released', zh: '{{task}} 在等 {{lock}}，它由 {{owner}} 在 {{site}} 中获取后一直持有，而 {{owner}} 并没有被阻塞：这把锁没有被释放' },
  summaryNeverWoken: { en: 'Kernel thread {{task}} was created and never woken: it sleeps in kthread() before its thread function ever ran', zh: '内核线程 {{task}} 被创建后从未被唤醒：它的线程函数还没运行就一直睡在 kthread() 中' },
  secsKnown: { en: ' for more than {{secs}} s', zh: '超过 {{secs}} 秒' },
  secsUnknown: { en: ' past the hung-task timeout', zh: '超过了 hung task 超时时间' },
  whereFn: { en: ' in {{fn}}', zh: '（位于 {{fn}}）' },
  what_io: { en: 'waiting for block or file-system I/O to complete', zh: '在等块设备或文件系统 I/O 完成' },
  what_page: { en: 'waiting for a page lock or page writeback (I/O on that page)', zh: '在等页锁或页回写（该页上的 I/O）' },
  what_mutex: { en: 'waiting for a lock another task holds', zh: '在等另一个任务持有的锁' },
  what_rwsem: { en: 'waiting for a rw-semaphore another task holds', zh: '在等另一个任务持有的读写信号量' },
  what_work: { en: 'waiting for a work item to finish', zh: '在等一个工作项执行完' },
  what_rcu: { en: 'waiting for an RCU grace period', zh: '在等 RCU 宽限期结束' },
  what_completion: { en: 'waiting for a completion another context must signal', zh: '在等另一个上下文发出的 completion' },
  what_other: { en: 'in uninterruptible sleep', zh: '处于不可中断睡眠' },
  explainBlocked: { en: '{{task}} has been in uninterruptible sleep{{secs}}. Its stack is in {{waitFn}}: it is {{what}}, on behalf of {{fn}}.', zh: '{{task}} 处于不可中断睡眠{{secs}}。它的调用栈停在 {{waitFn}}：{{what}}，发起等待的是 {{fn}}。' },
  explainBlockedPlain: { en: '{{task}} has been in uninterruptible sleep{{secs}}; its stack shows no well-known wait primitive, so read it from the top to find what it waits for.', zh: '{{task}} 处于不可中断睡眠{{secs}}；调用栈中没有常见的等待原语，需要从栈顶往下读，找出它在等什么。' },
  explainIo: { en: 'An I/O wait that lasts minutes means the request never completed: a device or path that stopped responding (look above for SCSI/NVMe timeouts, multipath "remaining active paths: 0", NFS "server not responding"), or a request lost by a driver. The waiting task is a victim; the culprit is the code that issued the I/O and the device under it.', zh: 'I/O 等待持续几分钟，说明请求一直没有完成：设备或路径不再响应（在上文找 SCSI/NVMe 超时、多路径 "remaining active paths: 0"、NFS "server not responding"），或者请求被驱动弄丢了。等待的任务只是受害者；要查的是发起这次 I/O 的代码以及它下面的设备。' },
  explainLock: { en: 'A lock held for minutes is held by a task that is itself stuck: waiting for something this task (or another one in the chain) holds, directly or through I/O or a completion it must finish. That is a deadlock across tasks that lockdep may not see (a lock against a wait).', zh: '被持有几分钟的锁，其持有者自己也卡住了：它在等这个任务（或链上另一个任务）持有的东西，可能是直接等，也可能是通过它必须完成的 I/O 或 completion 间接等。这是跨任务的死锁，lockdep 可能看不到（锁与等待之间的依赖）。' },
  explainLockSeveral: { en: '{{n}} tasks are blocked on locks at the same time: each holds what another waits for, the AB-BA pattern.', zh: '有 {{n}} 个任务同时阻塞在锁上：每个任务都持有另一个任务在等的东西，这是 AB-BA 模式。' },
  explainOwnerBlocked: { en: 'Lockdep\'s list of held locks shows {{lock}} held by {{owner}} (taken in {{site}}), and {{owner}} is blocked as well: the two tasks wait for each other.', zh: 'lockdep 打印的持锁列表显示 {{lock}} 由 {{owner}} 持有（在 {{site}} 中获取），而 {{owner}} 也被阻塞了：两个任务在互相等待。' },
  summaryRcuHeld: { en: '{{task}} blocked{{secs}} waiting for an RCU grace period that {{who}} holds up in {{fn}}: a consequence of the RCU stall', zh: '{{task}} 阻塞{{secs}}，在等一个被 {{who}} 在 {{fn}} 中拖住的 RCU 宽限期：这是 RCU 停滞的后果' },
  explainRcuHeld: { en: '{{task}} sleeps in {{waitFn}} until every CPU has passed a quiescent state. The RCU stall report names {{who}}, which runs {{fn}} without passing one (a long loop in an RCU read-side section, or with preemption or interrupts off): the grace period cannot end, and every synchronize_rcu() caller hangs behind it. Fix the loop in {{fn}}; the hung task is a victim.', zh: '{{task}} 睡在 {{waitFn}} 中，要等每个 CPU 都经过一次静止状态。RCU 停滞报告指出了 {{who}}，它运行 {{fn}} 时一直没有经过静止状态（RCU 读侧临界区内的长循环，或在关抢占/关中断时循环）：宽限期无法结束，所有 synchronize_rcu() 的调用者都会挂在它后面。要修的是 {{fn}} 中的循环；被挂住的任务只是受害者。' },
  evRcuHeld: { en: '{{who}} holds the grace period up, in {{fn}}', zh: '{{who}} 在 {{fn}} 中拖住了宽限期' },
  explainOwnerBlockedModel: { en: 'The dump names the owner of {{lock}}: {{owner}} (in {{site}}), and {{owner}} is blocked as well: the two tasks wait for each other.', zh: '转储给出了 {{lock}} 的持有者：{{owner}}（位于 {{site}}），而 {{owner}} 也被阻塞了：两个任务在互相等待。' },
  explainOwnerRunningModel: { en: 'The dump names the owner of {{lock}}: {{owner}} (in {{site}}), and {{owner}} waits for nothing in the kernel: it holds the lock while it runs or sleeps elsewhere, or returned without releasing it.', zh: '转储给出了 {{lock}} 的持有者：{{owner}}（位于 {{site}}），而 {{owner}} 在内核中并没有等待任何东西：它在别处运行或睡眠时一直持有这把锁，或者返回时没有释放它。' },
  explainOwnerRunning: { en: 'Lockdep\'s list of held locks shows {{lock}} held by {{owner}}, taken in {{site}}, and {{owner}} is not blocked in the kernel: it left {{site}} with the lock still held (a path that returns without unlocking).', zh: 'lockdep 打印的持锁列表显示 {{lock}} 由 {{owner}} 持有，是在 {{site}} 中获取的，而 {{owner}} 并没有阻塞在内核中：它离开 {{site}} 时仍然持有这把锁（某条路径返回时没有解锁）。' },
  explainWaitOther: { en: 'The context that should signal (a kthread, a work item, an RCU grace period, an interrupt) never ran to completion: find what it is doing, or whether it was ever started.', zh: '本该发出通知的上下文（内核线程、工作项、RCU 宽限期、中断）一直没有执行完：看看它在做什么，或者它是否根本没有启动。' },
  explainNeverWoken: { en: 'The whole stack is kthread() sleeping before it calls the thread function: the thread was created with kthread_create() and nobody called wake_up_process() on it. Nothing is locked or waited for; the bug is in the code that creates the thread (the driver that owns {{task}}) and keeps the wake-up on a path that did not run.', zh: '整个调用栈就是 kthread() 在调用线程函数之前睡眠：线程用 kthread_create() 创建后没有人对它调用 wake_up_process()。没有任何锁或等待；bug 在创建该线程的代码里（{{task}} 所属的驱动），它把唤醒放在了一条没有执行的路径上。' },
  evHeader: { en: '{{task}} in D state{{secs}}', zh: '{{task}} 处于 D 状态{{secs}}' },
  evWait: { en: '{{waitFn}}: {{what}}', zh: '{{waitFn}}：{{what}}' },
  evCulprit: { en: '{{fn}}: where the task chose to wait', zh: '{{fn}}：任务在这里开始等待' },
  evHeld: { en: '{{owner}} holds {{lock}}, taken in {{site}}', zh: '{{owner}} 持有 {{lock}}，在 {{site}} 中获取' },
  evOtherBlocked: { en: 'another task blocked on a lock at the same time', zh: '同一时间另一个阻塞在锁上的任务' },
  evNeverWoken: { en: 'kthread() itself: the thread function never started', zh: 'kthread() 本身：线程函数从未开始运行' },
  stepForeach: { en: 'crash> ps -m | grep UN     crash> foreach UN bt     (every blocked task: one of them is the root, the others wait on it)', zh: 'crash> ps -m | grep UN     crash> foreach UN bt（所有被阻塞的任务：其中一个是根源，其他都在等它）' },
  stepMutex: { en: 'crash> struct mutex <address from RDI of the mutex_lock frame, or bt -f>     (owner: the task holding it)', zh: 'crash> struct mutex <mutex_lock 帧中 RDI 或 bt -f 得到的地址>（owner 字段就是持有者）' },
  stepRwsem: { en: 'crash> struct rw_semaphore <address>     (owner and count: who holds it, readers or a writer)', zh: 'crash> struct rw_semaphore <地址>（owner 和 count：谁持有，是读者还是写者）' },
  stepIo: { en: 'crash> dev -d     (in-flight requests per disk), and the log above for I/O errors, timeouts and path failures', zh: 'crash> dev -d（每个磁盘上未完成的请求），并在上文日志中查找 I/O 错误、超时和路径故障' },
  stepOwner: { en: 'Read {{site}}: every path after it takes {{lock}} must release it, and nothing it waits for may need a lock {{task}} holds.', zh: '阅读 {{site}}：它获取 {{lock}} 之后的每条路径都必须释放它，而且它等待的任何东西都不能依赖 {{task}} 持有的锁。' },
  stepOrder: { en: 'Decide the order of the locks and waits in {{fn}} and in the other blocked task\'s path, and change the path that takes them the other way (or that waits while holding one).', zh: '确定 {{fn}} 与另一个被阻塞任务路径上的加锁与等待顺序，修改顺序相反（或持锁时等待）的那条路径。' },
  stepWake: { en: 'Find where {{task}} is created (kthread_create/kthread_run) and make sure wake_up_process() runs on every path that creates it, or use kthread_run().', zh: '找到 {{task}} 的创建位置（kthread_create/kthread_run），确保每条创建它的路径都会调用 wake_up_process()，或者改用 kthread_run()。' },
  stepSysrq: { en: 'echo w > /proc/sysrq-trigger on a live system dumps all blocked tasks; hung_task_panic=1 captures a vmcore at the first occurrence.', zh: '在运行中的系统上 echo w > /proc/sysrq-trigger 可以打印所有被阻塞的任务；设置 hung_task_panic=1 可以在第一次出现时抓到 vmcore。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

interface Blocked {
  r: CrashReport;
  index: number;
  header: number;
  comm: string;
  pid: string;
  secs: string | null;
  kind: WaitKind;
  waitFrame: Frame | null;
  blame: Blame;
}

function blockedTasks(ctx: RuleContext): Blocked[] {
  return reportsWhere(ctx, HEADER).map((hit) => {
    const r = hit.report;
    const frames = reportFrames(r).filter((f) => f.reliable && f.function !== null);
    let kind: WaitKind = 'other';
    let waitFrame: Frame | null = null;
    for (const f of frames) {
      const w = WAITS.find((x) => x.re.test(baseName(f.function as string)));
      if (w) {
        kind = w.kind;
        waitFrame = f;
        break;
      }
    }
    return {
      r,
      index: hit.index,
      header: hit.header.no,
      comm: (hit.match[1] ?? hit.match[4]).trim(),
      pid: hit.match[2] ?? hit.match[5],
      // A console that wrapped the header leaves the number on the next line.
      secs: hit.match[3] ?? hit.match[6] ?? null,
      kind,
      waitFrame,
      blame: blameReport(r, 'wait', { detectedIn: null }),
    };
  });
}

/** Lockdep's held-lock lists printed with the hung-task reports ("Showing all locks held in the system"). */
function heldListsNear(ctx: RuleContext, blocked: readonly Blocked[]): HeldLockList[] {
  if (blocked.length === 0) return [];
  const from = blocked[0].r.startLine;
  const to = Math.max(...blocked.map((b) => b.r.endLine)) + 600;
  return readLockdep(ctx, { ...blocked[0].r, startLine: from, endLine: to }).heldLists;
}

const sameLock = (a: LockRef, b: LockRef): boolean => (a.address !== null && b.address !== null ? a.address === b.address : a.name === b.name);

export const hungTask: Rule = {
  meta: {
    id: 'KT-hung-task',
    rootCauseClass: 'hung-task-io',
    summary: { en: 'A task stayed in D state (uninterruptible sleep) past the hung-task timeout: what it waits for, who holds it, where', zh: '任务处于 D 状态（不可中断睡眠）超过了 hung task 超时：它在等什么、被谁占着、在哪里等' },
    docs: {
      en: `Looks for "INFO: task COMM:PID blocked for more than N seconds." and the blocked task's stack.
khungtaskd found a task in TASK_UNINTERRUPTIBLE that had not been scheduled in for
hung_task_timeout_secs. The class follows what it waits on:
- I/O (io_schedule, folio_wait_bit, wait_on_buffer, get_request_wait): hung-task-io, the culprit
  is the code that issued the I/O (the first frame below the block-layer helpers).
- A lock (mutex_lock, rwsem_down_*, cv_wait): its owner is stuck. With lockdep's "Showing all
  locks held in the system" the owner is named: if the owner is blocked too, the tasks wait for
  each other (deadlock-abba); if the owner is not blocked, it returned with the lock held
  (lock-imbalance, blamed on the owner's acquisition site). Without the list, several tasks
  blocked on locks at once are an AB-BA deadlock.
- A completion, work flush or RCU grace period: the context that should signal never finished.
- A kthread sleeping in kthread() itself was created and never woken (class other).
What to do: "foreach UN bt" for every blocked task; "struct mutex ADDR" gives a mutex owner; for
I/O, check the device and its queue.`,
      zh: `匹配 "INFO: task COMM:PID blocked for more than N seconds." 以及被阻塞任务的调用栈。khungtaskd 发现
某个 TASK_UNINTERRUPTIBLE 状态的任务已经 hung_task_timeout_secs 秒没有被调度。根因分类取决于它在等什么：
- I/O（io_schedule、folio_wait_bit、wait_on_buffer、get_request_wait）：hung-task-io，嫌疑函数是发起这次
  I/O 的代码（块层辅助函数下面的第一个帧）。
- 锁（mutex_lock、rwsem_down_*、cv_wait）：持有者卡住了。有 lockdep 的 "Showing all locks held in the
  system" 时可以找到持有者：如果持有者也被阻塞，就是任务之间互相等待（deadlock-abba）；如果持有者没有
  被阻塞，说明它返回时仍持有这把锁（lock-imbalance，嫌疑是持有者获取锁的位置）。没有该列表时，多个任务
  同时阻塞在锁上就是 AB-BA 死锁。
- completion、工作项 flush 或 RCU 宽限期：本该发出通知的上下文一直没有完成。
- 睡在 kthread() 本身中的内核线程：被创建后从未被唤醒（分类 other）。
处理办法：用 "foreach UN bt" 查看所有被阻塞的任务；"struct mutex 地址" 可以看到 mutex 的持有者；如果是
I/O，检查设备及其队列。`,
    },
    references: ['kernel/hung_task.c', 'Documentation/admin-guide/sysctl/kernel.rst (hung_task_timeout_secs)', 'kernel/locking/lockdep.c: debug_show_all_locks()'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const blocked = blockedTasks(ctx);
    const lists = heldListsNear(ctx, blocked);
    const onLocks = blocked.filter((b) => b.kind === 'mutex' || b.kind === 'rwsem');
    for (const b of blocked) {
      const task = `${b.comm}/${b.pid}`;
      const frames = reportFrames(b.r).filter((f) => f.reliable && f.function !== null);
      const neverWoken = frames.length > 0 && frames.every((f) => NEVER_WOKEN.test(baseName(f.function as string)));
      const secs = b.secs ? msg('secsKnown', { secs: b.secs }) : msg('secsUnknown');
      const what = msg(`what_${b.kind}` as keyof typeof messages);
      const fn = b.blame.function ? (b.blame.module ? `${b.blame.function} [${b.blame.module}]` : b.blame.function) : null;
      // Lockdep names who holds the lock this task waits for (the last lock in its own list is the one it is acquiring).
      const mine = lists.find((l) => l.task !== null && (l.task === task || l.task.endsWith(`/${b.pid}`)));
      const wanted = (b.kind === 'mutex' || b.kind === 'rwsem') && mine && mine.locks.length > 0 ? mine.locks[mine.locks.length - 1] : null;
      const ownerList = wanted ? lists.find((l) => l !== mine && l.locks.some((x) => !isPseudoLock(x) && sameLock(x, wanted))) ?? null : null;
      const ownerLock = ownerList && wanted ? ownerList.locks.find((x) => sameLock(x, wanted)) ?? null : null;
      const ownerBlocked = ownerList ? blocked.some((x) => ownerList.task !== null && (ownerList.task.endsWith(`/${x.pid}`) || ownerList.task === `${x.comm}/${x.pid}`)) : false;
      let cls: RootCauseClass;
      let modelHeld: ReturnType<typeof modelOwner> = null;
      let rcuHeld: ReturnType<typeof rcuHolder> = null;
      let consequence = false;
      let secondary: RootCauseClass[] = [];
      let culprit: Blame | null = b.blame;
      let summary: L10n;
      const paras: L10n[] = [];
      const evidence: FindingDraft['evidence'] = [{ line: b.header, note: msg('evHeader', { task, secs }) }];
      const data = { task, secs, what, fn, waitFn: b.waitFrame ? baseName(b.waitFrame.function as string) : null, where: fn ? msg('whereFn', { fn }) : null, lock: wanted?.name ?? null, owner: ownerList?.task ?? null, site: ownerLock?.at?.function ?? null, n: onLocks.length };
      if (neverWoken) {
        cls = 'other';
        culprit = null;
        summary = msg('summaryNeverWoken', data);
        paras.push(msg('explainNeverWoken', data));
        const k = frames.find((f) => baseName(f.function as string) === 'kthread');
        if (k) evidence.push({ line: k.line, note: msg('evNeverWoken') });
      } else {
        paras.push(b.waitFrame && fn ? msg('explainBlocked', data) : msg('explainBlockedPlain', data));
        if (b.waitFrame) evidence.push({ line: b.waitFrame.line, note: msg('evWait', data) });
        if (b.blame.line !== null && fn) evidence.push({ line: b.blame.line, note: msg('evCulprit', data) });
        if (ownerList && ownerLock?.at && !ownerBlocked) {
          cls = 'lock-imbalance';
          culprit = blameOfSite(ownerLock.at, 'printed') ?? b.blame;
          summary = msg('summaryLeaked', data);
          paras.push(msg('explainOwnerRunning', data));
          evidence.push({ line: ownerLock.line, note: msg('evHeld', data) });
        } else if (ownerList && ownerLock) {
          cls = 'deadlock-abba';
          summary = msg('summaryDeadlock', data);
          paras.push(msg('explainOwnerBlocked', { ...data, site: ownerLock.at?.function ?? ownerLock.name }));
          evidence.push({ line: ownerLock.line, note: msg('evHeld', { ...data, site: ownerLock.at?.function ?? '?' }) });
        } else if ((b.kind === 'mutex' || b.kind === 'rwsem') && (modelHeld = modelOwner(machineOf(ctx.analysis), Number(b.pid))) !== null) {
          // No lockdep list, but the dump names the owner (crash's owner field, the lock's address on its stack).
          const md = { ...data, lock: modelHeld.lock, owner: modelHeld.owner, site: modelHeld.site ?? '?' };
          evidence.push({ line: modelHeld.line, note: msg('evHeld', md) });
          if (modelHeld.blocked) {
            cls = 'deadlock-abba';
            summary = msg('summaryDeadlock', md);
            paras.push(msg('explainOwnerBlockedModel', md));
          } else {
            cls = 'lock-imbalance';
            culprit = modelHeld.site ? { ...b.blame, function: modelHeld.site, module: modelHeld.module, line: modelHeld.line } : b.blame;
            summary = msg('summaryLeaked', md);
            paras.push(msg('explainOwnerRunningModel', md));
          }
        } else if (b.kind === 'mutex' || b.kind === 'rwsem') {
          cls = 'deadlock-abba';
          secondary = onLocks.length > 1 ? [] : ['hung-task-io', 'lock-imbalance'];
          summary = msg('summary', data);
          paras.push(onLocks.length > 1 ? msg('explainLockSeveral', data) : msg('explainLock'));
          for (const o of onLocks.filter((x) => x !== b).slice(0, 2)) evidence.push({ line: o.header, note: msg('evOtherBlocked') });
        } else if (b.kind === 'io' || b.kind === 'page' || b.kind === 'other') {
          cls = 'hung-task-io';
          summary = msg('summary', data);
          if (b.kind !== 'other') paras.push(msg('explainIo'));
        } else if ((b.kind === 'rcu' || b.kind === 'completion') && (rcuHeld = rcuHolder(machineOf(ctx.analysis), Number(b.pid))) !== null) {
          // The grace period it waits for is held up by what an RCU stall names: the hung task is its consequence.
          cls = 'other';
          const rd = { ...data, who: rcuHeld.who, fn: rcuHeld.function ?? '?' };
          culprit = rcuHeld.function ? { ...b.blame, function: rcuHeld.function, module: rcuHeld.module, line: rcuHeld.line } : b.blame;
          summary = msg('summaryRcuHeld', rd);
          paras.push(msg('explainRcuHeld', rd));
          evidence.push({ line: rcuHeld.line, note: msg('evRcuHeld', rd) });
          consequence = true;
        } else {
          cls = 'other';
          secondary = ['deadlock-abba'];
          summary = msg('summary', data);
          paras.push(msg('explainWaitOther'));
        }
      }
      const nextSteps: L10n[] = [];
      if (neverWoken) nextSteps.push(msg('stepWake', data));
      else {
        nextSteps.push(msg('stepForeach'));
        if (b.kind === 'mutex') nextSteps.push(msg('stepMutex'));
        if (b.kind === 'rwsem') nextSteps.push(msg('stepRwsem'));
        if (b.kind === 'io' || b.kind === 'page') nextSteps.push(msg('stepIo'));
        if (ownerLock?.at) nextSteps.push(msg('stepOwner', { ...data, site: ownerLock.at.function }));
        else if ((b.kind === 'mutex' || b.kind === 'rwsem') && fn) nextSteps.push(msg('stepOrder', data));
        nextSteps.push(msg('stepSysrq'));
      }
      out.push({
        report: b.index,
        rootCauseClass: cls,
        secondaryClasses: secondary,
        // A consequence of the RCU stall ranks below the stall's own finding.
        confidence: consequence ? 0.5 : ownerLock ? 0.8 : b.waitFrame ? 0.7 : 0.55,
        summary,
        explanation: paragraphs(paras),
        evidence,
        culprit: culprit ? culpritOfBlame(culprit) : null,
        nextSteps,
        facts: { task, seconds: b.secs ? Number(b.secs) : null, waitKind: b.kind, waitFrame: data.waitFn, lockWaitedFor: wanted?.name ?? null, lockOwner: ownerList?.task ?? null, ownerBlocked, neverWoken },
      });
    }
    return out;
  },
};
