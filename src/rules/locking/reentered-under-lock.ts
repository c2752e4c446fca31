// One stack enters the same function twice through an allocation or a callback, and blocks on a lock: the outer call holds it.

import type { Frame } from '../../model/types';
import { allStacks, framesOf } from '../stacks';
import { baseName, dispatcherOf, isOwnFrame, roleOf } from '../blame';
import { messenger } from '../messages';
import type { FindingDraft, Rule } from '../types';

const messages = {
  summary: {
    en: '{{fn}}{{mod}} re-entered itself through {{through}} and blocks in {{wait}}: the outer call holds what the inner one waits for',
    zh: '{{fn}}{{mod}} 经由{{through}}重入了自己，并阻塞在 {{wait}}：外层调用持有内层调用所等待的东西',
  },
  explain: {
    en: '{{fn}} appears twice on one stack (lines {{outerLine}} and {{innerLine}}). Between the two calls the stack goes through {{through}} ({{via}}), so the inner call is not a recursion the code meant: it is the same path entered again while the outer call is still inside it. The inner call blocks in {{wait}}; whatever the outer call took (a lock, a transaction, a page) is still held, by this very task, so the wait never ends: a self-deadlock.',
    zh: '{{fn}} 在同一个调用栈上出现了两次（第 {{outerLine}} 行和第 {{innerLine}} 行）。两次调用之间经过了{{through}}（{{via}}），所以内层调用并不是代码有意的递归：而是外层调用尚未退出时同一路径被再次进入。内层调用阻塞在 {{wait}}；外层调用拿到的东西（锁、事务、页）仍由这个任务自己持有，所以等待永远不会结束：这是自死锁。',
  },
  explainReclaim: {
    en: 'An allocation made inside {{fn}} was allowed to enter reclaim or compaction, which wrote back pages through the same code. Allocations made while holding such state must not recurse into it: use GFP_NOFS/GFP_NOIO (or memalloc_nofs_save()) in that path.',
    zh: '{{fn}} 内部的一次内存分配被允许进入回收或规整，而回收又通过同一段代码回写页面。持有这种状态时进行的分配不能递归回来：在这条路径上使用 GFP_NOFS/GFP_NOIO（或 memalloc_nofs_save()）。',
  },
  explainCallback: {
    en: 'A callback invoked inside {{fn}} called back into it. Either the callback must not re-enter, or {{fn}} must drop what it holds before invoking callbacks.',
    zh: '{{fn}} 内部调用的回调又调用回了它。要么回调不能重入，要么 {{fn}} 在调用回调之前必须释放它持有的东西。',
  },
  throughReclaim: { en: 'memory allocation and reclaim', zh: '内存分配与回收' },
  throughCallback: { en: 'a callback', zh: '回调' },
  evOuter: { en: 'the outer call of {{fn}}: it still holds its state', zh: '{{fn}} 的外层调用：它仍持有自己的状态' },
  evInner: { en: 'the same function entered again', zh: '同一个函数被再次进入' },
  evVia: { en: '{{via}}: how the outer call led back into it', zh: '{{via}}：外层调用如何又绕回到它' },
  evWait: { en: '{{wait}}: the inner call blocks here', zh: '{{wait}}：内层调用阻塞在这里' },
  stepRead: { en: 'Read {{fn}} between its entry and the call at line {{outerLine}}: what it holds there, and why the call may re-enter.', zh: '阅读 {{fn}} 从入口到第 {{outerLine}} 行调用之间的代码：它在那里持有什么，以及这次调用为什么会重入。' },
  stepGfp: { en: 'Make the allocation in that window GFP_NOFS/GFP_NOIO, or wrap the window in memalloc_nofs_save()/memalloc_nofs_restore().', zh: '把这段区间内的分配改为 GFP_NOFS/GFP_NOIO，或者用 memalloc_nofs_save()/memalloc_nofs_restore() 包住这段区间。' },
  stepLockdep: { en: 'Reproduce with CONFIG_PROVE_LOCKING=y: lockdep reports the recursion (and fs_reclaim dependencies) before it hangs.', zh: '打开 CONFIG_PROVE_LOCKING=y 复现：lockdep 会在挂死之前报告这种递归（以及 fs_reclaim 依赖）。' },
} as const;

const msg = messenger(messages);

/** Where a task blocks: lock and wait primitives at the top of the stack. */
function waitAtTop(frames: readonly Frame[]): Frame | null {
  for (const f of frames.slice(0, 8)) {
    if (!f.reliable || !f.function) continue;
    const r = roleOf(f.function);
    if (r?.role === 'primitive' && (r.family === 'lock primitives' || r.family === 'sleeping and waiting')) return f;
    if (r === null) return null;
  }
  return null;
}

export const reenteredUnderLock: Rule = {
  meta: {
    id: 'KT-reentered-under-lock',
    rootCauseClass: 'deadlock-aa',
    summary: { en: 'A function re-entered through an allocation or a callback blocks on what its outer call holds', zh: '经由内存分配或回调重入的函数阻塞在其外层调用所持有的东西上' },
    docs: {
      en: `Looks at every stack (of a report, a crash bt, or a pasted trace with no header) for the same
function twice, with an allocation (reclaim, compaction, writeback) or a callback dispatcher
between the two calls, and a lock or wait primitive at the top. The inner call waits for what
the outer call holds: the task deadlocks on itself (AA), and nothing else can release it.
The typical case is a file system or block driver whose writeback allocates with GFP_KERNEL:
the allocation enters reclaim, which writes pages back through the same file system.
What to do: in the outer function, find what is held across the call that re-enters; make
allocations there GFP_NOFS/GFP_NOIO (memalloc_nofs_save()), or drop the lock before calling out.`,
      zh: `检查每个调用栈（报告中的、crash bt 的，或者没有报告头的粘贴栈），找同一个函数出现两次、两次之间
经过内存分配（回收、规整、回写）或回调分发、且栈顶是锁或等待原语的情形。内层调用在等外层调用持有的
东西：任务自己锁死了自己（AA），没有其他人能释放。
典型情形是文件系统或块设备驱动在回写时用 GFP_KERNEL 分配内存：分配进入回收，回收又通过同一个文件
系统回写页面。
处理办法：在外层函数中找出跨越重入调用而持有的东西；把那里的分配改为 GFP_NOFS/GFP_NOIO
（memalloc_nofs_save()），或者在调用出去之前释放锁。`,
    },
    references: ['Documentation/core-api/gfp_mask-from-fs-io.rst', 'include/linux/sched/mm.h: memalloc_nofs_save()'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    const seen = new Set<string>();
    for (const s of allStacks(ctx.analysis)) {
      const frames = framesOf(s.trace);
      const wait = waitAtTop(frames);
      if (!wait) continue;
      const reliable = frames.filter((f) => f.reliable && f.function);
      const firstAt = new Map<string, number>();
      let hit: { inner: number; outer: number } | null = null;
      reliable.forEach((f, i) => {
        if (hit || !isOwnFrame(f)) return;
        const name = baseName(f.function as string);
        const prev = firstAt.get(name);
        if (prev === undefined) firstAt.set(name, i);
        else if (i - prev > 1) hit = { inner: prev, outer: i };
      });
      if (!hit) continue;
      const { inner, outer } = hit as { inner: number; outer: number };
      const between = reliable.slice(inner + 1, outer);
      const alloc = between.find((f) => roleOf(f.function as string)?.family === 'allocators');
      const dispatch = alloc ? null : between.find((f) => dispatcherOf(f.function as string) !== null);
      const via = alloc ?? dispatch;
      if (!via) continue;
      const outerFrame = reliable[outer];
      const fn = baseName(outerFrame.function as string);
      const key = `${fn}:${outerFrame.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const through = alloc ? msg('throughReclaim') : msg('throughCallback');
      const data = { fn, mod: outerFrame.module ? ` [${outerFrame.module}]` : '', through, via: baseName(via.function as string), wait: baseName(wait.function as string), outerLine: outerFrame.line, innerLine: reliable[inner].line };
      out.push({
        report: s.report ?? undefined,
        confidence: alloc ? 0.78 : 0.7,
        summary: msg('summary', data),
        explanation: { en: [msg('explain', data).en, msg(alloc ? 'explainReclaim' : 'explainCallback', data).en].join('\n\n'), zh: [msg('explain', data).zh, msg(alloc ? 'explainReclaim' : 'explainCallback', data).zh].join('\n\n') },
        evidence: [
          { line: outerFrame.line, note: msg('evOuter', data) },
          { line: reliable[inner].line, note: msg('evInner', data) },
          { line: via.line, note: msg('evVia', data) },
          { line: wait.line, note: msg('evWait', data) },
        ],
        culprit: { function: fn, module: outerFrame.module },
        nextSteps: [msg('stepRead', data), ...(alloc ? [msg('stepGfp', data)] : []), msg('stepLockdep', data)],
        facts: { reentered: fn, through: alloc ? 'allocation' : 'callback', via: data.via, blockedIn: data.wait },
      });
    }
    return out;
  },
};
