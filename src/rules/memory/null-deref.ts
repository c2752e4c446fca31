// "BUG: unable to handle kernel NULL pointer dereference": which member of which NULL struct pointer, and where it was read.

import { blameReport, culpritOfBlame } from '../blame';
import type { FindingDraft, Rule } from '../types';
import { classifyAddress } from './addresses';
import { linesOf, safePf, culpritEvidence, disStep, ev, faultDetails, hex, modulesSuffix, paragraphs, reportsWhere, steps, t, taskOf, who, whoZh } from '../reports';

const HEADER = /NULL pointer dereference|KASAN: null-ptr-deref/i;

export const nullDeref: Rule = {
  meta: {
    id: 'KT-null-deref',
    rootCauseClass: 'null-deref',
    summary: t('The kernel dereferenced a NULL (or NULL + small offset) pointer', '内核解引用了空指针（或空指针加一个小偏移）'),
    docs: t(
      `Looks for "BUG: unable to handle kernel NULL pointer dereference" (and the arm/powerpc
"Unable to handle kernel NULL pointer dereference", and KASAN's null-ptr-deref). The fault
address is the pointer plus the offset of the member being read: 0000000000000008 is the field
at offset 0x8 of a struct reached through a NULL pointer, so the address tells which member.
An instruction fetch at a small address (RIP/IP equal to the fault address) is a call through
a NULL function pointer (an ops table member that was never set).
The guilty frame is the function that loaded the pointer without checking it, or one of its
callers passed it NULL: a missing error check after a lookup/allocation, an object used after
its teardown cleared the pointer, or a race with that teardown.
What to do: "dis -l FUNC+OFF" to see the instruction and source line, find which register held
the base pointer (it is 0), "struct TYPE -o" to map the offset to a member, then follow where
that pointer is set and cleared.`,
      `匹配 "BUG: unable to handle kernel NULL pointer dereference"（以及 arm/powerpc 上的
"Unable to handle kernel NULL pointer dereference" 和 KASAN 的 null-ptr-deref）。出错地址等于指针
加上被访问成员的偏移：0000000000000008 就是通过空指针访问结构体中偏移 0x8 的成员，所以从地址
可以反推出是哪个成员。如果是取指令出错（RIP/IP 等于出错地址），说明是调用了一个空函数指针
（ops 表里某个没有赋值的回调）。
嫌疑帧是没有检查就使用该指针的函数，或者是它的调用者传入了 NULL：查找/分配之后漏了错误检查，
对象拆除时指针已被清空却仍被使用，或者与拆除流程存在竞争。
处理办法：用 "dis -l 函数+偏移" 看出错指令和源码行，找出存放基址的寄存器（其值为 0），用
"struct 类型 -o" 把偏移对应到成员，再追查该指针在哪里赋值、在哪里被清空。`,
    ),
    references: ['arch/x86/mm/fault.c: page_fault_oops()', 'Documentation/admin-guide/bug-hunting.rst'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER, true)) {
      const r = hit.report;
      const c = blameReport(r, 'fault');
      const fd = faultDetails(r);
      // KASAN's GPF form gives the range of the NULL-based access instead of the fault address.
      const range = /null-ptr-deref in range \[(0x[0-9a-f]+)-(0x[0-9a-f]+)\]/.exec(linesOf(ctx, r, /null-ptr-deref in range/, 1)[0]?.text ?? '');
      const addr = range ? classifyAddress(range[1]) : fd.address ? classifyAddress(fd.address) : null;
      const offset = addr?.kind === 'null' ? addr.offset : null;
      const pf = fd.errorCode ? safePf(fd.errorCode) : null;
      const ipAddr = r.registers?.ip?.function === null && r.registers?.ip?.text ? /(?:0x)?([0-9a-f]{1,16})\s*$/.exec(r.registers.ip.text)?.[1] ?? null : null;
      const nullCall = (pf?.instructionFetch ?? false) || (ipAddr !== null && fd.address !== null && BigInt('0x' + ipAddr) === BigInt('0x' + fd.address));
      const evidence = [ev(hit.header.no, 'the NULL-pointer fault', '空指针异常')];
      if (fd.addressLine !== null && addr) evidence.push(ev(fd.addressLine, `fault address ${addr.value}: ${addr.label.en}`, `出错地址 ${addr.value}：${addr.label.zh}`));
      if (pf && fd.errorCodeLine !== null) evidence.push(ev(fd.errorCodeLine, `error code ${pf.value}: ${pf.summary.en}`, `错误码 ${pf.value}：${pf.summary.zh}`));
      evidence.push(...culpritEvidence(c, `${who(c)}: the guilty frame`, `${whoZh(c)}：嫌疑帧`));
      const member = offset !== null && offset > 0n ? t(`the member at offset ${hex(offset)}`, `偏移 ${hex(offset)} 处的成员`) : t('the pointer itself (offset 0)', '指针本身（偏移 0）');
      out.push({
        report: hit.index,
        confidence: nullCall || offset !== null ? 0.85 : 0.75,
        summary: nullCall
          ? t(`Call through a NULL function pointer${c.function ? ` from ${who(c)}` : ''}`, `${c.function ? `${whoZh(c)} ` : ''}调用了空函数指针`)
          : t(`NULL pointer dereference in ${who(c)}: ${member.en} of a NULL struct pointer`, `${whoZh(c)} 中的空指针解引用：访问了空结构体指针的${member.zh}`),
        explanation: paragraphs([
          t(`${taskOf(r) ? `${taskOf(r)}: ` : ''}the kernel ${pf ? (pf.write ? 'wrote to' : pf.instructionFetch ? 'jumped to' : 'read from') : 'accessed'} ${addr ? addr.value : 'a NULL-based address'}.`, `${taskOf(r) ? `${taskOf(r)}：` : ''}内核${pf ? (pf.write ? '写入' : pf.instructionFetch ? '跳转到' : '读取') : '访问'}了 ${addr ? addr.value : '一个以 NULL 为基址的地址'}。`),
          nullCall
            ? t(`The instruction pointer itself is at that address: the code called a function pointer that was NULL (or NULL plus an offset), typically an ops-table member that this kind of object does not implement, or an object whose ops were cleared on teardown. The guilty frame ${who(c)} is the caller.`, `指令指针本身就落在这个地址上：代码调用了一个为 NULL（或 NULL 加偏移）的函数指针，通常是该类对象没有实现的 ops 回调，或者对象拆除时 ops 已被清空。嫌疑帧 ${whoZh(c)} 是发起调用的函数。`)
            : offset !== null && offset > 0n
              ? t(`An address of ${hex(offset)} is NULL plus ${hex(offset)}: ${who(c)} read the member at offset ${hex(offset)} of a structure whose pointer was NULL. Map the offset to the member with "struct TYPE -o" to know which pointer: the struct is the one the faulting instruction's base register points to.`, `地址 ${hex(offset)} 就是 NULL 加 ${hex(offset)}：${whoZh(c)} 访问了一个指针为 NULL 的结构体中偏移 ${hex(offset)} 的成员。用 "struct 类型 -o" 把偏移对应到成员，就能确定是哪个指针为空：结构体类型就是出错指令基址寄存器所指向的那个。`)
              : t(`${who(c)} dereferenced a pointer that was NULL.`, `${whoZh(c)} 解引用了一个为 NULL 的指针。`),
          t('Usual causes: a lookup or allocation whose failure is not checked, an object used after its teardown cleared the pointer, or a race between use and teardown (then it is intermittent and often under load or fuzzing).', '常见原因：查找或分配失败后没有检查返回值；对象拆除时指针已被清空后仍被使用；或者使用与拆除之间存在竞争（这时问题是偶发的，常在高负载或 fuzz 测试下出现）。'),
          modulesSuffix(r),
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: steps(
          disStep(c, 'the faulting instruction and source line; the base register is the NULL pointer', '出错指令和源码行；基址寄存器就是那个空指针'),
          offset !== null && offset > 0n ? t(`crash> struct <type> -o | grep -w ${hex(offset)}     (which member lives at offset ${hex(offset)})`, `crash> struct <类型> -o | grep -w ${hex(offset)}（偏移 ${hex(offset)} 处是哪个成员）`) : null,
          t('crash> bt -f     (the caller frames and the arguments they passed)', 'crash> bt -f（查看调用者栈帧以及传入的参数）'),
          t(`In the source of ${c.function ?? 'the guilty function'}: where is this pointer assigned, can that fail, and who clears it on teardown? Add a WARN_ON_ONCE(!ptr) before the use to catch the path that delivers NULL.`, `在 ${c.function ?? '嫌疑函数'} 的源码中：这个指针在哪里赋值、能否失败、拆除时由谁清空？在使用前加 WARN_ON_ONCE(!ptr) 以抓住传入 NULL 的路径。`),
        ),
        facts: { faultAddress: addr?.value ?? null, memberOffset: offset !== null ? hex(offset) : null, nullFunctionCall: nullCall, errorCode: pf?.value ?? null },
      });
    }
    return out;
  },
};
