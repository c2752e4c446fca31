// "unable to handle kernel paging request" and "general protection fault": what the bad address says about the pointer.

import { blameReport, culpritOfBlame } from '../blame';
import type { FindingDraft, RootCauseClass, Rule } from '../types';
import { classifyAddress, poisonedRegisters, type AddressFacts } from './addresses';
import { culpritEvidence, disStep, ev, faultDetails, linesOf, modulesSuffix, paragraphs, reportsWhere, safePf, steps, t, taskOf, who, whoZh } from '../reports';

const HEADER = /unable to handle (?:kernel paging request|page fault for address)|Unable to handle kernel (?:paging request|access to user memory|data access)|general protection fault|stack segment: 0000/;

export const badKernelAccess: Rule = {
  meta: {
    id: 'KT-bad-kernel-access',
    rootCauseClass: 'memory-corruption',
    summary: t('A kernel paging request or general protection fault on a wild, user, non-canonical or poisoned address', '内核访问野地址、用户态地址、非规范地址或毒值地址导致的缺页/通用保护异常'),
    docs: t(
      `Looks for "BUG: unable to handle kernel paging request" / "unable to handle page fault for
address" and "general protection fault". The address (or, for a GPF, the registers, since x86
does not report a GPF address) says what kind of pointer was used:
- a slab or list poison (0x6b6b6b6b..., dead000000000100/122): the pointer was read out of a
  freed object, or a list entry already removed with list_del(): use-after-free;
- a user-space address: a user pointer dereferenced without copy_from_user() (SMAP), or a kernel
  pointer overwritten with a small integer;
- a non-canonical address (GPF): garbage in a pointer field; with KASAN the hint line
  "probably for non-canonical address 0xdffffc..." names the range it came from;
- an unmapped kernel address: a stale pointer into freed vmalloc/module memory, or a wild one.
The guilty frame is where the bad pointer was used; the bug is usually where it was stored
or freed.
What to do: "dis -l FUNC+OFF" for the faulting instruction, find the register holding the bad
value, "kmem -s" the object it was loaded from, and rerun with KASAN or slub_debug=FZPU.`,
      `匹配 "BUG: unable to handle kernel paging request" / "unable to handle page fault for address"
和 "general protection fault"。出错地址（GPF 不报告地址，要看寄存器）说明了用的是什么样的指针：
- slab 或链表毒值（0x6b6b6b6b...、dead000000000100/122）：指针是从已释放对象中读出来的，或者链表
  节点已被 list_del() 删除：释放后使用；
- 用户态地址：没有经过 copy_from_user() 就直接解引用了用户指针（SMAP），或者内核指针被一个小整数覆盖；
- 非规范地址（GPF）：指针字段里是垃圾值；开了 KASAN 时 "probably for non-canonical address
  0xdffffc..." 这一行会给出它对应的地址范围；
- 未映射的内核地址：指向已释放 vmalloc/模块内存的过期指针，或者野指针。
嫌疑帧是使用坏指针的地方；真正的 bug 通常在存放或释放该指针的地方。
处理办法：用 "dis -l 函数+偏移" 查看出错指令，找出存放坏值的寄存器，用 "kmem -s" 查看它是从哪个
对象读出来的，并打开 KASAN 或 slub_debug=FZPU 复现。`,
    ),
    references: ['arch/x86/mm/fault.c', 'arch/x86/kernel/traps.c: exc_general_protection()', 'include/linux/poison.h'],
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER)) {
      const r = hit.report;
      if (/NULL pointer dereference/.test(hit.header.text) || linesOf(ctx, r, /null-ptr-deref in range/, 1).length > 0) continue;
      const c = blameReport(r, 'fault');
      const gpf = /general protection fault|stack segment/.test(hit.header.text);
      const fd = faultDetails(r);
      const addr: AddressFacts | null = fd.address ? classifyAddress(fd.address) : null;
      const pf = fd.errorCode && !gpf ? safePf(fd.errorCode) : null;
      const poisoned = poisonedRegisters(r.registers?.values);
      const kasanRange = linesOf(ctx, r, /KASAN: (?:maybe wild-memory-access|probably user-memory-access) in range/, 1)[0] ?? null;
      const poison = addr?.poison ?? poisoned[0]?.poison ?? null;
      let cls: RootCauseClass = 'memory-corruption';
      let secondary: RootCauseClass[] = [];
      let confidence = 0.6;
      let what: { en: string; zh: string };
      // A write to a present page that forbids it: read-only data or text (a const table patched, a wild write).
      const readOnlyWrite = pf !== null && pf.present && pf.write && !pf.user && addr?.kind === 'kernel';
      if (poison?.list) {
        // A deleted entry unlinked again or walked: a state bug (double list_del), freed memory only with more evidence.
        cls = 'memory-corruption';
        secondary = ['use-after-free'];
        confidence = 0.8;
        what = t(`The pointer is ${poison.name}: ${poison.meaning.en}. Deleting the entry a second time or walking it after list_del() means two paths tear down the same object (a double removal or a race between two teardown paths); its memory may also have been freed.`, `指针值是 ${poison.name}：${poison.meaning.zh}。再次删除该节点或在 list_del() 之后还遍历它，说明有两条路径在拆除同一个对象（重复删除，或两条拆除路径之间的竞争）；它的内存也可能已经被释放。`);
      } else if (readOnlyWrite) {
        cls = 'other';
        secondary = ['memory-corruption'];
        confidence = 0.72;
        what = t(`The page is present and the write was refused (${pf?.summary.en}): ${addr?.value} is read-only memory, kernel or module text or data declared const. The code writes to something the compiler placed in read-only memory: a table declared const that the code still patches, or a pointer that should point at a writable copy.`, `页面存在但写入被拒绝（${pf?.summary.zh}）：${addr?.value} 是只读内存，即内核或模块的代码段，或被声明为 const 的数据。代码在写编译器放进只读内存的东西：一个声明为 const 却仍被修改的表，或者一个本应指向可写副本的指针。`);
      } else if (poison?.uaf) {
        cls = 'use-after-free';
        confidence = 0.82;
        what = poison.list
          ? t(`The pointer is ${poison.name}: ${poison.meaning.en}. Using an entry after list_del() (or deleting it twice) means the object's lifetime is not tied to its list membership: it was unlinked, probably freed, and is still referenced.`, `指针值是 ${poison.name}：${poison.meaning.zh}。在 list_del() 之后还使用该节点（或重复删除），说明对象的生命周期与它是否在链表上没有绑定：它已经被摘下、很可能已被释放，却仍然有人引用它。`)
          : t(`The pointer is ${poison.name}: ${poison.meaning.en}. The object holding it had been freed before ${who(c)} used it.`, `指针值是 ${poison.name}：${poison.meaning.zh}。${whoZh(c)} 使用它之前，存放它的对象已经被释放。`);
      } else if (addr?.kind === 'user') {
        confidence = 0.65;
        what = t(`The address is a user-space address. Either the kernel dereferenced a user pointer directly instead of using copy_from_user()/get_user() (SMAP turns that into a fault), or a kernel pointer field was overwritten with a small integer.`, `这是一个用户态地址。要么内核没有用 copy_from_user()/get_user() 而是直接解引用了用户指针（开启 SMAP 时会直接出错），要么某个内核指针字段被一个小整数覆盖了。`);
      } else if (addr?.kind === 'non-canonical' || gpf) {
        confidence = kasanRange ? 0.68 : 0.6;
        what = gpf
          ? t(`A general protection fault on x86_64 from a memory access means a non-canonical address (bits 48-63 not all equal to bit 47): the pointer held garbage, not an address. The registers used by the faulting instruction hold it.${kasanRange ? ' KASAN translated the shadow address back to the range the code tried to touch.' : ''}`, `x86_64 上内存访问导致的通用保护异常意味着访问了非规范地址（第 48-63 位与第 47 位不一致）：指针里是垃圾值而不是地址。出错指令使用的寄存器里就是这个值。${kasanRange ? 'KASAN 已把影子地址还原成代码本想访问的地址范围。' : ''}`)
          : t('The address is non-canonical: no valid pointer looks like this, the pointer field held garbage.', '这是非规范地址：合法指针不可能是这个样子，指针字段里是垃圾值。');
      } else {
        confidence = 0.6;
        what = t(`The address is a kernel address that is not mapped${pf ? ` (${pf.summary.en})` : ''}: a stale pointer into freed vmalloc or module memory, or a wild pointer computed from corrupted data.`, `这是一个未映射的内核地址${pf ? `（${pf.summary.zh}）` : ''}：指向已释放 vmalloc 或模块内存的过期指针，或者由被破坏的数据算出来的野指针。`);
      }
      const evidence = [ev(hit.header.no, gpf ? 'the general protection fault' : 'the bad kernel access', gpf ? '通用保护异常' : '内核非法访问')];
      if (addr && fd.addressLine !== null) evidence.push(ev(fd.addressLine, `${addr.value}: ${addr.label.en}`, `${addr.value}：${addr.label.zh}`));
      if (pf && fd.errorCodeLine !== null) evidence.push(ev(fd.errorCodeLine, `error code ${pf.value}: ${pf.summary.en}`, `错误码 ${pf.value}：${pf.summary.zh}`));
      if (kasanRange) evidence.push(ev(kasanRange.no, 'KASAN: the address range the code meant to access', 'KASAN：代码本想访问的地址范围'));
      const regLine = r.registers?.lines[0];
      for (const p of poisoned.slice(0, 2)) {
        const line = r.registers?.lines.find((no) => ctx.line(no)?.text.includes(`${p.reg}:`)) ?? regLine;
        if (line !== undefined) evidence.push(ev(line, `${p.reg} = ${p.value}: ${p.poison.name}`, `${p.reg} = ${p.value}：毒值 ${p.poison.name}`));
      }
      evidence.push(...culpritEvidence(c, `${who(c)}: where the bad pointer was used`, `${whoZh(c)}：使用坏指针的地方`));
      const kindEn = readOnlyWrite ? 'write to read-only memory' : poison?.list ? 'a deleted list entry used again' : cls === 'use-after-free' ? 'use-after-free' : addr?.kind === 'user' ? 'user address used as a kernel pointer' : gpf || addr?.kind === 'non-canonical' ? 'garbage pointer (non-canonical)' : 'wild or stale kernel pointer';
      const kindZh = readOnlyWrite ? '写只读内存' : poison?.list ? '已删除的链表节点被再次使用' : cls === 'use-after-free' ? '释放后使用' : addr?.kind === 'user' ? '把用户态地址当内核指针用' : gpf || addr?.kind === 'non-canonical' ? '垃圾指针（非规范地址）' : '野指针或过期的内核指针';
      out.push({
        report: hit.index,
        rootCauseClass: cls,
        secondaryClasses: secondary,
        confidence,
        summary: t(`${gpf ? 'General protection fault' : 'Bad kernel paging request'} in ${who(c)}: ${kindEn}`, `${whoZh(c)} 中${gpf ? '发生通用保护异常' : '访问非法内核地址'}：${kindZh}`),
        explanation: paragraphs([
          t(`${taskOf(r) ? `${taskOf(r)}: ` : ''}${who(c)} accessed ${addr ? addr.value : 'an invalid address'}.`, `${taskOf(r) ? `${taskOf(r)}：` : ''}${whoZh(c)} 访问了 ${addr ? addr.value : '一个非法地址'}。`),
          what,
          t('The faulting function is where the bad pointer was used; the bug is where it was stored, freed or computed. Find the register that held it and the object it was loaded from.', '出错函数只是使用坏指针的地方；bug 在存放、释放或计算该指针的地方。找出存放它的寄存器，以及它是从哪个对象中读出来的。'),
          modulesSuffix(r),
        ]),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: steps(
          disStep(c, 'the faulting instruction: which register held the bad pointer, and where it was loaded from', '出错指令：哪个寄存器存放了坏指针，它是从哪里加载的'),
          t('crash> kmem -s <address of the object the pointer was loaded from>     (is it a live or freed slab object, and of which cache)', 'crash> kmem -s <读出该指针的对象地址>（它是已分配还是已释放的 slab 对象，属于哪个 cache）'),
          addr && addr.kind === 'kernel' ? t(`crash> kmem ${addr.value}     crash> vtop ${addr.value}     (what used to be mapped there)`, `crash> kmem ${addr.value}     crash> vtop ${addr.value}（这里原来映射的是什么）`) : null,
          t('crash> bt -f     (the caller frames and the object pointers they passed)', 'crash> bt -f（调用者栈帧以及传入的对象指针）'),
          t('Reproduce with CONFIG_KASAN=y (or slub_debug=FZPU and CONFIG_DEBUG_LIST=y): the report then names the object, where it was allocated and where it was freed.', '用 CONFIG_KASAN=y（或 slub_debug=FZPU 加 CONFIG_DEBUG_LIST=y）复现：报告会给出对象本身以及它的分配和释放位置。'),
        ),
        facts: { faultAddress: addr?.value ?? null, addressKind: addr?.kind ?? null, poison: poison?.name ?? null, poisonedRegisters: poisoned.map((p) => p.reg), generalProtection: gpf, errorCode: pf?.value ?? null },
      });
    }
    return out;
  },
};
