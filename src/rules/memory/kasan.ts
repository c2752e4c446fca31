// KASAN reports: the bad access, the object it hit, and who allocated and freed that object.

import { baseName, blameOfFrame, blameReport, culpritOfBlame, isOwnFrame, reportFrames, trackFrames, type Blame } from '../blame';
import type { CallTrace, CrashReport, Frame } from '../../model/types';
import { framesOf } from '../stacks';
import type { FindingDraft, RootCauseClass, Rule, RuleContext } from '../types';
import { culpritEvidence, disStep, ev, linesOf, paragraphs, reportsWhere, steps, t, taskOf, who, whoZh } from '../reports';

const HEADER = /BUG: KASAN: ([a-z-]+)(?: on address| in | at addr|$)/;

/** Allocator and KASAN plumbing at the top of Allocated/Freed tracks: never who allocated or freed. */
export const ALLOC_PLUMBING = /^(?:_+)?(?:kasan|kfence|kmsan)_\w+$|^(?:save_stack\w*|set_track\w*|stack_trace_save\w*|stack_depot\w*|kmem_cache_\w+|_*kmalloc\w*|kzalloc\w*|kcalloc\w*|kvmalloc\w*|kvzalloc\w*|kmemdup\w*|krealloc\w*|kfree\w*|kvfree\w*|_*slab_\w+|_*do_slab_\w+|slab_\w+|__cache_free|___cache_free|cache_free\w*|_*kmem_cache_\w+|do_kmem_cache_\w+|free_\w*hook\w*|alloc_\w*hook\w*|__alloc_pages\w*|alloc_pages\w*|__free_pages\w*|free_pages\w*|__get_free_pages|rcu_\w+|__rcu_\w+|kfree_rcu_\w+|srcu_\w+|call_rcu\w*|__do_softirq|handle_softirqs|run_ksoftirqd|smpboot_thread_fn|kthread|ret_from_fork\w*|irq_exit\w*|__irq_exit_rcu|poison_\w+|track_\w+|set_track_\w+|kmalloc_trace\w*|kmalloc_node\w*|__kmem_cache\w*|kvfree_call_rcu|skb_free_head|kfree_skbmem|__kfree_skb)$/;

export interface Track {
  trace: CallTrace;
  kind: 'alloc' | 'free';
  task: string | null;
  /** The first frame that is not allocator plumbing: who allocated or freed. */
  site: Frame | null;
}

export function tracks(r: CrashReport): Track[] {
  const out: Track[] = [];
  for (const tr of r.traces) {
    const m = /(?:^|\] |:\s)(Allocated|Freed)(?: by task (\d+))?/i.exec(tr.label ?? '');
    if (!m) continue;
    const frames = framesOf(tr).filter((f) => f.reliable && f.function !== null);
    out.push({ trace: tr, kind: /^alloc/i.test(m[1]) ? 'alloc' : 'free', task: m[2] ?? null, site: frames.find((f) => !ALLOC_PLUMBING.test(f.function as string)) ?? null });
  }
  return out;
}

interface ObjectInfo {
  cache: string | null;
  size: string | null;
  where: string | null;
  lines: number[];
}

function objectInfo(ctx: RuleContext, r: CrashReport): ObjectInfo {
  const o: ObjectInfo = { cache: null, size: null, where: null, lines: [] };
  for (const l of linesOf(ctx, r, /belongs to the cache|in cache \S+ size|is located \d+ bytes|Object at [0-9a-f]+, in cache|belongs to the variable|located in stack of task/, 6)) {
    const cache = /(?:belongs to the cache|in cache) (\S+?)(?:,)? (?:of )?size:? (\d+)/.exec(l.text);
    if (cache) {
      o.cache = cache[1];
      o.size = cache[2];
    }
    const where = /is located (\d+ bytes (?:inside|to the right|to the left)(?: of)?)/.exec(l.text);
    if (where) o.where = where[1];
    o.lines.push(l.no);
  }
  return o;
}

const KIND_TEXT: Record<string, { cls: RootCauseClass; en: string; zh: string }> = {
  'use-after-free': { cls: 'use-after-free', en: 'accessed memory that had already been freed', zh: '访问了已经释放的内存' },
  'slab-use-after-free': { cls: 'use-after-free', en: 'accessed a slab object that had already been freed', zh: '访问了已经释放的 slab 对象' },
  'double-free': { cls: 'use-after-free', en: 'freed an object that was already free', zh: '释放了一个已经释放过的对象' },
  'double-free-or-invalid-free': { cls: 'use-after-free', en: 'freed an object that was already free, or a pointer that is not the start of an object', zh: '释放了已释放的对象，或释放了一个不是对象起始地址的指针' },
  'invalid-free': { cls: 'memory-corruption', en: 'freed a pointer that is not the start of an allocated object', zh: '释放了一个不是已分配对象起始地址的指针' },
  'slab-out-of-bounds': { cls: 'memory-corruption', en: 'accessed beyond the end (or before the start) of a slab object', zh: '越过 slab 对象的边界访问（越界）' },
  'out-of-bounds': { cls: 'memory-corruption', en: 'accessed out of the bounds of an object', zh: '越界访问了对象' },
  'global-out-of-bounds': { cls: 'memory-corruption', en: 'accessed beyond a global variable', zh: '越界访问了全局变量' },
  'stack-out-of-bounds': { cls: 'memory-corruption', en: 'accessed beyond a local variable on the stack', zh: '越界访问了栈上的局部变量' },
  'vmalloc-out-of-bounds': { cls: 'memory-corruption', en: 'accessed beyond a vmalloc area', zh: '越界访问了 vmalloc 区域' },
  'wild-memory-access': { cls: 'memory-corruption', en: 'accessed an address that is no valid kernel memory (a wild pointer)', zh: '访问了不属于任何合法内核内存的地址（野指针）' },
  'user-memory-access': { cls: 'memory-corruption', en: 'dereferenced a user-space address directly', zh: '直接解引用了用户态地址' },
  'invalid-access': { cls: 'memory-corruption', en: 'accessed memory with a mismatching tag (tag-based KASAN: use-after-free or out-of-bounds)', zh: '访问的内存标签不匹配（基于标签的 KASAN：释放后使用或越界）' },
};

export const kasanReport: Rule = {
  meta: {
    id: 'KT-kasan',
    rootCauseClass: 'use-after-free',
    summary: t('KASAN caught a bad memory access: use-after-free, out-of-bounds, double or invalid free', 'KASAN 抓到非法内存访问：释放后使用、越界、重复释放或非法释放'),
    docs: t(
      `Looks for "BUG: KASAN: <kind> in FUNC" with its access line ("Read/Write of size N at addr A
by task T"), the object description ("belongs to the cache C of size N", "is located X bytes
inside/to the right of") and the "Allocated by task" / "Freed by task" stacks.
KASAN reports the access when it happens, so the first frame is the code that used the memory.
For a use-after-free the bug is a lifetime problem between that code and the free site: the
free stack shows who released the object while a reference was still held. For an
out-of-bounds access, the offset relative to the object size shows an off-by-one or a length
taken from untrusted input. A double/invalid free is reported at the second kfree().
What to do: compare the access stack with the free stack (which reference was not counted or
not cleared), check the size/length computation for out-of-bounds, and confirm with
"kmem -s ADDR" in a vmcore.`,
      `匹配 "BUG: KASAN: <类型> in 函数"，以及访问行（"Read/Write of size N at addr A by task T"）、
对象描述（"belongs to the cache C of size N"、"is located X bytes inside/to the right of"）和
"Allocated by task" / "Freed by task" 两个调用栈。
KASAN 在非法访问发生时就报告，所以第一帧就是使用这块内存的代码。对释放后使用来说，bug 是这段代码
和释放点之间的生命周期问题：释放栈说明了是谁在仍有引用的情况下释放了对象。对越界访问，访问位置相对
对象大小的偏移能看出是差一错误还是长度来自不可信输入。重复释放/非法释放在第二次 kfree() 时报告。
处理办法：对比访问栈和释放栈（哪个引用没有计数或没有清空），越界时检查大小/长度的计算，
有 vmcore 时用 "kmem -s 地址" 确认。`,
    ),
    references: ['Documentation/dev-tools/kasan.rst'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER)) {
      const kind = hit.match[1];
      if (kind === 'null-ptr-deref') continue;
      const r = hit.report;
      const info = KIND_TEXT[kind] ?? { cls: 'memory-corruption' as RootCauseClass, en: `made a bad access (${kind})`, zh: `发生了非法访问（${kind}）` };
      const uafKind = info.cls === 'use-after-free' || /use-after-free|double-free/.test(kind);
      const c = bufferOwner(r, uafKind ? 'free' : 'alloc') ?? blameReport(r, 'fault');
      const access = linesOf(ctx, r, /^(?:Read|Write) of size \d+/, 1)[0] ?? null;
      const am = access ? /^(Read|Write) of size (\d+)(?: at addr ([0-9a-f]+))?/.exec(access.text) : null;
      const obj = objectInfo(ctx, r);
      const tr = tracks(r);
      const alloc = tr.find((x) => x.kind === 'alloc') ?? null;
      const free = tr.find((x) => x.kind === 'free') ?? null;
      const evidence = [ev(hit.header.no, `KASAN: ${kind}`, `KASAN 报告的错误类型：${kind}`)];
      if (access && am) evidence.push(ev(access.no, `a ${am[1].toLowerCase()} of ${am[2]} bytes${am[3] ? ` at ${am[3]}` : ''}`, `${am[1] === 'Read' ? '读' : '写'} ${am[2]} 字节${am[3] ? `，地址 ${am[3]}` : ''}`));
      for (const no of obj.lines.slice(0, 2)) evidence.push(ev(no, 'the object the access hit', '被访问的对象'));
      evidence.push(...culpritEvidence(c, `${who(c)}: the access`, `${whoZh(c)}：发生非法访问的地方`));
      if (alloc?.site) evidence.push(ev(alloc.site.line, `${alloc.site.function}: allocated the object`, `${alloc.site.function}：分配了该对象`));
      if (free?.site) evidence.push(ev(free.site.line, `${free.site.function}: freed the object`, `${free.site.function}：释放了该对象`));
      const objEn = obj.cache ? `an object of cache ${obj.cache} (size ${obj.size})${obj.where ? `, ${obj.where} it` : ''}` : null;
      const objZh = obj.cache ? `cache ${obj.cache} 中的对象（大小 ${obj.size}）${obj.where ? `，访问位置：${obj.where}` : ''}` : null;
      const uaf = info.cls === 'use-after-free' || /use-after-free|double-free/.test(kind);
      out.push({
        report: hit.index,
        rootCauseClass: info.cls,
        confidence: alloc?.site || free?.site ? 0.88 : 0.8,
        summary: t(
          `KASAN ${kind}: ${who(c)} ${info.en}${free?.site ? `; freed by ${free.site.function}` : ''}`,
          `KASAN ${kind}：${whoZh(c)} ${info.zh}${free?.site ? `；释放者是 ${free.site.function}` : ''}`,
        ),
        explanation: paragraphs([
          t(`KASAN caught ${who(c)} as it ${info.en}${am ? ` (a ${am[1].toLowerCase()} of ${am[2]} bytes)` : ''}${taskOf(r) ? `, in ${taskOf(r)}` : ''}.${objEn ? ` The address is in ${objEn}.` : ''}`, `KASAN 抓到 ${whoZh(c)} ${info.zh}${am ? `（${am[1] === 'Read' ? '读' : '写'} ${am[2]} 字节）` : ''}${taskOf(r) ? `，发生在 ${taskOf(r)}` : ''}。${objZh ? `地址位于${objZh}。` : ''}`),
          uaf && free?.site
            ? t(`The object was allocated in ${alloc?.site?.function ?? '(unknown)'} and freed in ${free.site.function}${free.task ? ` by task ${free.task}` : ''}. ${who(c)} still held a pointer to it: a reference that was not counted (missing get/put), not cleared on free, or a race between the free path and this user.`, `该对象在 ${alloc?.site?.function ?? '（未知）'} 中分配，在 ${free.site.function} 中${free.task ? `由任务 ${free.task} ` : ''}释放。${whoZh(c)} 仍持有指向它的指针：要么这个引用没有计数（缺少 get/put），要么释放时没有清空，要么释放路径和这里的使用存在竞争。`)
            : uaf
              ? t('The free stack is not in the log; the object was released while this code still referenced it.', '日志中没有释放栈；对象在这段代码仍引用它时被释放了。')
              : t(`For an out-of-bounds access compare the offset with the object size: just past the end is an off-by-one or a wrong size; far beyond is an index or length taken from input without a check.${alloc?.site ? ` The object was allocated in ${alloc.site.function}: check the size it asked for.` : ''}`, `对越界访问，比较访问偏移和对象大小：刚好越过末尾通常是差一错误或大小算错；远远越界则是索引或长度来自输入而没有检查。${alloc?.site ? `该对象在 ${alloc.site.function} 中分配：检查它申请的大小。` : ''}`),
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: steps(
          disStep(c, 'the instruction and source line of the bad access', '非法访问的指令和源码行'),
          am?.[3] ? t(`crash> kmem -s ${am[3]}     (the object, its cache and whether it is free)`, `crash> kmem -s ${am[3]}（对象本身、所属 cache、是否已释放）`) : null,
          free?.site ? t(`Read ${free.site.function} and every path that can reach it: who else keeps a pointer to this object, and is it dropped or reference-counted before the free?`, `阅读 ${free.site.function} 及所有能走到它的路径：还有谁保存了指向该对象的指针？释放前是否清空或通过引用计数保护？`) : null,
          !uaf && alloc?.site ? t(`Check the size computed in ${alloc.site.function} against the index/length used in ${c.function ?? 'the access'}.`, `核对 ${alloc.site.function} 中计算的大小与 ${c.function ?? '访问处'} 使用的索引/长度。`) : null,
          t('Reproduce with the same KASAN kernel; add CONFIG_DEBUG_OBJECTS / refcount tracking (ref_tracker) if the object is refcounted.', '用同一个 KASAN 内核复现；如果对象带引用计数，打开 CONFIG_DEBUG_OBJECTS / 引用跟踪（ref_tracker）。'),
        ),
        facts: { kasanKind: kind, access: am ? { op: am[1], size: Number(am[2]), address: am[3] ?? null } : null, cache: obj.cache, objectSize: obj.size, location: obj.where, allocatedBy: alloc?.site?.function ?? null, freedBy: free?.site?.function ?? null },
      });
    }
    return out;
  },
};

/**
 * The function that owns both sides of a bad access: for an out-of-bounds access, the first caller on the access
 * stack that also allocated the buffer (it sized the buffer and asked for the access); for a use after free, the
 * first caller that also dropped the object (it used what it had just released). Null when the stacks share none.
 */
function bufferOwner(r: CrashReport, track: 'alloc' | 'free'): Blame | null {
  const other = new Set(trackFrames(r, track).filter(isOwnFrame).map((f) => baseName(f.function as string)));
  if (other.size === 0) return null;
  const access = reportFrames(r).filter(isOwnFrame);
  const shared = access.find((f) => other.has(baseName(f.function as string)));
  if (!shared) return null;
  return blameOfFrame(shared, track === 'alloc' ? 'buffer-owner' : 'caller');
}
