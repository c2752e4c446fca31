// "unable to handle kernel paging request" and "general protection fault": what the bad address says about the pointer.

import { blameReport, culpritOfBlame } from '../blame';
import { releaseOf, addressClass } from '../facts';
import { messenger } from '../messages';
import { machineOf, slabObjectAt } from '../../machine';
import type { FindingDraft, L10n, RootCauseClass, Rule } from '../types';
import { addressMessages, classifyAddress, poisonedRegisters, type AddressFacts } from './addresses';
import { culpritLabel, faultAccessOf, faultAddressOf, isPageFault, linesOf, mainFrames, modulePhaseData, modulePhaseMessages, modulePhaseOf, paragraphs, reportsWhere, safePf, suspectModuleNames, taskLabel } from '../reports';

const HEADER = /unable to handle (?:kernel paging request|page fault for address)|Unable to handle kernel (?:paging request|access to user memory|data access|execute from non-executable)|general protection fault|stack segment: 0000/;

/** The slab allocator's own functions: a fault inside them with a free object in a register is no use after free by itself. */
const SLAB_ALLOCATOR = /^(?:kmem_cache_\w{1,32}|__slab_\w{1,32}|___slab_alloc|slab_\w{1,32}|kfree\w{0,16}|__kmalloc\w{0,24}|kmalloc\w{0,24}|__kmem_cache_\w{1,32}|get_freepointer\w{0,16}|set_freepointer|freelist_\w{1,24}|cache_alloc_refill|cache_free_alien|____cache_alloc\w{0,16})$/;

const messages = {
  ...modulePhaseMessages,
  ...addressMessages,
  summaryPf: { en: 'Bad kernel paging request{{where}}: {{kind}}', zh: '{{where}}访问非法内核地址：{{kind}}' },
  summaryGpf: { en: 'General protection fault{{where}}: {{kind}}', zh: '{{where}}发生通用保护异常：{{kind}}' },
  where: { en: ' in {{culprit}}', zh: '{{culprit}} 中' },
  kindReadOnlyWrite: { en: 'a write to read-only memory', zh: '写只读内存' },
  kindListDeleted: { en: 'a deleted list entry was unlinked again or walked', zh: '已删除的链表节点被再次摘除或遍历' },
  kindListFreed: { en: 'a deleted and freed list entry was used again', zh: '已删除并释放的链表节点被再次使用' },
  kindSlabFreed: { en: 'an access to a freed slab object (use-after-free)', zh: '访问已释放的 slab 对象（释放后使用）' },
  kindFreed: { en: 'a pointer loaded from freed memory (use-after-free)', zh: '从已释放内存中读出的指针（释放后使用）' },
  kindUninit: { en: 'a pointer that was never initialised', zh: '从未初始化的指针' },
  kindRedzone: { en: 'a pointer read past the end of an object', zh: '越过对象末尾读出的指针' },
  kindNull: { en: 'a NULL pointer plus a large member offset', zh: '空指针加上较大的成员偏移' },
  kindErrPtr: { en: 'an error code dereferenced as a pointer', zh: '把错误码当指针解引用' },
  kindUser: { en: 'a user-space address used as a kernel pointer', zh: '把用户态地址当内核指针用' },
  kindGarbage: { en: 'a garbage (non-canonical) pointer', zh: '垃圾指针（非规范地址）' },
  kindModuleGone: { en: 'memory of a module that is no longer loaded', zh: '已不再加载的模块的内存' },
  kindWild: { en: 'a wild or stale kernel pointer', zh: '野指针或过期的内核指针' },

  explainAccess: { en: '{{culprit}} {{did}} {{address}}{{inTask}}.', zh: '函数 {{culprit}} {{did}} {{address}}{{inTask}}。' },
  explainAccessNoCulprit: { en: 'The kernel {{did}} {{address}}{{inTask}}.', zh: '内核{{did}} {{address}}{{inTask}}。' },
  explainGpfNoAddress: { en: 'The faulting instruction{{inCulprit}} {{did}} an address the CPU refused{{inTask}}; x86 does not report the address of a general protection fault.', zh: '出错指令{{inCulprit}}{{did}}一个被 CPU 拒绝的地址{{inTask}}；x86 不会报告通用保护异常的地址。' },
  inCulprit: { en: ' in {{culprit}}', zh: '（位于 {{culprit}}）' },
  inTask: { en: ' ({{task}})', zh: '（任务 {{task}}）' },
  didRead: { en: 'read from', zh: '读取了' },
  didWrite: { en: 'wrote to', zh: '写入了' },
  didFetch: { en: 'jumped to', zh: '跳转到了' },
  didAccess: { en: 'accessed', zh: '访问了' },

  whyListDeleted: {
    en: 'The pointer is {{poison}}: {{meaning}}. Deleting the entry a second time or walking it after list_del() means two paths tear down the same object (a double removal, or a race between two teardown paths): a state bug. Nothing here shows that the memory was freed; slab poison, a KASAN report or a free stack would.',
    zh: '指针值是 {{poison}}：{{meaning}}。再次删除该节点或在 list_del() 之后还遍历它，说明有两条路径在拆除同一个对象（重复删除，或两条拆除路径之间的竞争）：这是状态错误。这里没有证据表明内存已被释放；slab 毒值、KASAN 报告或释放栈才能说明这一点。',
  },
  whyListFreed: {
    en: 'The pointer is {{poison}}: {{meaning}}. The registers also hold freed-memory poison, so the entry was unlinked and its object freed while something still reached it through the list: a use-after-free.',
    zh: '指针值是 {{poison}}：{{meaning}}。寄存器里还有已释放内存的毒值，所以该节点被摘除、其对象被释放后，仍有代码通过链表访问到它：释放后使用。',
  },
  whySlabFreed: { en: 'crash\'s kmem places {{value}} in object {{object}} of the {{cache}} cache, and lists that object as free: the code used memory after it was freed (the object may since have been reused, which is why the values look like garbage).', zh: 'crash 的 kmem 显示 {{value}} 位于 {{cache}} 缓存的对象 {{object}} 中，并且该对象是空闲的：代码在内存释放之后还在使用它（该对象之后可能已被重新分配，所以值看起来是乱的）。' },
  whyFreed: { en: 'The pointer is {{poison}}: {{meaning}}. The object holding it had been freed before this code used it.', zh: '指针值是 {{poison}}：{{meaning}}。这段代码使用它之前，存放它的对象已经被释放。' },
  whyUninit: { en: 'The pointer is {{poison}}: {{meaning}}. The object was allocated and used before this field was set.', zh: '指针值是 {{poison}}：{{meaning}}。对象分配后在设置这个字段之前就被使用了。' },
  whyRedzone: { en: 'The pointer is {{poison}}: {{meaning}}.', zh: '指针值是 {{poison}}：{{meaning}}。' },
  whyReadOnly: {
    en: 'The page is present and the write was refused ({{pf}}): {{address}} is read-only memory, kernel or module text or data declared const. The code writes to something the compiler placed in read-only memory: a table declared const that the code still patches, or a pointer that should point at a writable copy.',
    zh: '页面存在但写入被拒绝（{{pf}}）：{{address}} 是只读内存，即内核或模块的代码段，或被声明为 const 的数据。代码在写编译器放进只读内存的东西：一个声明为 const 却仍被修改的表，或者一个本应指向可写副本的指针。',
  },
  whyNull: { en: 'The address is below 64 KiB: a NULL pointer plus the offset {{offset}} of a member in a large structure (or an array index). The pointer was NULL.', zh: '地址低于 64 KiB：空指针加上大结构体中某个成员的偏移 {{offset}}（或数组下标）。指针本身是 NULL。' },
  whyErrPtr: { en: 'The address is {{label}}. The function that returned it failed, and its caller used the result without checking IS_ERR().', zh: '该地址是 {{label}}。返回它的函数失败了，调用者没有检查 IS_ERR() 就使用了返回值。' },
  whyUser: {
    en: 'The address is a user-space address. Either the kernel dereferenced a user pointer directly instead of using copy_from_user()/get_user() (SMAP turns that into a fault), or a kernel pointer field was overwritten with a small integer.',
    zh: '这是一个用户态地址。要么内核没有用 copy_from_user()/get_user() 而是直接解引用了用户指针（开启 SMAP 时会直接出错），要么某个内核指针字段被一个小整数覆盖了。',
  },
  whyGpf: {
    en: 'A general protection fault on x86_64 from a memory access means a non-canonical address (bits 48-63 not all equal to bit 47): the pointer held garbage, not an address. The registers used by the faulting instruction hold it.',
    zh: 'x86_64 上内存访问导致的通用保护异常意味着访问了非规范地址（第 48-63 位与第 47 位不一致）：指针里是垃圾值而不是地址。出错指令使用的寄存器里就是这个值。',
  },
  whyKasanRange: { en: 'KASAN translated the shadow address back to the range the code tried to touch.', zh: 'KASAN 已把影子地址还原成代码本想访问的地址范围。' },
  whyNonCanonical: { en: 'The address is non-canonical: no valid pointer looks like this, so the pointer field held garbage.', zh: '这是非规范地址：合法指针不可能是这个样子，指针字段里是垃圾值。' },
  whyModuleGone: {
    en: '{{address}} is in the module mapping area and not present: the module that owned it has been unloaded, and something it registered (an ops table, a device, an adapter, a callback) was still reachable. Look for the module removed before the crash.',
    zh: '{{address}} 位于模块映射区且页面不存在：拥有它的模块已经被卸载，但它注册的东西（ops 表、设备、适配器、回调）仍然能被访问到。找出崩溃前被卸载的模块。',
  },
  whyWild: { en: 'The address is a kernel address that is not mapped{{pf}}: a stale pointer into freed vmalloc or module memory, or a wild pointer computed from corrupted data.', zh: '这是一个未映射的内核地址{{pf}}：指向已释放 vmalloc 或模块内存的过期指针，或者由被破坏的数据算出来的野指针。' },
  pfAside: { en: ' ({{pf}})', zh: '（错误码 {{pf}}）' },
  whereBug: { en: 'The faulting function is where the bad pointer was used; the bug is where it was stored, freed or computed. Find the register that held it and the object it was loaded from.', zh: '出错函数只是使用坏指针的地方；bug 在存放、释放或计算该指针的地方。找出存放它的寄存器，以及它是从哪个对象中读出来的。' },
  phaseInit: { en: 'This ran in the init function of {{module}} ({{fn}}): the module had not finished loading, so what it touched was set up by its own init code or not at all.', zh: '这发生在 {{module}} 的初始化函数（{{fn}}）中：模块还没有加载完成，它访问的东西要么由它自己的初始化代码建立，要么根本没有建立。' },
  phaseExit: { en: 'This ran in the exit function of {{module}} ({{fn}}): teardown code that uses an object it, or something it stopped, has already freed.', zh: '这发生在 {{module}} 的退出函数（{{fn}}）中：拆除代码使用了它自己（或它停止的东西）已经释放的对象。' },
  suspects: { en: 'Out-of-tree or unsigned modules are loaded ({{modules}}); check them first if the culprit code calls into them.', zh: '系统加载了树外或未签名模块（{{modules}}）；如果出错代码会调用到它们，先查它们。' },

  evGpf: { en: 'the general protection fault', zh: '通用保护异常' },
  evPf: { en: 'the bad kernel access', zh: '内核非法访问' },
  evAddress: { en: '{{address}}: {{label}}', zh: '地址 {{address}}：{{label}}' },
  evErrorCode: { en: 'error code {{pf}}', zh: '错误码 {{pf}}' },
  evAccess: { en: 'the faulting access was a {{access}}', zh: '出错的访问是{{access}}' },
  accRead: { en: 'read', zh: '读' },
  accWrite: { en: 'write', zh: '写' },
  accFetch: { en: 'instruction fetch', zh: '取指令' },
  evSlabFreed: { en: 'kmem: object {{object}} of {{cache}} is free', zh: 'kmem：{{cache}} 的对象 {{object}} 是空闲的' },
  evKasanRange: { en: 'KASAN: the address range the code meant to access', zh: 'KASAN：代码本想访问的地址范围' },
  evPoisonReg: { en: '{{reg}} = {{value}}: {{poison}}', zh: '{{reg}} = {{value}}：毒值 {{poison}}' },
  evCulprit: { en: '{{culprit}}: where the bad pointer was used', zh: '{{culprit}}：使用坏指针的地方' },

  stepDis: { en: 'crash> dis -l {{location}}     (the faulting instruction: which register held the bad pointer, and where it was loaded from)', zh: 'crash> dis -l {{location}}（出错指令：哪个寄存器存放了坏指针，它是从哪里加载的）' },
  stepKmemObject: { en: 'crash> kmem -s <address of the object the pointer was loaded from>     (is it a live or freed slab object, and of which cache)', zh: 'crash> kmem -s <读出该指针的对象地址>（它是已分配还是已释放的 slab 对象，属于哪个 cache）' },
  stepKmemAddress: { en: 'crash> kmem {{address}}     crash> vtop {{address}}     (what used to be mapped there)', zh: 'crash> kmem {{address}}     crash> vtop {{address}}（这里原来映射的是什么）' },
  stepMod: { en: 'crash> mod     crash> sym {{address}}     (which module owned {{address}}; none should now)', zh: 'crash> mod     crash> sym {{address}}（{{address}} 原来属于哪个模块；现在应当没有模块拥有它）' },
  stepBt: { en: 'crash> bt -f     (the caller frames and the object pointers they passed)', zh: 'crash> bt -f（调用者栈帧以及传入的对象指针）' },
  stepTeardown: { en: 'List every path that removes this object from its list or tears it down, and check that only one can run: a flag or a lock must make the second caller see that the first already did it.', zh: '列出所有把该对象从链表摘除或拆除它的路径，确认只有一条能执行：需要一个标志或一把锁让第二个调用者看到第一个已经做过了。' },
  stepKasan: { en: 'Reproduce with CONFIG_KASAN=y (or slub_debug=FZPU and CONFIG_DEBUG_LIST=y): the report then names the object, where it was allocated and where it was freed.', zh: '用 CONFIG_KASAN=y（或 slub_debug=FZPU 加 CONFIG_DEBUG_LIST=y）复现：报告会给出对象本身以及它的分配和释放位置。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

type Verdict = { cls: RootCauseClass; secondary: RootCauseClass[]; confidence: number; kind: keyof typeof messages; why: L10n[] };

export const badKernelAccess: Rule = {
  meta: {
    id: 'KT-bad-kernel-access',
    rootCauseClass: 'memory-corruption',
    summary: { en: 'A kernel paging request or general protection fault on a wild, user, non-canonical or poisoned address', zh: '内核访问野地址、用户态地址、非规范地址或毒值地址导致的缺页/通用保护异常' },
    docs: {
      en: `Looks for "BUG: unable to handle kernel paging request" / "unable to handle page fault for
address" and "general protection fault". The address (or, for a GPF, the registers, since x86
does not report a GPF address) says what kind of pointer was used:
- slab poison (0x6b6b6b6b..., POISON_FREE): the pointer was read out of a freed object:
  use-after-free;
- list poison (LIST_POISON1/2, dead000000000100/122): a list entry already removed with
  list_del() was unlinked again or walked: two paths tear down one object (memory-corruption,
  a state bug); use-after-free only when freed-memory poison or KASAN says the memory is gone;
- a present page refusing a write: the code writes to read-only text or const data;
- a user-space address: a user pointer dereferenced without copy_from_user() (SMAP), or a kernel
  pointer overwritten with a small integer;
- a non-canonical address (GPF): garbage in a pointer field; with KASAN the hint line
  "probably for non-canonical address 0xdffffc..." names the range it came from;
- a not-present address in the modules area: memory of an unloaded module;
- an unmapped kernel address: a stale pointer into freed vmalloc memory, or a wild one.
CR2 is the fault address only in a page fault; in a GPF it is stale and is not used. Whether the
access was a read or a write comes from the error code, arm64's WnR bit or the decoded
instruction. The guilty frame is where the bad pointer was used; the bug is usually where it
was stored or freed.
What to do: "dis -l FUNC+OFF" for the faulting instruction, find the register holding the bad
value, "kmem -s" the object it was loaded from, and rerun with KASAN or slub_debug=FZPU.`,
      zh: `匹配 "BUG: unable to handle kernel paging request" / "unable to handle page fault for address"
和 "general protection fault"。出错地址（GPF 不报告地址，要看寄存器）说明了用的是什么样的指针：
- slab 毒值（0x6b6b6b6b...，POISON_FREE）：指针是从已释放对象中读出来的：释放后使用；
- 链表毒值（LIST_POISON1/2、dead000000000100/122）：已被 list_del() 摘除的节点又被摘除或遍历：
  两条路径在拆除同一个对象（内存破坏，属于状态错误）；只有已释放内存的毒值或 KASAN 说明内存已经
  释放时，才是释放后使用；
- 页面存在却拒绝写入：代码在写只读的代码段或 const 数据；
- 用户态地址：没有经过 copy_from_user() 就直接解引用了用户指针（SMAP），或者内核指针被一个小整数覆盖；
- 非规范地址（GPF）：指针字段里是垃圾值；开了 KASAN 时 "probably for non-canonical address
  0xdffffc..." 这一行会给出它对应的地址范围；
- 模块区中不存在的地址：已卸载模块的内存；
- 未映射的内核地址：指向已释放 vmalloc 内存的过期指针，或者野指针。
CR2 只有在缺页异常中才是出错地址；在 GPF 中它是过期的值，不会被使用。访问是读还是写，来自错误码、
arm64 的 WnR 位或反汇编出的指令。嫌疑帧是使用坏指针的地方；真正的 bug 通常在存放或释放该指针的地方。
处理办法：用 "dis -l 函数+偏移" 查看出错指令，找出存放坏值的寄存器，用 "kmem -s" 查看它是从哪个
对象读出来的，并打开 KASAN 或 slub_debug=FZPU 复现。`,
    },
    references: ['arch/x86/mm/fault.c', 'arch/x86/kernel/traps.c: exc_general_protection()', 'include/linux/poison.h'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    for (const hit of reportsWhere(ctx, HEADER)) {
      const r = hit.report;
      if (/NULL pointer dereference/.test(hit.header.text) || linesOf(ctx, r, /null-ptr-deref in range/, 1).length > 0) continue;
      const c = blameReport(r, 'fault');
      const gpf = /general protection fault|stack segment/.test(hit.header.text);
      const fault = faultAddressOf(ctx, r);
      const addr: AddressFacts | null = fault ? classifyAddress(fault.value) : null;
      const pf = r.fault.errorCode && isPageFault(ctx, r) ? safePf(r.fault.errorCode) : null;
      const access = faultAccessOf(ctx, r);
      const poisoned = poisonedRegisters(r.registers?.values);
      const kasanRange = linesOf(ctx, r, /KASAN: (?:maybe wild-memory-access|probably user-memory-access) in range/, 1)[0] ?? null;
      const poison = addr?.poison ?? poisoned[0]?.poison ?? null;
      const freedEvidence = [addr?.poison, ...poisoned.map((p) => p.poison)].some((p) => p?.proves === 'freed') || linesOf(ctx, r, /BUG: KASAN: (?:slab-)?use-after-free|BUG: KFENCE: use-after-free/, 1).length > 0;
      // crash's kmem placed the address (or a register the access used) in a slab object that is free: a use after free.
      const model = machineOf(ctx.analysis);
      // Inside the slab allocator the registers point at free objects by design: only the fault address counts there.
      const inAllocator = mainFrames(r).slice(0, 4).some((f) => f.function !== null && SLAB_ALLOCATOR.test(f.function.replace(/\..*$/, '')));
      const slabHits = [addr?.value ?? null, ...(inAllocator ? [] : Object.values(r.registers?.values ?? {}))]
        .filter((v): v is string => v !== null && /^(?:0x)?ffff[0-9a-f]{12}$/i.test(v))
        .map((v) => ({ value: v.replace(/^0x/i, '').toLowerCase(), obj: slabObjectAt(model, v) }));
      const freedSlab = slabHits.find((h) => h.obj !== null && !h.obj.allocated) ?? null;
      const region = addr?.kind === 'kernel' ? regionOf(addr.value, releaseOf(ctx.analysis, r)) : null;
      const phase = modulePhaseOf(mainFrames(r));
      const poisonData = poison ? { poison: poison.name, meaning: poison.meaning } : {};
      const pfText = pf ? pf.summary : null;

      const verdict = ((): Verdict => {
        if (poison?.proves === 'list-deleted') {
          return freedEvidence
            ? { cls: 'use-after-free', secondary: ['memory-corruption'], confidence: 0.82, kind: 'kindListFreed', why: [msg('whyListFreed', poisonData)] }
            : { cls: 'memory-corruption', secondary: ['use-after-free'], confidence: 0.8, kind: 'kindListDeleted', why: [msg('whyListDeleted', poisonData)] };
        }
        if (pf && pf.present && pf.write && !pf.user && addr?.kind === 'kernel') {
          return { cls: 'other', secondary: ['memory-corruption'], confidence: 0.72, kind: 'kindReadOnlyWrite', why: [msg('whyReadOnly', { pf: pfText, address: addr.value })] };
        }
        if (freedSlab?.obj) {
          return { cls: 'use-after-free', secondary: ['memory-corruption'], confidence: 0.85, kind: 'kindSlabFreed', why: [msg('whySlabFreed', { value: freedSlab.value, object: freedSlab.obj.address, cache: freedSlab.obj.cache ?? '?' })] };
        }
        if (poison?.proves === 'freed') return { cls: 'use-after-free', secondary: [], confidence: 0.82, kind: 'kindFreed', why: [msg('whyFreed', poisonData)] };
        if (poison?.proves === 'uninitialised') return { cls: 'memory-corruption', secondary: [], confidence: 0.75, kind: 'kindUninit', why: [msg('whyUninit', poisonData)] };
        if (poison?.proves === 'redzone') return { cls: 'memory-corruption', secondary: [], confidence: 0.7, kind: 'kindRedzone', why: [msg('whyRedzone', poisonData)] };
        if (addr?.kind === 'null') return { cls: 'null-deref', secondary: [], confidence: 0.75, kind: 'kindNull', why: [msg('whyNull', { offset: `0x${(addr.offset ?? 0n).toString(16)}` })] };
        if (addr?.kind === 'err-ptr') return { cls: 'other', secondary: [], confidence: 0.72, kind: 'kindErrPtr', why: [msg('whyErrPtr', { label: addr.label })] };
        if (addr?.kind === 'user') return { cls: 'memory-corruption', secondary: [], confidence: 0.65, kind: 'kindUser', why: [msg('whyUser')] };
        if (addr?.kind === 'non-canonical' || gpf) {
          const why = gpf ? [msg('whyGpf'), ...(kasanRange ? [msg('whyKasanRange')] : [])] : [msg('whyNonCanonical')];
          return { cls: 'memory-corruption', secondary: phase?.phase === 'exit' ? ['use-after-free'] : [], confidence: kasanRange ? 0.68 : 0.6, kind: 'kindGarbage', why };
        }
        if (region === 'modules' && pf && !pf.present && addr) {
          return { cls: 'dangling-callback-after-unload', secondary: ['use-after-free'], confidence: 0.6, kind: 'kindModuleGone', why: [msg('whyModuleGone', { address: addr.value })] };
        }
        return { cls: 'memory-corruption', secondary: phase?.phase === 'exit' ? ['use-after-free'] : [], confidence: 0.6, kind: 'kindWild', why: [msg('whyWild', { pf: pfText ? msg('pfAside', { pf: pfText }) : null })] };
      })();

      const culprit = culpritLabel(c);
      const task = taskLabel(r);
      const inTask = task ? msg('inTask', { task }) : null;
      const did = msg(access?.access === 'write' ? 'didWrite' : access?.access === 'fetch' ? 'didFetch' : access?.access === 'read' ? 'didRead' : 'didAccess');
      const first = addr
        ? msg(culprit ? 'explainAccess' : 'explainAccessNoCulprit', { culprit, did, address: addr.value, inTask })
        : msg('explainGpfNoAddress', { inCulprit: culprit ? msg('inCulprit', { culprit }) : null, did, inTask });

      const evidence: FindingDraft['evidence'] = [];
      // The address line first: when it is the header itself, its note is the one kept.
      if (addr && fault?.line !== null && fault?.line !== undefined) evidence.push({ line: fault.line, note: msg('evAddress', { address: addr.value, label: addr.label }) });
      evidence.push({ line: hit.header.no, note: msg(gpf ? 'evGpf' : 'evPf') });
      if (pf && r.fault.errorCodeLine !== null) evidence.push({ line: r.fault.errorCodeLine, note: msg('evErrorCode', { pf: pf.summary }) });
      else if (access && access.from !== 'error-code') evidence.push({ line: access.line, note: msg('evAccess', { access: msg(access.access === 'write' ? 'accWrite' : access.access === 'fetch' ? 'accFetch' : 'accRead') }) });
      if (kasanRange) evidence.push({ line: kasanRange.no, note: msg('evKasanRange') });
      if (freedSlab?.obj) evidence.push({ line: freedSlab.obj.line, note: msg('evSlabFreed', { object: freedSlab.obj.address, cache: freedSlab.obj.cache ?? '?' }) });
      for (const p of poisoned.slice(0, 2)) {
        const line = r.registers?.lines.find((no) => ctx.line(no)?.text.includes(`${p.reg}:`)) ?? r.registers?.lines[0];
        if (line !== undefined) evidence.push({ line, note: msg('evPoisonReg', { reg: p.reg, value: p.value, poison: p.poison.name }) });
      }
      if (c.line !== null && culprit) evidence.push({ line: c.line, note: msg('evCulprit', { culprit }) });
      const phased = modulePhaseData(phase);
      const phaseData = phased?.data ?? null;
      if (phased) evidence.push(phased.evidence);

      const suspects = suspectModuleNames(r);
      const why: L10n[] = [first, ...verdict.why, msg('whereBug')];
      if (phase && phaseData) why.push(msg(phase.phase === 'init' ? 'phaseInit' : 'phaseExit', phaseData));
      if (suspects) why.push(msg('suspects', { modules: suspects }));
      out.push({
        report: hit.index,
        rootCauseClass: verdict.cls,
        secondaryClasses: verdict.secondary,
        confidence: verdict.confidence,
        summary: msg(gpf ? 'summaryGpf' : 'summaryPf', { where: culprit ? msg('where', { culprit }) : null, kind: msg(verdict.kind) }),
        explanation: paragraphs(why),
        evidence,
        culprit: culpritOfBlame(c),
        nextSteps: [
          ...(c.location ? [msg('stepDis', { location: c.location })] : []),
          ...(verdict.kind === 'kindModuleGone' && addr ? [msg('stepMod', { address: addr.value })] : []),
          ...(verdict.kind === 'kindListDeleted' ? [msg('stepTeardown')] : []),
          msg('stepKmemObject'),
          ...(addr?.kind === 'kernel' && verdict.kind !== 'kindModuleGone' ? [msg('stepKmemAddress', { address: addr.value })] : []),
          msg('stepBt'),
          msg('stepKasan'),
        ],
        facts: {
          faultAddress: addr?.value ?? null,
          addressKind: addr?.kind ?? null,
          addressRegion: region,
          poison: poison?.name ?? null,
          freedSlabObject: freedSlab?.obj ? { address: freedSlab.obj.address, cache: freedSlab.obj.cache } : null,
          poisonProves: poison?.proves ?? null,
          poisonedRegisters: poisoned.map((p) => p.reg),
          generalProtection: gpf,
          errorCode: pf?.value ?? null,
          access: access?.access ?? null,
          modulePhase: phase ? { phase: phase.phase, module: phase.module, function: phase.frame.function } : null,
        },
      });
    }
    return out;
  },
};

function regionOf(value: string, release: string | null): string | null {
  try {
    return addressClass(value, release).region;
  } catch {
    return null;
  }
}
