// KFENCE reports: the sampled guard-page allocator caught a use-after-free, an out-of-bounds access or a bad free.

import { blameReport, culpritOfBlame } from '../blame';
import type { FindingDraft, RootCauseClass, Rule } from '../types';
import { tracks } from './kasan';
import { culpritEvidence, disStep, ev, linesOf, paragraphs, reportsWhere, steps, t, taskOf, who, whoZh } from '../reports';

const HEADER = /BUG: KFENCE: (use-after-free|out-of-bounds|invalid free|invalid|memory corruption)(?: (read|write))? in /;

export const kfenceReport: Rule = {
  meta: {
    id: 'KT-kfence',
    rootCauseClass: 'use-after-free',
    summary: t('KFENCE caught a use-after-free, out-of-bounds access, memory corruption or invalid free on a sampled object', 'KFENCE 在被采样的对象上抓到释放后使用、越界访问、内存破坏或非法释放'),
    docs: t(
      `Looks for "BUG: KFENCE: <kind> in FUNC". KFENCE is the low-overhead sampling detector of
production kernels: it places a few allocations on their own page between guard pages, so it
catches a bad access only on the objects it sampled, but when it reports, the report is exact.
"use-after-free" means the object (kfence-#N, its cache and size are printed) was already
freed; "out-of-bounds" that the access fell on the guard page next to it; "memory corruption"
that bytes after the object were overwritten (found when it was freed: the writer is gone, the
report shows the freeing stack and the corrupted bytes); "invalid free" a kfree() of a pointer
that is not the object start or that was already freed.
What to do: read the access stack against the "freed by task" stack (use-after-free) or the
object size (out-of-bounds); enable KASAN on a test kernel to catch every instance.`,
      `匹配 "BUG: KFENCE: <类型> in 函数"。KFENCE 是生产内核上开销很低的采样检测器：它把少量分配单独
放在一页上，两侧是保护页，所以只能抓到被采样对象上的非法访问，但一旦报告就是准确的。
"use-after-free" 表示对象（会打印 kfence-#N、所属 cache 和大小）已经被释放；"out-of-bounds" 表示
访问落在了紧邻的保护页上；"memory corruption" 表示对象之后的字节被改写（在释放时才发现：写坏它的
代码早已离开，报告给出的是释放栈和被改写的字节）；"invalid free" 表示 kfree() 的指针不是对象起始
地址，或者已经释放过。
处理办法：释放后使用时对比访问栈和 "freed by task" 栈，越界时对比对象大小；在测试内核上打开 KASAN
以抓到每一次出错。`,
    ),
    references: ['Documentation/dev-tools/kfence.rst'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER)) {
      const r = hit.report;
      const kind = hit.match[1];
      const op = hit.match[2] ?? null;
      const c = blameReport(r, 'fault');
      const obj = linesOf(ctx, r, /kfence-#\d+ \[0x[0-9a-f]+-0x[0-9a-f]+, size=\d+, cache=\S+\]/, 1)[0] ?? null;
      const om = obj ? /size=(\d+), cache=([^\]\s]+)/.exec(obj.text) : null;
      const access = linesOf(ctx, r, /^(?:Use-after-free|Out-of-bounds|Invalid|Corrupted memory|Invalid free)\b.* at 0x|^Invalid free of 0x|^Corrupted memory at 0x/i, 1)[0] ?? null;
      const tr = tracks(r);
      const free = tr.find((x) => x.kind === 'free') ?? null;
      const alloc = tr.find((x) => x.kind === 'alloc') ?? null;
      const cls: RootCauseClass = kind === 'use-after-free' || kind === 'invalid free' ? 'use-after-free' : 'memory-corruption';
      const evidence = [ev(hit.header.no, `KFENCE: ${kind}${op ? ` ${op}` : ''}`, `KFENCE 报告的错误类型：${kind}${op ? ` ${op}` : ''}`)];
      if (access) evidence.push(ev(access.no, 'the bad access and the KFENCE object it hit', '非法访问以及它命中的 KFENCE 对象'));
      if (obj && om) evidence.push(ev(obj.no, `the object: ${om[1]} bytes from cache ${om[2]}`, `对象：${om[1]} 字节，来自 cache ${om[2]}`));
      evidence.push(...culpritEvidence(c, `${who(c)}: the access`, `${whoZh(c)}：非法访问处`));
      if (alloc?.site) evidence.push(ev(alloc.site.line, `${alloc.site.function}: allocated it`, `${alloc.site.function}：分配者`));
      if (free?.site) evidence.push(ev(free.site.line, `${free.site.function}: freed it`, `${free.site.function}：释放者`));
      const meaning: Record<string, { en: string; zh: string }> = {
        'use-after-free': t(`${who(c)} ${op ?? 'accessed'} the object after it was freed${free?.site ? ` by ${free.site.function}` : ''}: a pointer outlived the object.`, `${whoZh(c)} 在对象${free?.site ? `被 ${free.site.function} ` : ''}释放之后${op === 'write' ? '写' : op === 'read' ? '读' : '访问'}了它：指针活得比对象还久。`),
        'out-of-bounds': t(`${who(c)} ${op ?? 'accessed'} the guard page beside the object${om ? ` (${om[1]} bytes)` : ''}: an index or length beyond the object's size.`, `${whoZh(c)} ${op === 'write' ? '写' : op === 'read' ? '读' : '访问'}到了对象${om ? `（${om[1]} 字节）` : ''}旁边的保护页：索引或长度超出了对象大小。`),
        'memory corruption': t(`Bytes just past the object were overwritten; KFENCE found it when the object was freed${free?.site ? ` in ${free.site.function}` : ''}. The writer is a past user of the object that wrote beyond its size.`, `对象末尾之后的字节被改写了；KFENCE 是在对象${free?.site ? `于 ${free.site.function} 中` : ''}释放时发现的。写坏它的是之前用过这个对象、写超了大小的代码。`),
        'invalid free': t(`${who(c)} freed a pointer that is not a live object start (already freed, or an interior pointer).`, `${whoZh(c)} 释放的指针不是一个有效对象的起始地址（已经释放过，或者是对象内部的指针）。`),
        invalid: t(`${who(c)} ${op ?? 'accessed'} a KFENCE page outside any object: a wild pointer.`, `${whoZh(c)} ${op === 'write' ? '写' : op === 'read' ? '读' : '访问'}了 KFENCE 页中不属于任何对象的位置：野指针。`),
      };
      out.push({
        report: hit.index,
        rootCauseClass: cls,
        confidence: 0.85,
        summary: t(`KFENCE ${kind}${op ? ` ${op}` : ''} in ${who(c)}${om ? ` on a ${om[1]}-byte ${om[2]} object` : ''}`, `${whoZh(c)} 中的 KFENCE ${kind}${op ? ` ${op}` : ''}${om ? `（${om[2]} 中 ${om[1]} 字节的对象）` : ''}`),
        explanation: paragraphs([
          meaning[kind] ?? t(`KFENCE reported ${kind} in ${who(c)}.`, `KFENCE 在 ${whoZh(c)} 中报告了 ${kind}。`),
          taskOf(r) ? t(`It happened in ${taskOf(r)}.`, `发生在 ${taskOf(r)}。`) : null,
          t('KFENCE samples only a few allocations, so this may be the first visible instance of a bug that corrupts other objects silently.', 'KFENCE 只采样少量分配，这很可能只是一个会悄悄破坏其他对象的 bug 第一次被看到。'),
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: steps(
          disStep(c, 'the instruction and source line of the access', '非法访问的指令和源码行'),
          free?.site ? t(`Read ${free.site.function}: who still holds a pointer to the object after it runs?`, `阅读 ${free.site.function}：它执行之后还有谁持有指向该对象的指针？`) : null,
          alloc?.site ? t(`Check the size requested in ${alloc.site.function} against what ${c.function ?? 'the access'} uses.`, `核对 ${alloc.site.function} 申请的大小与 ${c.function ?? '访问处'} 实际使用的大小。`) : null,
          t('Reproduce with CONFIG_KASAN=y to catch every occurrence, not just sampled ones.', '用 CONFIG_KASAN=y 复现，这样每一次出错都能抓到，而不只是被采样的那几次。'),
        ),
        facts: { kfenceKind: kind, op, objectSize: om?.[1] ?? null, cache: om?.[2] ?? null, freedBy: free?.site?.function ?? null, allocatedBy: alloc?.site?.function ?? null },
      });
    }
    return out;
  },
};
