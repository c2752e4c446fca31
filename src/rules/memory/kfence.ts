// KFENCE reports: the sampled guard-page allocator caught a use-after-free, an out-of-bounds access or a bad free.

import { baseName, blameReport, culpritOfBlame } from '../blame';
import { KFENCE_KINDS } from '../../knowledge/sanitizers';
import { messenger } from '../messages';
import type { FindingDraft, L10n, Rule } from '../types';
import { tracks } from './kasan';
import { culpritLabel, linesOf, paragraphs, reportedIn, reportsWhere, taskLabel } from '../reports';

const HEADER = /BUG: KFENCE: (use-after-free|out-of-bounds|invalid free|invalid|memory corruption)(?: (read|write))? in /;

const messages = {
  summary: { en: 'KFENCE {{kind}}{{op}}{{where}}{{object}}', zh: '{{where}}KFENCE 报告 {{kind}}{{op}}{{object}}' },
  op: { en: ' {{op}}', zh: '（{{op}} 访问）' },
  where: { en: ' in {{culprit}}', zh: '{{culprit}} 中的 ' },
  object: { en: ' on a {{size}}-byte {{cache}} object', zh: '，对象是 {{cache}} 中 {{size}} 字节的对象' },

  uaf: { en: '{{who}} {{did}} the object after it was freed{{freedBy}}: a pointer outlived the object.', zh: '{{who}} 在对象{{freedBy}}释放之后{{did}}了它：指针活得比对象还久。' },
  freedBy: { en: ' by {{fn}}', zh: '被 {{fn}} ' },
  oob: { en: '{{who}} {{did}} the guard page beside the object{{size}}: an index or length beyond the object\'s size.', zh: '{{who}} {{did}}到了对象{{size}}旁边的保护页：索引或长度超出了对象大小。' },
  sizeAside: { en: ' ({{size}} bytes)', zh: '（{{size}} 字节）' },
  corruption: { en: 'Bytes just past the object were overwritten; KFENCE found it when the object was freed{{inFree}}. The writer is a past user of the object that wrote beyond its size.', zh: '对象末尾之后的字节被改写了；KFENCE 是在对象{{inFree}}释放时发现的。写坏它的是之前用过这个对象、写超了大小的代码。' },
  inFree: { en: ' in {{fn}}', zh: '于 {{fn}} 中' },
  invalidFree: { en: '{{who}} freed a pointer that is not a live object start (already freed, or an interior pointer).', zh: '{{who}} 释放的指针不是一个有效对象的起始地址（已经释放过，或者是对象内部的指针）。' },
  invalid: { en: '{{who}} {{did}} a KFENCE page outside any object: a wild pointer.', zh: '{{who}} {{did}}了 KFENCE 页中不属于任何对象的位置：野指针。' },
  whoCode: { en: 'The code', zh: '代码' },
  didRead: { en: 'read', zh: '读' },
  didWrite: { en: 'wrote', zh: '写' },
  didAccess: { en: 'accessed', zh: '访问' },
  inTask: { en: 'It happened in {{task}}.', zh: '发生在 {{task}}。' },
  sampled: { en: 'KFENCE samples only a few allocations, so this may be the first visible instance of a bug that corrupts other objects silently.', zh: 'KFENCE 只采样少量分配，这很可能只是一个会悄悄破坏其他对象的 bug 第一次被看到。' },

  evHeader: { en: 'KFENCE: {{kind}}{{op}}', zh: 'KFENCE 报告的错误类型：{{kind}}{{op}}' },
  evAccess: { en: 'the bad access and the KFENCE object it hit', zh: '非法访问以及它命中的 KFENCE 对象' },
  evObject: { en: 'the object: {{size}} bytes from cache {{cache}}', zh: '对象：{{size}} 字节，来自 cache {{cache}}' },
  evCulprit: { en: '{{culprit}}: the access', zh: '{{culprit}}：非法访问处' },
  evAlloc: { en: '{{fn}}: allocated it', zh: '{{fn}}：分配者' },
  evFree: { en: '{{fn}}: freed it', zh: '{{fn}}：释放者' },

  stepDis: { en: 'crash> dis -l {{location}}     (the instruction and source line of the access)', zh: 'crash> dis -l {{location}}（非法访问的指令和源码行）' },
  stepFree: { en: 'Read {{fn}}: who still holds a pointer to the object after it runs?', zh: '阅读 {{fn}}：它执行之后还有谁持有指向该对象的指针？' },
  stepSize: { en: 'Check the size requested in {{alloc}} against what {{fn}} uses.', zh: '核对 {{alloc}} 申请的大小与 {{fn}} 实际使用的大小。' },
  stepSizeNoCulprit: { en: 'Check the size requested in {{alloc}} against what the access uses.', zh: '核对 {{alloc}} 申请的大小与访问处实际使用的大小。' },
  stepKasan: { en: 'Reproduce with CONFIG_KASAN=y to catch every occurrence, not just sampled ones.', zh: '用 CONFIG_KASAN=y 复现，这样每一次出错都能抓到，而不只是被采样的那几次。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

export const kfenceReport: Rule = {
  meta: {
    id: 'KT-kfence',
    rootCauseClass: 'use-after-free',
    summary: { en: 'KFENCE caught a use-after-free, out-of-bounds access, memory corruption or invalid free on a sampled object', zh: 'KFENCE 在被采样的对象上抓到释放后使用、越界访问、内存破坏或非法释放' },
    docs: {
      en: `Looks for "BUG: KFENCE: <kind> in FUNC". KFENCE is the low-overhead sampling detector of
production kernels: it places a few allocations on their own page between guard pages, so it
catches a bad access only on the objects it sampled, but when it reports, the report is exact.
"use-after-free" means the object (kfence-#N, its cache and size are printed) was already
freed; "out-of-bounds" that the access fell on the guard page next to it; "memory corruption"
that bytes after the object were overwritten (found when it was freed: the writer is gone, the
report shows the freeing stack and the corrupted bytes); "invalid free" a kfree() of a pointer
that is not the object start or that was already freed.
What to do: read the access stack against the "freed by task" stack (use-after-free) or the
object size (out-of-bounds); enable KASAN on a test kernel to catch every instance.`,
      zh: `匹配 "BUG: KFENCE: <类型> in 函数"。KFENCE 是生产内核上开销很低的采样检测器：它把少量分配单独
放在一页上，两侧是保护页，所以只能抓到被采样对象上的非法访问，但一旦报告就是准确的。
"use-after-free" 表示对象（会打印 kfence-#N、所属 cache 和大小）已经被释放；"out-of-bounds" 表示
访问落在了紧邻的保护页上；"memory corruption" 表示对象之后的字节被改写（在释放时才发现：写坏它的
代码早已离开，报告给出的是释放栈和被改写的字节）；"invalid free" 表示 kfree() 的指针不是对象起始
地址，或者已经释放过。
处理办法：释放后使用时对比访问栈和 "freed by task" 栈，越界时对比对象大小；在测试内核上打开 KASAN
以抓到每一次出错。`,
    },
    references: ['Documentation/dev-tools/kfence.rst'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER)) {
      const r = hit.report;
      const kind = hit.match[1];
      const op = hit.match[2] ?? null;
      // The guilty frame first; when the walk from it finds nothing (a module's code the title skipped), start at the header's function.
      const at = reportedIn(hit.header);
      const walked = blameReport(r, 'fault');
      const c = walked.function || !at ? walked : blameReport(r, 'fault', { detectedIn: at });
      const obj = linesOf(ctx, r, /kfence-#\d+ \[0x[0-9a-f]+-0x[0-9a-f]+, size=\d+, cache=\S+\]/, 1)[0] ?? null;
      const om = obj ? /size=(\d+), cache=([^\]\s]+)/.exec(obj.text) : null;
      const access = linesOf(ctx, r, /^(?:Use-after-free|Out-of-bounds|Invalid|Corrupted memory|Invalid free)\b.* at 0x|^Invalid free of 0x|^Corrupted memory at 0x/i, 1)[0] ?? null;
      const tr = tracks(r);
      const free = tr.find((x) => x.kind === 'free')?.site ?? null;
      const alloc = tr.find((x) => x.kind === 'alloc')?.site ?? null;
      const freeFn = free?.function ? baseName(free.function) : null;
      const allocFn = alloc?.function ? baseName(alloc.function) : null;
      const cls = KFENCE_KINDS.find((k) => k.kind === kind)?.cls ?? 'memory-corruption';
      const culprit = culpritLabel(c);
      const who = culprit ?? msg('whoCode');
      const did = msg(op === 'write' ? 'didWrite' : op === 'read' ? 'didRead' : 'didAccess');
      const task = taskLabel(r);
      const opFrag = op ? msg('op', { op }) : null;

      const evidence: FindingDraft['evidence'] = [{ line: hit.header.no, note: msg('evHeader', { kind, op: opFrag }) }];
      if (access) evidence.push({ line: access.no, note: msg('evAccess') });
      if (obj && om) evidence.push({ line: obj.no, note: msg('evObject', { size: om[1], cache: om[2] }) });
      if (c.line !== null && culprit) evidence.push({ line: c.line, note: msg('evCulprit', { culprit }) });
      if (alloc && allocFn) evidence.push({ line: alloc.line, note: msg('evAlloc', { fn: allocFn }) });
      if (free && freeFn) evidence.push({ line: free.line, note: msg('evFree', { fn: freeFn }) });

      const meaning: Record<string, L10n> = {
        'use-after-free': msg('uaf', { who, did, freedBy: freeFn ? msg('freedBy', { fn: freeFn }) : null }),
        'out-of-bounds': msg('oob', { who, did, size: om ? msg('sizeAside', { size: om[1] }) : null }),
        'memory corruption': msg('corruption', { inFree: freeFn ? msg('inFree', { fn: freeFn }) : null }),
        'invalid free': msg('invalidFree', { who }),
        invalid: msg('invalid', { who, did }),
      };
      out.push({
        report: hit.index,
        rootCauseClass: cls,
        confidence: 0.85,
        summary: msg('summary', { kind, op: opFrag, where: culprit ? msg('where', { culprit }) : null, object: om ? msg('object', { size: om[1], cache: om[2] }) : null }),
        explanation: paragraphs([meaning[kind] ?? null, task ? msg('inTask', { task }) : null, msg('sampled')]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: [
          ...(c.location ? [msg('stepDis', { location: c.location })] : []),
          ...(freeFn ? [msg('stepFree', { fn: freeFn })] : []),
          ...(allocFn ? [c.function ? msg('stepSize', { alloc: allocFn, fn: c.function }) : msg('stepSizeNoCulprit', { alloc: allocFn })] : []),
          msg('stepKasan'),
        ],
        facts: { kfenceKind: kind, op, objectSize: om?.[1] ?? null, cache: om?.[2] ?? null, freedBy: freeFn, allocatedBy: allocFn },
      });
    }
    return out;
  },
};
