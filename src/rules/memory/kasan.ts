// KASAN reports: the bad access, the object it hit, and who allocated and freed that object.

import { baseName, blameOfFrame, blameReport, culpritOfBlame, firstOwnFrame, isOwnFrame, isRole, reportFrames, trackFrames, type Blame } from '../blame';
import type { CallTrace, CrashReport, Frame } from '../../model/types';
import { KASAN_KINDS } from '../../knowledge/sanitizers';
import { framesOf } from '../stacks';
import { messenger } from '../messages';
import type { FindingDraft, L10n, Rule, RuleContext } from '../types';
import { culpritLabel, linesOf, paragraphs, reportedIn, reportsWhere, taskLabel } from '../reports';

const HEADER = /BUG: KASAN: ([a-z-]{1,40}(?: or [a-z-]{1,40})?)(?: on address| in | at addr|$)/;
const ACCESS = /^\s{0,4}(Read|Write) of size (\d{1,10})(?: at addr ([0-9a-f]{8,16}))?/;

export interface Track {
  trace: CallTrace;
  kind: 'alloc' | 'free';
  task: string | null;
  /** The first frame that is not allocator or sanitizer plumbing: who allocated or freed. */
  site: Frame | null;
}

/** The "Allocated by task N:" and "Freed by task N:" stacks, each with the function that allocated or freed. */
export function tracks(r: CrashReport): Track[] {
  const out: Track[] = [];
  for (const tr of r.traces) {
    const m = /(?:^|\] |:\s)(Allocated|Freed)(?: by task (\d{1,10}))?/i.exec(tr.label ?? '');
    if (!m) continue;
    const frames = framesOf(tr).filter((f) => f.reliable && f.function !== null);
    // Entry plumbing (syscalls, softirq, kthread) is never who allocated; a helper may be, when nothing own is.
    const site = firstOwnFrame(frames) ?? frames.find((f) => isRole(f.function, 'helper')) ?? null;
    out.push({ trace: tr, kind: /^alloc/i.test(m[1]) ? 'alloc' : 'free', task: m[2] ?? null, site });
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

const messages = {
  summary: { en: 'KASAN {{kind}}: {{culprit}} {{did}}{{freedBy}}', zh: 'KASAN 报告 {{kind}}：{{culprit}} {{did}}{{freedBy}}' },
  summaryNoCulprit: { en: 'KASAN {{kind}}: the kernel {{did}}{{freedBy}}', zh: 'KASAN {{kind}}：内核{{did}}{{freedBy}}' },
  freedBy: { en: '; freed by {{fn}}', zh: '；释放者是 {{fn}}' },
  objRead: { en: 'read {{target}}', zh: '读取了{{target}}' },
  objWrite: { en: 'wrote to {{target}}', zh: '写入了{{target}}' },
  objAccess: { en: 'accessed {{target}}', zh: '访问了{{target}}' },
  boundsRead: { en: 'read past the bounds of {{target}}', zh: '越界读取了{{target}}' },
  boundsWrite: { en: 'wrote past the bounds of {{target}}', zh: '越界写入了{{target}}' },
  boundsAccess: { en: 'accessed past the bounds of {{target}}', zh: '越界访问了{{target}}' },
  freed: { en: 'freed {{target}}', zh: '释放了{{target}}' },
  unknownKind: { en: 'made a bad access ({{kind}})', zh: '发生了非法访问（{{kind}}）' },

  explainCaught: { en: 'KASAN caught {{culprit}} as it {{did}}{{size}}{{inTask}}.', zh: 'KASAN 抓到 {{culprit}} {{did}}{{size}}{{inTask}}。' },
  explainCaughtNoCulprit: { en: 'KASAN caught an access that {{did}}{{size}}{{inTask}}.', zh: 'KASAN 抓到一次非法访问：{{did}}{{size}}{{inTask}}。' },
  size: { en: ' ({{op}} of {{bytes}} bytes)', zh: '（{{op}} {{bytes}} 字节）' },
  opRead: { en: 'a read', zh: '读' },
  opWrite: { en: 'a write', zh: '写' },
  inTask: { en: ', in {{task}}', zh: '，发生在 {{task}}' },
  object: { en: 'The address is in an object of cache {{cache}} (size {{objSize}}){{where}}.', zh: '地址位于 cache {{cache}} 中的对象（大小 {{objSize}}）{{where}}。' },
  objectWhere: { en: ', {{where}} it', zh: '，访问位置：{{where}}' },
  uafStacks: {
    en: 'The object was allocated in {{alloc}} and freed in {{free}}{{byTask}}. {{user}} still held a pointer to it: a reference that was not counted (missing get/put), not cleared on free, or a race between the free path and this user.',
    zh: '该对象在 {{alloc}} 中分配，在 {{free}} 中{{byTask}}释放。{{user}} 仍持有指向它的指针：要么这个引用没有计数（缺少 get/put），要么释放时没有清空，要么释放路径和这里的使用存在竞争。',
  },
  uafFreeOnly: {
    en: 'The object was freed in {{free}}{{byTask}}. {{user}} still held a pointer to it: a reference that was not counted (missing get/put), not cleared on free, or a race between the free path and this user.',
    zh: '该对象在 {{free}} 中{{byTask}}释放。{{user}} 仍持有指向它的指针：要么这个引用没有计数（缺少 get/put），要么释放时没有清空，要么释放路径和这里的使用存在竞争。',
  },
  byTask: { en: ' by task {{task}}', zh: '由任务 {{task}} ' },
  userCode: { en: 'The accessing code', zh: '访问它的代码' },
  uafNoFree: { en: 'The free stack is not in the log; the object was released while this code still referenced it.', zh: '日志中没有释放栈；对象在这段代码仍引用它时被释放了。' },
  sameFunction: { en: '{{fn}} is on the access stack and on the {{track}} stack: it {{role}} and is the one to read first.', zh: '{{fn}} 同时出现在访问栈和{{track}}栈上：它{{role}}，应当首先阅读它。' },
  trackAlloc: { en: 'allocation', zh: '分配' },
  trackFree: { en: 'free', zh: '释放' },
  roleAlloc: { en: 'sized the buffer and asked for the access', zh: '决定了缓冲区的大小，又发起了这次访问' },
  roleFree: { en: 'used what it had just released', zh: '使用了自己刚释放的东西' },
  oob: { en: 'For an out-of-bounds access compare the offset with the object size: just past the end is an off-by-one or a wrong size; far beyond is an index or length taken from input without a check.', zh: '对越界访问，比较访问偏移和对象大小：刚好越过末尾通常是差一错误或大小算错；远远越界则是索引或长度来自输入而没有检查。' },
  oobAlloc: { en: 'The object was allocated in {{alloc}}: check the size it asked for.', zh: '该对象在 {{alloc}} 中分配：检查它申请的大小。' },

  evHeader: { en: 'KASAN: {{kind}}', zh: 'KASAN 报告的错误类型：{{kind}}' },
  evAccess: { en: '{{op}} of {{bytes}} bytes{{at}}', zh: '{{op}} {{bytes}} 字节{{at}}' },
  evAt: { en: ' at {{address}}', zh: '，地址 {{address}}' },
  evObject: { en: 'the object the access hit', zh: '被访问的对象' },
  evCulprit: { en: '{{culprit}}: the access', zh: '{{culprit}}：发生非法访问的地方' },
  evAlloc: { en: '{{fn}}: allocated the object', zh: '{{fn}}：分配了该对象' },
  evFree: { en: '{{fn}}: freed the object', zh: '{{fn}}：释放了该对象' },

  stepDis: { en: 'crash> dis -l {{location}}     (the instruction and source line of the bad access)', zh: 'crash> dis -l {{location}}（非法访问的指令和源码行）' },
  stepKmem: { en: 'crash> kmem -s {{address}}     (the object, its cache and whether it is free)', zh: 'crash> kmem -s {{address}}（对象本身、所属 cache、是否已释放）' },
  stepFree: { en: 'Read {{fn}} and every path that can reach it: who else keeps a pointer to this object, and is it dropped or reference-counted before the free?', zh: '阅读 {{fn}} 及所有能走到它的路径：还有谁保存了指向该对象的指针？释放前是否清空或通过引用计数保护？' },
  stepSize: { en: 'Check the size computed in {{alloc}} against the index or length used in {{fn}}.', zh: '核对 {{alloc}} 中计算的大小与 {{fn}} 使用的索引或长度。' },
  stepSizeNoCulprit: { en: 'Check the size computed in {{alloc}} against the index or length used by the access.', zh: '核对 {{alloc}} 中计算的大小与访问处使用的索引或长度。' },
  stepRepro: { en: 'Reproduce with the same KASAN kernel; add CONFIG_DEBUG_OBJECTS or reference tracking (ref_tracker) if the object is reference-counted.', zh: '用同一个 KASAN 内核复现；如果对象带引用计数，打开 CONFIG_DEBUG_OBJECTS 或引用跟踪（ref_tracker）。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

export const kasanReport: Rule = {
  meta: {
    id: 'KT-kasan',
    rootCauseClass: 'use-after-free',
    summary: { en: 'KASAN caught a bad memory access: use-after-free, out-of-bounds, double or invalid free', zh: 'KASAN 抓到非法内存访问：释放后使用、越界、重复释放或非法释放' },
    docs: {
      en: `Looks for "BUG: KASAN: <kind> in FUNC" with its access line ("Read/Write of size N at addr A
by task T"), the object description ("belongs to the cache C of size N", "is located X bytes
inside/to the right of") and the "Allocated by task" / "Freed by task" stacks.
KASAN reports the access when it happens, so the first frame is the code that used the memory.
For a use-after-free the bug is a lifetime problem between that code and the free site: the
free stack shows who released the object while a reference was still held. For an
out-of-bounds access, the offset relative to the object size shows an off-by-one or a length
taken from untrusted input. A double/invalid free is reported at the second kfree().
The culprit: for an out-of-bounds access, the first caller on the access stack that also
allocated the buffer (it sized the buffer and asked for the access); for a use-after-free, the
first caller that also freed the object; otherwise the first frame past KASAN and the
primitives. The kinds and their classes are data (src/knowledge/sanitizers.ts).
What to do: compare the access stack with the free stack (which reference was not counted or
not cleared), check the size/length computation for out-of-bounds, and confirm with
"kmem -s ADDR" in a vmcore.`,
      zh: `匹配 "BUG: KASAN: <类型> in 函数"，以及访问行（"Read/Write of size N at addr A by task T"）、
对象描述（"belongs to the cache C of size N"、"is located X bytes inside/to the right of"）和
"Allocated by task" / "Freed by task" 两个调用栈。
KASAN 在非法访问发生时就报告，所以第一帧就是使用这块内存的代码。对释放后使用来说，bug 是这段代码
和释放点之间的生命周期问题：释放栈说明了是谁在仍有引用的情况下释放了对象。对越界访问，访问位置相对
对象大小的偏移能看出是差一错误还是长度来自不可信输入。重复释放/非法释放在第二次 kfree() 时报告。
嫌疑函数：越界访问时，是访问栈上同时分配了该缓冲区的第一个调用者（它决定了缓冲区大小，又发起了访问）；
释放后使用时，是同时释放了该对象的第一个调用者；否则是越过 KASAN 和基础原语之后的第一帧。各类型及其
根因分类是数据（src/knowledge/sanitizers.ts）。
处理办法：对比访问栈和释放栈（哪个引用没有计数或没有清空），越界时检查大小/长度的计算，
有 vmcore 时用 "kmem -s 地址" 确认。`,
    },
    references: ['Documentation/dev-tools/kasan.rst'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER)) {
      const kind = hit.match[1];
      if (kind === 'null-ptr-deref') continue;
      const r = hit.report;
      const k = KASAN_KINDS.find((x) => x.kind === kind) ?? null;
      const cls = k?.cls ?? (/use-after|double-free/.test(kind) ? 'use-after-free' : 'memory-corruption');
      const uaf = cls === 'use-after-free';
      const owner = bufferOwner(r, uaf ? 'free' : 'alloc');
      // The guilty frame first; when the walk from it finds nothing (a module's code the title skipped), start at the header's function.
      const at = reportedIn(hit.header);
      const walked = owner ?? blameReport(r, 'fault');
      const c = walked.function || !at ? walked : blameReport(r, 'fault', { detectedIn: at });
      const access = linesOf(ctx, r, ACCESS, 1)[0] ?? null;
      const am = access ? ACCESS.exec(access.text) : null;
      const op = am ? am[1] : null;
      const bytes = am ? am[2] : null;
      const address = am?.[3] ?? /at addr ([0-9a-f]{8,16})/.exec(hit.header.text)?.[1] ?? null;
      const obj = objectInfo(ctx, r);
      const tr = tracks(r);
      const alloc = tr.find((x) => x.kind === 'alloc')?.site ?? null;
      const freeTrack = tr.find((x) => x.kind === 'free') ?? null;
      const free = freeTrack?.site ?? null;
      const allocFn = alloc?.function ? baseName(alloc.function) : null;
      const freeFn = free?.function ? baseName(free.function) : null;
      const culprit = culpritLabel(c);
      const task = taskLabel(r);

      const did = !k
        ? msg('unknownKind', { kind })
        : k.form === 'free'
          ? msg('freed', { target: k.target })
          : msg(`${k.form === 'bounds' ? 'bounds' : 'obj'}${op === 'Write' ? 'Write' : op === 'Read' ? 'Read' : 'Access'}` as keyof typeof messages, { target: k.target });
      const opText = op ? msg(op === 'Write' ? 'opWrite' : 'opRead') : null;

      const evidence: FindingDraft['evidence'] = [{ line: hit.header.no, note: msg('evHeader', { kind }) }];
      if (access && opText && bytes) evidence.push({ line: access.no, note: msg('evAccess', { op: opText, bytes, at: address ? msg('evAt', { address }) : null }) });
      for (const no of obj.lines.slice(0, 2)) evidence.push({ line: no, note: msg('evObject') });
      if (c.line !== null && culprit) evidence.push({ line: c.line, note: msg('evCulprit', { culprit }) });
      if (alloc && allocFn) evidence.push({ line: alloc.line, note: msg('evAlloc', { fn: allocFn }) });
      if (free && freeFn) evidence.push({ line: free.line, note: msg('evFree', { fn: freeFn }) });

      const size = opText && bytes && k?.form !== 'free' ? msg('size', { op: opText, bytes }) : null;
      const inTask = task ? msg('inTask', { task }) : null;
      const byTask = freeTrack?.task ? msg('byTask', { task: freeTrack.task }) : null;
      const user = culprit ?? msg('userCode');
      out.push({
        report: hit.index,
        rootCauseClass: cls,
        confidence: alloc || free ? 0.88 : 0.8,
        summary: msg(culprit ? 'summary' : 'summaryNoCulprit', { kind, culprit, did, freedBy: freeFn ? msg('freedBy', { fn: freeFn }) : null }),
        explanation: paragraphs([
          msg(culprit ? 'explainCaught' : 'explainCaughtNoCulprit', { culprit, did, size, inTask }),
          obj.cache ? msg('object', { cache: obj.cache, objSize: obj.size, where: obj.where ? msg('objectWhere', { where: obj.where }) : null }) : null,
          uaf
            ? freeFn
              ? allocFn
                ? msg('uafStacks', { alloc: allocFn, free: freeFn, byTask, user })
                : msg('uafFreeOnly', { free: freeFn, byTask, user })
              : msg('uafNoFree')
            : msg('oob'),
          !uaf && allocFn ? msg('oobAlloc', { alloc: allocFn }) : null,
          owner?.function ? msg('sameFunction', { fn: owner.function, track: msg(uaf ? 'trackFree' : 'trackAlloc'), role: msg(uaf ? 'roleFree' : 'roleAlloc') }) : null,
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: [
          ...(c.location ? [msg('stepDis', { location: c.location })] : []),
          ...(address ? [msg('stepKmem', { address })] : []),
          ...(freeFn ? [msg('stepFree', { fn: freeFn })] : []),
          ...(!uaf && allocFn ? [c.function ? msg('stepSize', { alloc: allocFn, fn: c.function }) : msg('stepSizeNoCulprit', { alloc: allocFn })] : []),
          msg('stepRepro'),
        ],
        facts: { kasanKind: kind, access: am ? { op: am[1], size: Number(am[2]), address } : null, cache: obj.cache, objectSize: obj.size, location: obj.where, allocatedBy: allocFn, freedBy: freeFn, bufferOwner: owner?.function ?? null },
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
