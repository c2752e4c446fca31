// "INFO: task X:pid blocked for more than N seconds": what the D-state task waits for (I/O, a mutex, a completion) and where.

import type { Frame } from '../../model/types';
import { baseName, blameReport, culpritOfBlame, reportFrames } from '../blame';
import type { FindingDraft, RootCauseClass, Rule } from '../types';
import { ev, mainFrames, paragraphs, reportsWhere, steps, t } from '../reports';

const HEADER = /INFO: task (.{1,64}):(\d+) blocked for more than(?: (\d+))?|task (.{1,64}):(\d+) can't die for more than(?: (\d+))?/;

/** Wait primitives by what they wait for (data): the first match from the top of the stack decides. */
const WAITS: ReadonlyArray<{ re: RegExp; kind: 'io' | 'mutex' | 'rwsem' | 'completion' | 'work' | 'rcu' | 'page' | 'other'; en: string; zh: string }> = [
  { re: /^(?:io_schedule\w*|blk_mq_get_tag|blk_\w+wait\w*|wait_on_buffer|__wait_on_buffer|bit_wait_io|jbd2_\w+|submit_bio_wait|nfs_\w*wait\w*|rpc_wait_bit_killable|xfs_buf_\w*wait\w*|__lock_buffer|out_of_line_wait_on_bit)$/, kind: 'io', en: 'waiting for block/file-system I/O to complete', zh: '在等块设备/文件系统 I/O 完成' },
  { re: /^(?:wait_on_page_bit\w*|folio_wait\w*|__folio_lock\w*|__lock_page\w*|wait_on_page_writeback|folio_wait_bit_common)$/, kind: 'page', en: 'waiting for a page lock or page writeback (I/O on that page)', zh: '在等页锁或页回写（该页上的 I/O）' },
  { re: /^(?:__mutex_lock\w*|mutex_lock\w*|mutex_lock_nested|__mutex_lock_common|rt_mutex_\w+|cv_wait\w*|__cv_wait\w*|cv_timedwait\w*|rw_enter|mutex_enter)$/, kind: 'mutex', en: 'waiting for a mutex another task holds', zh: '在等另一个任务持有的 mutex' },
  { re: /^(?:rwsem_down_\w+|down_read\w*|down_write\w*|__down_\w+|down)$/, kind: 'rwsem', en: 'waiting for a rw-semaphore (mmap_lock, i_rwsem, ...) another task holds', zh: '在等另一个任务持有的读写信号量（mmap_lock、i_rwsem 等）' },
  { re: /^(?:flush_work|__flush_work|flush_workqueue|__flush_workqueue|drain_workqueue|cancel_work_sync|__cancel_work_timer|flush_delayed_work)$/, kind: 'work', en: 'waiting for a work item to finish', zh: '在等一个工作项执行完' },
  { re: /^(?:synchronize_rcu\w*|synchronize_srcu\w*|rcu_barrier\w*|synchronize_net|__synchronize_srcu|wait_rcu_gp)$/, kind: 'rcu', en: 'waiting for an RCU grace period', zh: '在等 RCU 宽限期结束' },
  { re: /^(?:wait_for_completion\w*|__wait_for_common|wait_for_common\w*|kthread_stop)$/, kind: 'completion', en: 'waiting for a completion another context must signal', zh: '在等另一个上下文发出的 completion' },
];

/** A kthread that was created and never woken sleeps in kthread() itself. */
const NEVER_WOKEN = /^(?:__switch_to\w*|__schedule|schedule|schedule_preempt_disabled|kthread|ret_from_fork\w*|context_switch)$/;

/** Frames of a task blocked on a lock. */
const LOCK_WAIT = /^(?:__mutex_lock\w*|mutex_lock\w*|rwsem_down_\w+|down_read\w*|down_write\w*|__down\w*|rt_mutex_\w+|cv_wait\w*|__cv_wait\w*|percpu_down_\w+)$/;


export const hungTask: Rule = {
  meta: {
    id: 'KT-hung-task',
    rootCauseClass: 'hung-task-io',
    summary: t('A task stayed in D state (uninterruptible sleep) past the hung-task timeout: what it waits for and where', '任务处于 D 状态（不可中断睡眠）超过了 hung task 超时：它在等什么、在哪里等'),
    docs: t(
      `Looks for "INFO: task COMM:PID blocked for more than N seconds." and the blocked task's stack.
khungtaskd found a task in TASK_UNINTERRUPTIBLE that had not been scheduled in for
hung_task_timeout_secs. The stack tells what it waits for: io_schedule / folio_wait_bit /
wait_on_buffer (block I/O that never completes: a device, multipath or NFS server problem),
mutex_lock / rwsem_down_* (a lock held by another task that is itself stuck: find the owner,
lockdep's "locks held" list names it), wait_for_completion / flush_work / synchronize_rcu (the
context that should signal never ran or is stuck).
The culprit is the function that chose to wait (the first frame below the wait primitives);
the root cause is whoever should have finished the I/O, released the lock or signalled.
What to do: "ps -m | grep UN" and "foreach UN bt" to see every blocked task; for a mutex,
"struct mutex ADDR" gives the owner; for I/O, check the device and its queue.`,
      `匹配 "INFO: task COMM:PID blocked for more than N seconds." 以及被阻塞任务的调用栈。khungtaskd 发现
某个 TASK_UNINTERRUPTIBLE 状态的任务已经 hung_task_timeout_secs 秒没有被调度。调用栈说明它在等什么：
io_schedule / folio_wait_bit / wait_on_buffer（块 I/O 一直不完成：设备、多路径或 NFS 服务器有问题），
mutex_lock / rwsem_down_*（锁被另一个自己也卡住了的任务持有：找到持有者，lockdep 的 "locks held"
列表会给出它），wait_for_completion / flush_work / synchronize_rcu（本该发出通知的上下文没有运行或卡住了）。
嫌疑函数是决定等待的函数（等待原语下面的第一个帧）；根因是本该完成 I/O、释放锁或发出通知的那一方。
处理办法：用 "ps -m | grep UN" 和 "foreach UN bt" 查看所有被阻塞的任务；如果是 mutex，
"struct mutex 地址" 可以看到持有者；如果是 I/O，检查设备及其队列。`,
    ),
    references: ['kernel/hung_task.c', 'Documentation/admin-guide/sysctl/kernel.rst (hung_task_timeout_secs)'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER)) {
      const r = hit.report;
      const comm = hit.match[1] ?? hit.match[4];
      const pid = hit.match[2] ?? hit.match[5];
      // A console that wrapped the header leaves the number on the next line.
      const secs = hit.match[3] ?? hit.match[6] ?? '?';
      const frames = mainFrames(r).filter((f) => f.reliable && f.function !== null);
      let wait: (typeof WAITS)[number] | null = null;
      let waitFrame: Frame | null = null;
      for (const f of frames) {
        const w = WAITS.find((x) => x.re.test(baseName(f.function as string)));
        if (w) {
          wait = w;
          waitFrame = f;
          break;
        }
      }
      const blame = blameReport(r, 'wait', { detectedIn: null });
      const culpritFrame = blame.function ? frames.find((f) => baseName(f.function as string) === blame.function) ?? null : null;
      // Created and never woken: nothing but the scheduler and kthread() itself on the stack.
      const neverWoken = frames.length > 0 && frames.every((f) => NEVER_WOKEN.test(baseName(f.function as string)));
      const lockWaiters = ctx.analysis.reports.filter((x) => HEADER.test(ctx.line(x.headerLine)?.text ?? '') && reportFrames(x).some((f) => f.reliable && f.function !== null && LOCK_WAIT.test(baseName(f.function))));
      const heldLines = [];
      for (let no = r.startLine; no <= r.endLine && heldLines.length < 4; no++) {
        const l = ctx.line(no);
        if (l && /^\s*#\d+: .*\{[.+?\-]+\}, at: /.test(l.text)) heldLines.push(l);
      }
      const evidence = [ev(hit.header.no, `${comm}/${pid} in D state for more than ${secs} s`, `${comm}/${pid} 处于 D 状态超过 ${secs} 秒`)];
      if (waitFrame) evidence.push(ev(waitFrame.line, `${waitFrame.function}: ${wait?.en}`, `${waitFrame.function}：${wait?.zh}`));
      if (culpritFrame) evidence.push(ev(culpritFrame.line, `${culpritFrame.function}: where the task chose to wait`, `${culpritFrame.function}：任务在这里开始等待`));
      for (const l of heldLines) evidence.push(ev(l.no, 'a lock held (lockdep): its owner may be the blocker', '持有的锁（lockdep）：它的持有者可能就是阻塞源'));
      const kind = wait?.kind ?? 'other';
      const cf = blame.function;
      const rootCauseClass: RootCauseClass = neverWoken ? 'other' : kind === 'io' || kind === 'page' ? 'hung-task-io' : kind === 'mutex' || kind === 'rwsem' ? 'deadlock-abba' : kind === 'completion' || kind === 'work' || kind === 'rcu' ? 'other' : 'hung-task-io';
      const secondaryClasses: RootCauseClass[] = rootCauseClass === 'deadlock-abba' ? (lockWaiters.length > 1 ? [] : ['hung-task-io', 'lock-imbalance']) : kind === 'completion' || kind === 'work' ? ['deadlock-abba'] : [];
      out.push({
        report: hit.index,
        rootCauseClass,
        secondaryClasses,
        confidence: wait ? 0.7 : 0.55,
        summary: t(`${comm}/${pid} blocked ${secs}+ s${wait ? `, ${wait.en}` : ''}${cf ? ` in ${cf}` : ''}`, `${comm}/${pid} 阻塞超过 ${secs} 秒${wait ? `，${wait.zh}` : ''}${cf ? `（位于 ${cf}）` : ''}`),
        explanation: paragraphs([
          t(`${comm}/${pid} has been in uninterruptible sleep for more than ${secs} seconds.${wait && waitFrame ? ` Its stack is in ${waitFrame.function}: it is ${wait.en}${cf ? `, on behalf of ${cf}` : ''}.` : ''}`, `${comm}/${pid} 处于不可中断睡眠已超过 ${secs} 秒。${wait && waitFrame ? `它的调用栈停在 ${waitFrame.function}：${wait.zh}${cf ? `，发起等待的是 ${cf}` : ''}。` : ''}`),
          kind === 'io' || kind === 'page'
            ? t('An I/O wait that lasts minutes means the request never completed: a device or path that stopped responding (check for SCSI/NVMe timeouts, multipath "remaining active paths: 0", NFS "server not responding" above), or a request lost by a driver. The waiting task is a victim.', 'I/O 等待持续几分钟，说明请求一直没有完成：设备或路径不再响应（检查上文有没有 SCSI/NVMe 超时、多路径 "remaining active paths: 0"、NFS "server not responding"），或者请求被驱动弄丢了。等待的任务只是受害者。')
            : kind === 'mutex' || kind === 'rwsem'
              ? t(`The lock is held by another task that is not releasing it: that owner is stuck elsewhere (often in I/O, or waiting for a lock this chain holds: a deadlock), or a path returned without unlocking.${heldLines.length > 0 ? ' Lockdep printed the locks held; the owner of the contended one is the task to look at.' : ''}`, `这把锁被另一个不释放它的任务持有：持有者卡在别处（常见是在等 I/O，或者在等本调用链持有的锁：死锁），或者某条路径返回时没有解锁。${heldLines.length > 0 ? 'lockdep 打印了持有的锁；要查的是争用那把锁的持有者。' : ''}`)
              : kind === 'completion' || kind === 'work' || kind === 'rcu'
                ? t('The context that should signal (a kthread, a work item, an RCU grace period, an interrupt) never ran to completion: look at what it is doing, or whether it was ever started.', '本该发出通知的上下文（内核线程、工作项、RCU 宽限期、中断）一直没有执行完：看看它在做什么，或者它是否根本没有启动。')
                : t('The stack does not show a well-known wait primitive; read it from the top to find what the task waits for.', '调用栈中没有常见的等待原语；从栈顶往下读，找出任务在等什么。'),
        ]),
        evidence,
        culprit: neverWoken ? null : culpritOfBlame(blame),
        nextSteps: steps(
          t('crash> ps -m | grep UN     crash> foreach UN bt     (every blocked task: one of them is the root, the others wait on it)', 'crash> ps -m | grep UN     crash> foreach UN bt（所有被阻塞的任务：其中一个是根源，其他都在等它）'),
          kind === 'mutex' ? t('crash> struct mutex <address from RDI of the mutex_lock frame, or bt -f>     (owner field: the task holding it)', 'crash> struct mutex <mutex_lock 帧中 RDI 或 bt -f 得到的地址>（owner 字段就是持有者）') : null,
          kind === 'rwsem' ? t('crash> struct rw_semaphore <address>     (owner and count: who holds it, readers or a writer)', 'crash> struct rw_semaphore <地址>（owner 和 count：谁持有，是读者还是写者）') : null,
          kind === 'io' || kind === 'page' ? t('crash> dev -d     (in-flight requests per disk)     and dmesg for I/O errors, timeouts, path failures', 'crash> dev -d（每个磁盘上未完成的请求）并在 dmesg 中查找 I/O 错误、超时、路径故障') : null,
          t('echo w > /proc/sysrq-trigger on a live system dumps all blocked tasks; set hung_task_panic=1 to capture a vmcore at the first occurrence.', '在运行中的系统上 echo w > /proc/sysrq-trigger 可以打印所有被阻塞的任务；设置 hung_task_panic=1 可以在第一次出现时抓到 vmcore。'),
        ),
        facts: { task: `${comm}/${pid}`, seconds: Number(secs), waitKind: kind, waitFrame: waitFrame?.function ?? null, locksHeld: heldLines.length },
      });
    }
    return out;
  },
};
