// "BUG: unable to handle kernel NULL pointer dereference": which member of which NULL struct pointer, and where it was used.

import { blameReport, culpritOfBlame } from '../blame';
import { messenger } from '../messages';
import type { FindingDraft, L10n, RootCauseClass, Rule } from '../types';
import { addressMessages, classifyAddress } from './addresses';
import { culpritLabel, faultAccessOf, faultAddressOf, hex, kernelIp, linesOf, mainFrames, modulePhaseData, modulePhaseMessages, modulePhaseOf, paragraphs, reportsWhere, safePf, suspectModuleNames, taskLabel } from '../reports';

const HEADER = /NULL pointer dereference|KASAN: null-ptr-deref/i;
const KASAN_RANGE = /null-ptr-deref in range \[(0x[0-9a-f]{1,16})-(0x[0-9a-f]{1,16})\]/;

const messages = {
  ...modulePhaseMessages,
  ...addressMessages,
  summaryCall: { en: 'Call through a NULL function pointer from {{culprit}}', zh: '{{culprit}} 调用了空函数指针' },
  summaryCallNoCulprit: { en: 'Call through a NULL function pointer', zh: '调用了空函数指针' },
  summaryMember: { en: 'NULL pointer dereference in {{culprit}}: the member at offset {{offset}} of a NULL struct pointer', zh: '{{culprit}} 中的空指针解引用：访问了空结构体指针偏移 {{offset}} 处的成员' },
  summaryMemberNoCulprit: { en: 'NULL pointer dereference: the member at offset {{offset}} of a NULL struct pointer', zh: '空指针解引用：访问了空结构体指针偏移 {{offset}} 处的成员' },
  summaryPointer: { en: 'NULL pointer dereference in {{culprit}}', zh: '{{culprit}} 中的空指针解引用' },
  summaryPointerNoCulprit: { en: 'NULL pointer dereference', zh: '空指针解引用' },

  explainAccess: { en: 'The kernel {{did}} {{address}}{{inTask}}.', zh: '内核{{did}} {{address}}{{inTask}}。' },
  explainNoAddress: { en: 'The kernel dereferenced a NULL-based address{{inTask}}.', zh: '内核解引用了一个以 NULL 为基址的地址{{inTask}}。' },
  inTask: { en: ' ({{task}})', zh: '（任务 {{task}}）' },
  didRead: { en: 'read from', zh: '读取了' },
  didWrite: { en: 'wrote to', zh: '写入了' },
  didFetch: { en: 'jumped to', zh: '跳转到了' },
  didAccess: { en: 'accessed', zh: '访问了' },
  whyCall: {
    en: 'The instruction pointer itself is at that address: the code called a function pointer that was NULL (or NULL plus an offset), typically an ops-table member that this kind of object does not implement, or an object whose ops were cleared on teardown. {{culprit}} is the caller.',
    zh: '指令指针本身就落在这个地址上：代码调用了一个为 NULL（或 NULL 加偏移）的函数指针，通常是该类对象没有实现的 ops 回调，或者对象拆除时 ops 已被清空。{{culprit}} 是发起调用的函数。',
  },
  whyCallNoCulprit: {
    en: 'The instruction pointer itself is at that address: the code called a function pointer that was NULL (or NULL plus an offset), typically an ops-table member that this kind of object does not implement, or an object whose ops were cleared on teardown.',
    zh: '指令指针本身就落在这个地址上：代码调用了一个为 NULL（或 NULL 加偏移）的函数指针，通常是该类对象没有实现的 ops 回调，或者对象拆除时 ops 已被清空。',
  },
  whyMember: {
    en: 'An address of {{offset}} is NULL plus {{offset}}: {{who}} {{used}} the member at offset {{offset}} of a structure whose pointer was NULL. Map the offset to the member with "struct TYPE -o" to know which pointer: the struct is the one the faulting instruction\'s base register points to.',
    zh: '地址 {{offset}} 就是 NULL 加 {{offset}}：{{who}}{{used}}了一个指针为 NULL 的结构体中偏移 {{offset}} 处的成员。用 "struct 类型 -o" 把偏移对应到成员，就能确定是哪个指针为空：结构体类型就是出错指令基址寄存器所指向的那个。',
  },
  whoCode: { en: 'the code', zh: '代码' },
  usedRead: { en: 'read', zh: '读取' },
  usedWrite: { en: 'wrote', zh: '写入' },
  usedAccess: { en: 'accessed', zh: '访问' },
  whyPointer: { en: '{{culprit}} dereferenced a pointer that was NULL.', zh: '{{culprit}} 解引用了一个为 NULL 的指针。' },
  whyPointerNoCulprit: { en: 'A pointer that was NULL was dereferenced.', zh: '一个为 NULL 的指针被解引用了。' },
  causes: {
    en: 'Usual causes: a lookup or allocation whose failure is not checked, an object used after its teardown cleared the pointer, or a race between use and teardown (then it is intermittent and often under load or fuzzing).',
    zh: '常见原因：查找或分配失败后没有检查返回值；对象拆除时指针已被清空后仍被使用；或者使用与拆除之间存在竞争（这时问题是偶发的，常在高负载或 fuzz 测试下出现）。',
  },
  phaseInit: { en: 'This ran in the init function of {{module}} ({{fn}}): a pointer the module was to set up before using it, a lookup or allocation in its init that failed unnoticed, or a core object it used before registering it.', zh: '这发生在 {{module}} 的初始化函数（{{fn}}）中：模块本应在使用前建立的指针、初始化中失败却未被察觉的查找或分配，或者在注册之前就使用了的核心对象。' },
  phaseExit: { en: 'This ran in the exit function of {{module}} ({{fn}}): teardown used an object whose pointer an earlier step of the same teardown had already cleared or freed.', zh: '这发生在 {{module}} 的退出函数（{{fn}}）中：拆除流程使用了一个对象，而它的指针已被同一拆除流程中更早的步骤清空或释放。' },
  suspects: { en: 'Out-of-tree or unsigned modules are loaded ({{modules}}); check them first if the culprit code calls into them.', zh: '系统加载了树外或未签名模块（{{modules}}）；如果出错代码会调用到它们，先查它们。' },

  evHeader: { en: 'the NULL-pointer fault', zh: '空指针异常' },
  evAddress: { en: 'fault address {{address}}: {{label}}', zh: '出错地址 {{address}}：{{label}}' },
  evErrorCode: { en: 'error code {{pf}}', zh: '错误码 {{pf}}' },
  evAccess: { en: 'the faulting access was a {{access}}', zh: '出错的访问是{{access}}' },
  accRead: { en: 'read', zh: '读' },
  accWrite: { en: 'write', zh: '写' },
  accFetch: { en: 'instruction fetch', zh: '取指令' },
  evCulprit: { en: '{{culprit}}: the guilty frame', zh: '{{culprit}}：嫌疑帧' },

  stepDis: { en: 'crash> dis -l {{location}}     (the faulting instruction and source line; the base register is the NULL pointer)', zh: 'crash> dis -l {{location}}（出错指令和源码行；基址寄存器就是那个空指针）' },
  stepStruct: { en: 'crash> struct <type> -o | grep -w {{offset}}     (which member lives at offset {{offset}})', zh: 'crash> struct <类型> -o | grep -w {{offset}}（偏移 {{offset}} 处是哪个成员）' },
  stepBt: { en: 'crash> bt -f     (the caller frames and the arguments they passed)', zh: 'crash> bt -f（查看调用者栈帧以及传入的参数）' },
  stepSource: { en: 'In the source of {{fn}}: where is this pointer assigned, can that fail, and who clears it on teardown? A WARN_ON_ONCE(!ptr) before the use catches the path that delivers NULL.', zh: '在 {{fn}} 的源码中：这个指针在哪里赋值、能否失败、拆除时由谁清空？在使用前加 WARN_ON_ONCE(!ptr) 可以抓住传入 NULL 的路径。' },
  stepSourceNoCulprit: { en: 'In the source of the faulting function: where is this pointer assigned, can that fail, and who clears it on teardown? A WARN_ON_ONCE(!ptr) before the use catches the path that delivers NULL.', zh: '在出错函数的源码中：这个指针在哪里赋值、能否失败、拆除时由谁清空？在使用前加 WARN_ON_ONCE(!ptr) 可以抓住传入 NULL 的路径。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

export const nullDeref: Rule = {
  meta: {
    id: 'KT-null-deref',
    rootCauseClass: 'null-deref',
    summary: { en: 'The kernel dereferenced a NULL (or NULL + small offset) pointer', zh: '内核解引用了空指针（或空指针加一个小偏移）' },
    docs: {
      en: `Looks for "BUG: unable to handle kernel NULL pointer dereference" (and the arm/powerpc
"Unable to handle kernel NULL pointer dereference", and KASAN's null-ptr-deref). The fault
address is the pointer plus the offset of the member being used: 0000000000000008 is the field
at offset 0x8 of a struct reached through a NULL pointer, so the address tells which member.
Whether the member was read or written comes from the error code, arm64's WnR bit or the
decoded instruction. An instruction fetch at a small address (the kernel-mode RIP equal to the
fault address) is a call through a NULL function pointer (an ops table member that was never set).
The guilty frame is the function that loaded the pointer without checking it, or one of its
callers passed it NULL: a missing error check after a lookup/allocation, an object used after
its teardown cleared the pointer, or a race with that teardown. In a module's init or exit
function the finding says so: a setup step that failed unnoticed, or a teardown step that
already cleared the pointer.
What to do: "dis -l FUNC+OFF" to see the instruction and source line, find which register held
the base pointer (it is 0), "struct TYPE -o" to map the offset to a member, then follow where
that pointer is set and cleared.`,
      zh: `匹配 "BUG: unable to handle kernel NULL pointer dereference"（以及 arm/powerpc 上的
"Unable to handle kernel NULL pointer dereference" 和 KASAN 的 null-ptr-deref）。出错地址等于指针
加上被访问成员的偏移：0000000000000008 就是通过空指针访问结构体中偏移 0x8 的成员，所以从地址
可以反推出是哪个成员。成员是被读还是被写，来自错误码、arm64 的 WnR 位或反汇编出的指令。如果是
取指令出错（内核态 RIP 等于出错地址），说明是调用了一个空函数指针（ops 表里某个没有赋值的回调）。
嫌疑帧是没有检查就使用该指针的函数，或者是它的调用者传入了 NULL：查找/分配之后漏了错误检查，
对象拆除时指针已被清空却仍被使用，或者与拆除流程存在竞争。发生在模块的初始化或退出函数中时，
诊断会指出这一点：初始化中某一步失败却未被察觉，或拆除中更早的一步已经清空了指针。
处理办法：用 "dis -l 函数+偏移" 看出错指令和源码行，找出存放基址的寄存器（其值为 0），用
"struct 类型 -o" 把偏移对应到成员，再追查该指针在哪里赋值、在哪里被清空。`,
    },
    references: ['arch/x86/mm/fault.c: page_fault_oops()', 'Documentation/admin-guide/bug-hunting.rst'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER, true)) {
      const r = hit.report;
      const c = blameReport(r, 'fault');
      const fault = faultAddressOf(ctx, r);
      // KASAN's GPF form gives the range of the NULL-based access instead of the fault address.
      const rangeLine = linesOf(ctx, r, KASAN_RANGE, 1)[0] ?? null;
      const range = rangeLine ? KASAN_RANGE.exec(rangeLine.text) : null;
      const addr = range ? classifyAddress(range[1]) : fault ? classifyAddress(fault.value) : null;
      const addressLine = range ? rangeLine?.no ?? null : fault?.line ?? null;
      const offset = addr?.kind === 'null' ? addr.offset : null;
      const pf = r.fault.errorCode && !range ? safePf(r.fault.errorCode) : null;
      const access = range ? null : faultAccessOf(ctx, r);
      const ip = kernelIp(r);
      const ipAddr = ip && ip.function === null ? /(?:0x)?([0-9a-f]{1,16})\s*$/.exec(ip.text)?.[1] ?? null : null;
      const nullCall = access?.access === 'fetch' || (ipAddr !== null && fault !== null && BigInt('0x' + ipAddr) === BigInt('0x' + fault.value));
      const phase = modulePhaseOf(mainFrames(r));
      const culprit = culpritLabel(c);
      const task = taskLabel(r);
      const inTask = task ? msg('inTask', { task }) : null;
      const offsetHex = offset !== null ? hex(offset) : null;

      const evidence: FindingDraft['evidence'] = [];
      if (addressLine !== null && addr) evidence.push({ line: addressLine, note: msg('evAddress', { address: addr.value, label: addr.label }) });
      evidence.push({ line: hit.header.no, note: msg('evHeader') });
      if (pf && r.fault.errorCodeLine !== null) evidence.push({ line: r.fault.errorCodeLine, note: msg('evErrorCode', { pf: pf.summary }) });
      else if (access) evidence.push({ line: access.line, note: msg('evAccess', { access: msg(access.access === 'write' ? 'accWrite' : access.access === 'fetch' ? 'accFetch' : 'accRead') }) });
      if (c.line !== null && culprit) evidence.push({ line: c.line, note: msg('evCulprit', { culprit }) });
      const phased = modulePhaseData(phase);
      const phaseData = phased?.data ?? null;
      if (phased) evidence.push(phased.evidence);

      const did = msg(access?.access === 'write' ? 'didWrite' : access?.access === 'fetch' ? 'didFetch' : access?.access === 'read' ? 'didRead' : 'didAccess');
      const used = msg(access?.access === 'write' ? 'usedWrite' : access?.access === 'read' ? 'usedRead' : 'usedAccess');
      const summary = nullCall
        ? msg(culprit ? 'summaryCall' : 'summaryCallNoCulprit', { culprit })
        : offsetHex !== null && offset !== 0n
          ? msg(culprit ? 'summaryMember' : 'summaryMemberNoCulprit', { culprit, offset: offsetHex })
          : msg(culprit ? 'summaryPointer' : 'summaryPointerNoCulprit', { culprit });
      const why = nullCall
        ? msg(culprit ? 'whyCall' : 'whyCallNoCulprit', { culprit })
        : offsetHex !== null && offset !== 0n
          ? msg('whyMember', { offset: offsetHex, who: culprit ?? msg('whoCode'), used })
          : msg(culprit ? 'whyPointer' : 'whyPointerNoCulprit', { culprit });
      const suspects = suspectModuleNames(r);
      const secondary: RootCauseClass[] = phase?.phase === 'exit' ? ['use-after-free'] : [];
      out.push({
        report: hit.index,
        secondaryClasses: secondary,
        confidence: nullCall || offset !== null ? 0.85 : 0.75,
        summary,
        explanation: paragraphs([
          addr ? msg('explainAccess', { did, address: addr.value, inTask }) : msg('explainNoAddress', { inTask }),
          why,
          msg('causes'),
          phase && phaseData ? msg(phase.phase === 'init' ? 'phaseInit' : 'phaseExit', phaseData) : null,
          suspects ? msg('suspects', { modules: suspects }) : null,
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: [
          ...(c.location ? [msg('stepDis', { location: c.location })] : []),
          ...(offsetHex !== null && offset !== 0n ? [msg('stepStruct', { offset: offsetHex })] : []),
          msg('stepBt'),
          c.function ? msg('stepSource', { fn: c.function }) : msg('stepSourceNoCulprit'),
        ],
        facts: {
          faultAddress: addr?.value ?? null,
          memberOffset: offsetHex,
          nullFunctionCall: nullCall,
          errorCode: pf?.value ?? null,
          access: access?.access ?? null,
          modulePhase: phase ? { phase: phase.phase, module: phase.module, function: phase.frame.function } : null,
        },
      });
    }
    return out;
  },
};
