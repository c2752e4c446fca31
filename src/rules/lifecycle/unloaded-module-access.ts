// A fault on memory of a module that is gone: its code still called (timer, work, thread), or its data still referenced.

import { paragraphs } from '../reports';
import type { CrashReport, LogLine } from '../../model/types';
import { decodePfError } from '../../decode/pf-error';
import { releaseOf } from '../facts';
import { baseName, dispatcherOf } from '../blame';
import { isModulesArea, mechanismData, mechanismOf, unloadEvidence, WORKQUEUE_RAW, type Mechanism } from './unload';
import { messenger } from '../messages';
import type { FindingDraft, L10n, Rule, RuleContext } from '../types';

const messages = {
  summaryCode: {
    en: 'Code of an unloaded module ran{{via}}: {{address}} is in the modules area and nothing is mapped there any more{{who}}',
    zh: '已卸载模块的代码仍被执行{{via}}：{{address}} 位于模块区，那里已经没有任何映射{{who}}',
  },
  summaryData: {
    en: '{{fn}} read memory of an unloaded module at {{address}}{{who}}: an object of the module was still registered',
    zh: '{{fn}} 读取了已卸载模块的内存 {{address}}{{who}}：该模块的对象仍处于注册状态',
  },
  whoModule: { en: ' ({{module}} was unloaded just before)', zh: '（之前刚卸载了 {{module}}）' },
  viaMechanism: { en: ' from {{aMechanism}}', zh: '，来自{{aMechanism}}' },
  explainCode: {
    en: 'The CPU {{how}} {{address}}, an address in the kernel\'s module mapping area that resolves to no symbol: the module whose code lived there has been unloaded, but something still called into it.',
    zh: 'CPU {{how}} {{address}}，这是内核模块映射区中一个不对应任何符号的地址：原来在这里的模块代码已经被卸载，却仍有代码调用它。',
  },
  explainData: {
    en: '{{fn}} {{access}} {{address}}, in the module mapping area, and the page is not present: memory of a module that has been unloaded. Core code reaches module memory through objects the module registered (an ops table, a device, an adapter, a clock) that its exit or remove path failed to unregister.',
    zh: '{{fn}} {{access}} {{address}}，该地址位于模块映射区且页面不存在：这是一个已卸载模块的内存。核心代码是通过模块注册的对象（ops 表、设备、适配器、时钟等）访问到模块内存的，而模块的退出或移除路径没有注销它们。',
  },
  explainMechanism: {
    en: 'The frames show how it was entered: {{dispatcher}} runs {{mechanism}}s. A {{mechanism}} armed by the module and not stopped with {{stoppedBy}} on unload keeps running after the module\'s text is freed.',
    zh: '调用帧说明了它是如何被调用的：{{dispatcher}} 负责运行{{mechanism}}。模块启动的{{mechanism}}如果卸载时没有用 {{stoppedBy}} 停止，在模块代码被释放后仍会继续运行。',
  },
  explainModule: {
    en: 'The log names the module that went away: {{module}} ({{how}}). Its exit path is where the missing stop or unregister belongs; "last unloaded" is a strong hint, not proof, when several modules came and went.',
    zh: '日志给出了被卸载的模块：{{module}}（{{how}}）。缺少的停止或注销操作应该放在它的退出路径里；如果先后有多个模块被加载和卸载，"last unloaded" 只是强烈的线索而不是证据。',
  },
  explainNoModule: {
    en: 'The module is gone, so its name is not on the stack, and the log does not say which module was unloaded: check which modules were removed before the crash ("crash> mod", the kernel log, the shell history).',
    zh: '模块已经不在了，所以调用栈里看不到它的名字，日志里也没有说明卸载了哪个模块：查一下崩溃前卸载过哪些模块（"crash> mod"、内核日志、shell 历史）。',
  },
  evFetch: { en: 'instruction fetch from {{address}}: the CPU jumped into module text that is gone', zh: '从 {{address}} 取指令：CPU 跳进了已不存在的模块代码' },
  evAddress: { en: '{{address}}: in the modules area, not present', zh: '{{address}}：位于模块区，页面不存在' },
  evNoOpcode: { en: 'the code bytes at RIP cannot be read: nothing is mapped there', zh: 'RIP 处的指令字节无法读取：那里没有映射' },
  evRawIp: { en: 'RIP is a bare address: no symbol covers it any more', zh: 'RIP 只是一个裸地址：已经没有符号覆盖它' },
  evDispatcher: { en: '{{dispatcher}}: runs {{mechanism}}s (a hint even when marked "?")', zh: '{{dispatcher}}：负责运行{{mechanism}}（即使标记为 "?" 也是线索）' },
  evWorkqueue: { en: 'the work item\'s function is printed as a bare address: its module is gone', zh: '工作项的函数只打印成裸地址：它所在的模块已经不在了' },
  evUnload: { en: '{{module}} was unloaded here', zh: '{{module}} 在这里被卸载' },
  stepMod: { en: 'crash> mod     crash> sym {{address}}     (no loaded module should own {{address}})', zh: 'crash> mod     crash> sym {{address}}（应该没有任何已加载模块拥有 {{address}}）' },
  stepExit: { en: 'In {{module}}: every {{mechanism}} it starts must be stopped with {{stoppedBy}} in its exit path and on every probe/init failure path, before its memory goes away.', zh: '在 {{module}} 中：它启动的每个{{mechanism}}都必须在退出路径以及每条 probe/初始化失败路径上用 {{stoppedBy}} 停止，并且要在其内存释放之前完成。' },
  stepUnregister: { en: 'In {{module}}: every object it registered with the core (ops, devices, adapters, clocks, notifiers) must be unregistered in its exit/remove path, on every path.', zh: '在 {{module}} 中：它向核心注册的每个对象（ops、设备、适配器、时钟、通知链）都必须在退出/移除路径的每条分支上注销。' },
  stepLog: { en: 'crash> log | grep -iE "rmmod|modprobe -r|unload|insmod"     (which modules came and went)', zh: 'crash> log | grep -iE "rmmod|modprobe -r|unload|insmod"（哪些模块被加载和卸载过）' },
  stepLoop: { en: 'Reproduce with a load/unload loop under CONFIG_DEBUG_OBJECTS_TIMERS / CONFIG_DEBUG_OBJECTS_WORK: they report the object still active when the module frees it.', zh: '在打开 CONFIG_DEBUG_OBJECTS_TIMERS / CONFIG_DEBUG_OBJECTS_WORK 的内核上循环加载/卸载模块复现：它们会在模块释放仍处于活动状态的对象时报告。' },
  howFetched: { en: 'fetched instructions from', zh: '从以下地址取指令：' },
  howJumped: { en: 'was executing at', zh: '正在执行' },
  read: { en: 'read', zh: '读取了' },
  wrote: { en: 'wrote to', zh: '写入了' },
  unloadLast: { en: 'printed as last unloaded', zh: '日志显示为最后卸载的模块' },
  unloadCommand: { en: 'removed by the command in the log', zh: '日志中的命令卸载了它' },
  unloadWorkqueue: { en: 'the workqueue of the dead work item is named after it', zh: '失效工作项所在的工作队列以它命名' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

export const unloadedModuleAccess: Rule = {
  meta: {
    id: 'KT-unloaded-module-access',
    rootCauseClass: 'dangling-callback-after-unload',
    summary: { en: 'A fault on memory of a module that was unloaded: its timer, work, thread or registered object outlived it', zh: '访问已卸载模块的内存出错：它的定时器、工作项、线程或注册的对象比模块活得更久' },
    docs: {
      en: `Looks for a page fault whose address is in the kernel's module mapping area and is not
present. Two shapes:
- Its code: an instruction fetch there (error code with the I/D bit, "#PF: supervisor instruction
  fetch"), an RIP that is a bare address no symbol covers, or "Code: Unable to access opcode bytes".
  The module's text is gone and something still called into it: a timer (call_timer_fn on the
  stack, even as a "?" frame), a work item (process_one_work, "Workqueue: name 0x..."), a kthread
  that was never stopped (kthread), a tasklet, an RCU callback, an IRQ handler.
- Its data: core code read a not-present module address through an object the module registered
  (an adapter, an ops table, a clock) and did not unregister.
The module is named from "[last unloaded: M]", an rmmod/modprobe -r command in the log, or the
workqueue named after it; "last unloaded" is a hint, not proof.
What to do: in that module's exit and remove paths (and every init/probe failure path), stop
what it started (del_timer_sync, cancel_work_sync, kthread_stop, tasklet_kill, free_irq,
rcu_barrier) and unregister what it registered, before its memory goes away.`,
      zh: `匹配地址位于内核模块映射区且页面不存在的缺页异常。两种情形：
- 模块代码：在那里取指令（错误码带 I/D 位、"#PF: supervisor instruction fetch"）、RIP 是不对应任何
  符号的裸地址，或 "Code: Unable to access opcode bytes"。模块代码已经没了，却仍有东西调用它：定时器
  （栈上有 call_timer_fn，即使是 "?" 帧）、工作项（process_one_work、"Workqueue: 名字 0x..."）、从未
  停止的内核线程（kthread）、tasklet、RCU 回调、中断处理函数。
- 模块数据：核心代码通过模块注册后没有注销的对象（适配器、ops 表、时钟）读到了不存在的模块地址。
模块名来自 "[last unloaded: M]"、日志里的 rmmod/modprobe -r 命令，或以它命名的工作队列；
"last unloaded" 是线索而不是证据。
处理办法：在该模块的退出和移除路径（以及每条初始化/probe 失败路径）上，在其内存释放之前停止它启动的
东西（del_timer_sync、cancel_work_sync、kthread_stop、tasklet_kill、free_irq、rcu_barrier），
并注销它注册的东西。`,
    },
    references: ['kernel/module/main.c: free_module()', 'Documentation/core-api/workqueue.rst', 'kernel/time/timer.c: del_timer_sync()'],
    messages,
  },
  check(ctx) {
    const out: FindingDraft[] = [];
    ctx.analysis.reports.forEach((r, index) => {
      const header = ctx.line(r.headerLine)?.text ?? '';
      if (!/unable to handle|page fault|paging request|Unable to handle kernel/i.test(header)) return;
      const release = releaseOf(ctx.analysis, r);
      let pf: ReturnType<typeof decodePfError> | null = null;
      try {
        pf = r.fault.errorCode ? decodePfError(r.fault.errorCode) : null;
      } catch {
        pf = null;
      }
      if (pf?.present && !pf.instructionFetch) return;
      const ip = r.registers?.ip ?? null;
      const rawIp = ip !== null && ip.function === null && ip.address !== null && isModulesArea(ip.address, release) ? ip : null;
      const noOpcode = findIn(ctx, r, /Code: Unable to access opcode bytes/);
      const addr = r.fault.address;
      const inModules = isModulesArea(addr, release);
      const fetch = (pf?.instructionFetch ?? false) || /instruction fetch/.test(textOf(ctx, r.fault.errorCodeLine));
      const code = inModules && (fetch || rawIp !== null || (noOpcode !== null && ip?.address === addr));
      const data = !code && inModules && ip?.function !== null && ip?.function !== undefined;
      if (!code && !data) return;
      // A dispatcher faulting on a module's object is the dangling-callback rule's, with its self-deadlock analysis.
      if (data && ip?.function && dispatcherOf(ip.function) !== null) return;
      const frames = r.traces.flatMap((t) => t.segments.flatMap((s) => s.frames));
      const wqLine = findIn(ctx, r, WORKQUEUE_RAW);
      const wq = wqLine ? { name: (WORKQUEUE_RAW.exec(wqLine.text) as RegExpExecArray)[1], line: wqLine.no } : null;
      const mech: Mechanism | null = wq && code ? { frame: null, dispatcher: 'process_one_work', mechanism: 'work', stoppedBy: 'cancel_work_sync() / cancel_delayed_work_sync() / destroy_workqueue()' } : mechanismOf(frames);
      const unload = unloadEvidence(ctx, r, wq);
      const module = unload?.module ?? null;
      const address = addr ? `0x${addr.replace(/^0x/, '')}` : 'the fault address';
      const who = module ? msg('whoModule', { module }) : null;
      const evidence: FindingDraft['evidence'] = [];
      if (r.fault.addressLine !== null) evidence.push({ line: r.fault.addressLine, note: msg(code && fetch ? 'evFetch' : 'evAddress', { address }) });
      if (rawIp) evidence.push({ line: rawIp.line, note: msg('evRawIp') });
      if (noOpcode) evidence.push({ line: noOpcode.no, note: msg('evNoOpcode') });
      if (wq && code) evidence.push({ line: wq.line, note: msg('evWorkqueue') });
      const mechData = mech ? mechanismData(mech) : null;
      if (mech?.frame && mechData) evidence.push({ line: mech.frame.line, note: msg('evDispatcher', mechData) });
      if (unload) evidence.push({ line: unload.line, note: msg('evUnload', { module: unload.module }) });
      const fn = ip?.function ? baseName(ip.function) : null;
      const via = mechData ? msg('viaMechanism', mechData) : null;
      const summary = code ? msg('summaryCode', { address, via, who }) : msg('summaryData', { fn, address, who });
      const how = msg(unload?.how === 'last' ? 'unloadLast' : unload?.how === 'workqueue' ? 'unloadWorkqueue' : 'unloadCommand');
      const paras: L10n[] = [code ? msg('explainCode', { how: msg(fetch ? 'howFetched' : 'howJumped'), address }) : msg('explainData', { fn, access: msg(pf?.write ? 'wrote' : 'read'), address })];
      if (mechData && code) paras.push(msg('explainMechanism', mechData));
      paras.push(module ? msg('explainModule', { module, how }) : msg('explainNoModule'));
      out.push({
        report: index,
        confidence: code ? (module ? 0.88 : 0.8) : module ? 0.82 : 0.66,
        secondaryClasses: data ? ['use-after-free'] : [],
        summary,
        explanation: paragraphs(paras),
        evidence,
        culprit: module ? { function: null, module } : null,
        nextSteps: [
          msg('stepMod', { address }),
          ...(module ? [code && mechData ? msg('stepExit', { module, ...mechData }) : msg('stepUnregister', { module })] : []),
          msg('stepLog'),
          msg('stepLoop'),
        ],
        facts: { faultAddress: addr, addressRegion: 'modules', instructionFetch: fetch, codeGone: code, callbackKind: mech?.mechanism ?? null, unloadedModule: module, unloadEvidence: unload?.how ?? null },
      });
    });
    return out;
  },
};

function textOf(ctx: RuleContext, no: number | null): string {
  return no === null ? '' : (ctx.line(no)?.text ?? '');
}

function findIn(ctx: RuleContext, r: CrashReport, re: RegExp): LogLine | null {
  for (let no = r.startLine; no <= r.endLine && no < r.startLine + 300; no++) {
    const l = ctx.line(no);
    if (l && re.test(l.text)) return l;
  }
  return null;
}
