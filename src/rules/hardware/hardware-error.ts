// Machine checks, EDAC memory errors, PCIe AER uncorrectable errors: the hardware reported the fault itself.

import { HARDWARE_ERROR_NAMES, HARDWARE_ERROR_SIGNS, SHUTDOWN_LINES, SHUTDOWN_WINDOW, VIRTUAL_CPU, type HardwareErrorKind } from '../../knowledge/hardware-errors';
import { messenger } from '../messages';
import { paragraphs } from '../reports';
import type { FindingDraft, L10n, RootCauseClass, Rule } from '../types';

const messages = {
  summary: { en: 'Hardware error reported ({{kinds}}), {{severity}}', zh: '硬件报告了错误（{{kinds}}），{{severity}}' },
  summaryDevice: { en: 'Hardware error reported ({{kinds}}), {{severity}}, on PCIe device {{device}}', zh: '硬件报告了错误（{{kinds}}），{{severity}}，PCIe 设备 {{device}}' },
  uncorrected: { en: 'uncorrected', zh: '不可纠正' },
  corrected: { en: 'corrected', zh: '可纠正' },
  records: { en: 'The log contains {{count}} hardware error records: {{names}}. These are raised by the hardware itself, not inferred from a software symptom.', zh: '日志中有 {{count}} 条硬件错误记录：{{names}}。它们由硬件自己上报，而不是从软件症状推测出来的。' },
  recordsOne: { en: 'The log contains one hardware error record: {{names}}. It is raised by the hardware itself, not inferred from a software symptom.', zh: '日志中有一条硬件错误记录：{{names}}。它由硬件自己上报，而不是从软件症状推测出来的。' },
  fatal: { en: 'An uncorrected error means data was lost or the link failed; any crash that follows (oopses, corrupted data structures) should be treated as a consequence until the hardware is cleared.', zh: '不可纠正错误意味着数据已丢失或链路已失效；在硬件问题排除之前，之后出现的任何崩溃（oops、数据结构被破坏）都应视为其后果。' },
  correctedNote: { en: 'Corrected errors are not fatal by themselves, but a growing count on one DIMM or device predicts an uncorrected one.', zh: '可纠正错误本身不致命，但同一根 DIMM 或同一个设备上计数持续增长，预示着即将出现不可纠正错误。' },
  aer: { en: 'AER errors can also come from a driver accessing a device during reset or with a bad configuration, and from firmware or link-training problems: check the driver and firmware before replacing the card.', zh: 'AER 错误也可能来自驱动在设备复位期间或配置错误时访问设备，以及固件或链路训练问题：更换板卡之前先检查驱动和固件。' },
  shutdown: { en: 'The machine check came right after the machine started to power off or reboot: an error tied to that moment is usually the platform (firmware, or a hypervisor intercepting the power-off method) rejecting how the kernel powers off, not a failing part.', zh: '这次 machine check 紧跟在系统开始关机或重启之后：与这个时刻绑定的错误，通常是平台（固件，或拦截关机方式的 hypervisor）拒绝了内核的关机方式，而不是某个部件坏了。' },
  virtual: { en: 'The CPU is virtual: a machine check in a guest is forwarded or injected by the hypervisor, so the host\'s logs say whether real hardware failed.', zh: 'CPU 是虚拟的：客户机中的 machine check 是由 hypervisor 转发或注入的，所以要看宿主机的日志才能知道是否真的有硬件故障。' },

  evRecord: { en: '{{kind}} {{severity}} error', zh: '{{kind}} {{severity}}错误' },
  sevFatal: { en: 'uncorrected/fatal', zh: '不可纠正/致命' },
  sevInfo: { en: 'corrected/informational', zh: '可纠正/提示性' },
  evDimm: { en: 'the memory location EDAC names', zh: 'EDAC 给出的内存位置' },
  evDevice: { en: 'the PCIe device {{device}}', zh: 'PCIe 设备 {{device}}' },
  evDeviceUnnamed: { en: 'the PCIe device', zh: 'PCIe 设备' },
  evBank: { en: 'the MCE bank (which unit: cache, memory controller, interconnect)', zh: 'MCE bank（哪个部件：缓存、内存控制器、互连）' },
  evShutdown: { en: 'the machine was powering off or rebooting', zh: '系统正在关机或重启' },
  evVirtual: { en: 'the CPU is virtual', zh: 'CPU 是虚拟的' },

  stepRas: { en: 'ras-mc-ctl --errors / mcelog --client     (decoded MCE and EDAC history with DIMM labels)', zh: 'ras-mc-ctl --errors / mcelog --client（解码后的 MCE 和 EDAC 历史，带 DIMM 标签）' },
  stepSel: { en: 'ipmitool sel list     (the BMC log: the same event seen by the platform)', zh: 'ipmitool sel list（BMC 日志：平台侧看到的同一事件）' },
  stepLspci: { en: 'lspci -vvv -s {{device}}     (AER status registers, link speed and width, driver)', zh: 'lspci -vvv -s {{device}}（AER 状态寄存器、链路速率和宽度、驱动）' },
  stepShutdown: { en: 'Check how the kernel powers off on this platform (ACPI S5, a firmware or hypervisor call) and whether a firmware or hypervisor update changes it.', zh: '检查内核在这个平台上如何关机（ACPI S5、固件或 hypervisor 调用），以及升级固件或 hypervisor 是否会改变它。' },
  stepHost: { en: 'Read the host\'s (hypervisor\'s) hardware error log for the same time.', zh: '查看宿主机（hypervisor）同一时间的硬件错误日志。' },
  stepReplace: { en: 'Update the BIOS, microcode and device firmware; replace or reseat the DIMM or card the records point to; run a memory test.', zh: '升级 BIOS、微码和设备固件；更换或重新插拔记录所指的 DIMM 或板卡；运行内存测试。' },
} satisfies Record<string, L10n>;

const msg = messenger(messages);

const KIND_LABEL: Record<HardwareErrorKind, string> = { mce: 'MCE', ghes: 'GHES', edac: 'EDAC', aer: 'AER' };

export const hardwareError: Rule = {
  meta: {
    id: 'KT-hardware-error',
    rootCauseClass: 'hardware',
    summary: { en: 'The hardware reported an error: machine check, EDAC memory error, PCIe AER uncorrectable error', zh: '硬件自己报告了错误：machine check、EDAC 内存错误、PCIe AER 不可纠正错误' },
    docs: {
      en: `Looks for "Machine Check Exception", "mce: [Hardware Error]", APEI/GHES "[Hardware Error]" records,
EDAC corrected/uncorrected memory errors and PCIe AER "Uncorrected (Fatal/Non-Fatal)" errors (the
lines are data: src/knowledge/hardware-errors.ts). These are reported by the CPU, memory
controller or PCIe fabric: the machine says which bank, DIMM or device failed. An uncorrected
error panics the machine ("Kernel panic - not syncing: Fatal machine check"); a stream of
corrected errors on one DIMM predicts one. Software bugs cannot produce an MCE, but they can
produce AER errors (a driver touching a device in reset), so read AER with the device's driver
in mind. A machine check right after "reboot: Power down" is usually the platform rejecting the
power-off method (firmware-bios is added), and on a virtual CPU the hypervisor injected it.
What to do: decode the MCE (mcelog / rasdaemon: ras-mc-ctl --errors), identify the DIMM or
device from EDAC/AER, check the BMC/IPMI SEL, and replace or reseat; check firmware/microcode.`,
      zh: `匹配 "Machine Check Exception"、"mce: [Hardware Error]"、APEI/GHES 的 "[Hardware Error]" 记录、
EDAC 可纠正/不可纠正内存错误，以及 PCIe AER "Uncorrected (Fatal/Non-Fatal)" 错误（这些行是数据：
src/knowledge/hardware-errors.ts）。这些错误由 CPU、内存控制器或 PCIe 链路自己报告：机器会说明是哪个
bank、哪根 DIMM 或哪个设备出了问题。不可纠正错误会让机器 panic（"Kernel panic - not syncing: Fatal
machine check"）；同一根 DIMM 上持续出现可纠正错误，预示着即将出现不可纠正错误。软件 bug 不可能产生
MCE，但可能产生 AER 错误（驱动在设备复位期间访问它），所以看 AER 时要结合设备驱动一起判断。紧跟在
"reboot: Power down" 之后的 machine check 通常是平台拒绝了关机方式（附加 firmware-bios），而在虚拟 CPU
上则是 hypervisor 注入的。
处理办法：解码 MCE（mcelog / rasdaemon：ras-mc-ctl --errors），从 EDAC/AER 确定 DIMM 或设备，查看 BMC/IPMI
SEL 日志，更换或重新插拔；检查固件/微码版本。`,
    },
    references: ['Documentation/admin-guide/ras.rst', 'Documentation/PCI/pcieaer-howto.rst'],
    messages,
  },
  check(ctx) {
    const hits: Array<{ no: number; kind: HardwareErrorKind; fatal: boolean }> = [];
    for (const s of HARDWARE_ERROR_SIGNS) {
      for (const l of ctx.findLines(s.re, 20)) {
        if (!hits.some((h) => h.no === l.no)) hits.push({ no: l.no, kind: s.kind, fatal: s.fatal });
      }
    }
    if (hits.length === 0) return [];
    hits.sort((a, b) => a.no - b.no);
    const fatal = hits.some((h) => h.fatal);
    const kinds = [...new Set(hits.map((h) => h.kind))];
    const dimm = ctx.findLines(/EDAC .{0,200}(?:DIMM|dimm|csrow|channel|memory location|label):?\s{0,4}\S/, 1)[0] ?? null;
    const device = ctx.findLines(/AER: .{0,200}(?:device \[|[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.\d)|[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.\d: AER: /, 1)[0] ?? null;
    const devName = device ? /([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.\d)/.exec(device.text)?.[1] ?? null : null;
    const bank = ctx.findLines(/(?:CPU \d{1,5}: )?Machine Check(?: Exception)?: .{0,80}Bank (\d{1,3})|mce: .{0,80}Bank (\d{1,3})/, 1)[0] ?? null;
    const firstMce = hits.find((h) => h.kind === 'mce') ?? null;
    const shutdown = firstMce ? ctx.findLines(SHUTDOWN_LINES, 20).filter((l) => l.no < firstMce.no && l.no >= firstMce.no - SHUTDOWN_WINDOW).pop() ?? null : null;
    const virtual = kinds.includes('mce') ? ctx.findLines(VIRTUAL_CPU, 1)[0] ?? null : null;

    const severity = msg(fatal ? 'uncorrected' : 'corrected');
    const kindList = kinds.map((k) => KIND_LABEL[k]).join(', ');
    const names = { en: kinds.map((k) => HARDWARE_ERROR_NAMES[k].en).join(', '), zh: kinds.map((k) => HARDWARE_ERROR_NAMES[k].zh).join('、') };
    const evidence: FindingDraft['evidence'] = hits.slice(0, 6).map((h) => ({ line: h.no, note: msg('evRecord', { kind: KIND_LABEL[h.kind], severity: msg(h.fatal ? 'sevFatal' : 'sevInfo') }) }));
    if (dimm) evidence.push({ line: dimm.no, note: msg('evDimm') });
    if (device) evidence.push({ line: device.no, note: devName ? msg('evDevice', { device: devName }) : msg('evDeviceUnnamed') });
    if (bank) evidence.push({ line: bank.no, note: msg('evBank') });
    if (shutdown) evidence.push({ line: shutdown.no, note: msg('evShutdown') });
    if (virtual) evidence.push({ line: virtual.no, note: msg('evVirtual') });
    const report = ctx.analysis.reports.findIndex((r) => hits.some((h) => h.no >= r.startLine && h.no <= r.endLine));
    const aerOnly = kinds.length === 1 && kinds[0] === 'aer';
    const secondary: RootCauseClass[] = aerOnly || shutdown ? ['firmware-bios'] : [];
    return [
      {
        report: report >= 0 ? report : undefined,
        // PCIe errors outside any report, while the log has software reports of its own: context for them, not the diagnosis.
        confidence: aerOnly && report < 0 && ctx.analysis.reports.length > 0 ? 0.5 : shutdown ? 0.7 : fatal ? (aerOnly ? 0.75 : 0.88) : 0.6,
        secondaryClasses: secondary,
        summary: devName ? msg('summaryDevice', { kinds: kindList, severity, device: devName }) : msg('summary', { kinds: kindList, severity }),
        explanation: paragraphs([
          msg(hits.length === 1 ? 'recordsOne' : 'records', { count: hits.length, names }),
          msg(fatal ? 'fatal' : 'correctedNote'),
          aerOnly ? msg('aer') : null,
          shutdown ? msg('shutdown') : null,
          virtual ? msg('virtual') : null,
        ]),
        evidence,
        culprit: null,
        nextSteps: [
          msg('stepRas'),
          msg('stepSel'),
          ...(devName ? [msg('stepLspci', { device: devName })] : []),
          ...(shutdown ? [msg('stepShutdown')] : []),
          ...(virtual ? [msg('stepHost')] : []),
          msg('stepReplace'),
        ],
        facts: { kinds, fatal, records: hits.length, pciDevice: devName, duringShutdown: shutdown !== null, virtualCpu: virtual !== null },
      },
    ];
  },
};
