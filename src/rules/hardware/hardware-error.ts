// Machine checks, EDAC memory errors, PCIe AER uncorrectable errors: the hardware reported the fault itself.

import type { Rule } from '../types';
import { ev, paragraphs, steps, t } from '../reports';

const SIGNS: ReadonlyArray<{ re: RegExp; kind: 'mce' | 'edac' | 'aer' | 'ghes'; fatal: boolean }> = [
  { re: /Machine [Cc]heck(?: Exception)?:|mce: \[Hardware Error\]|Kernel panic - not syncing: (?:Fatal )?[Mm]achine check/, kind: 'mce', fatal: true },
  { re: /\[Hardware Error\]: .*(?:[Uu]ncorrectable|[Ff]atal)|\{\d+\}\[Hardware Error\]: event severity: fatal|Kernel panic - not syncing: Fatal hardware error/, kind: 'ghes', fatal: true },
  { re: /\[Hardware Error\]: /, kind: 'ghes', fatal: false },
  { re: /EDAC \w+: .*(?:UE|Uncorrected|uncorrectable)|EDAC \w+: .*(?:CE|Corrected|corrected) /, kind: 'edac', fatal: false },
  { re: /AER: (?:Uncorrected|Multiple Uncorrected) \((?:Fatal|Non-Fatal)\)|AER: .*severity=Uncorrected|pcieport .* AER: .*Uncorrected/, kind: 'aer', fatal: true },
];

export const hardwareError: Rule = {
  meta: {
    id: 'KT-hardware-error',
    rootCauseClass: 'hardware',
    summary: t('The hardware reported an error: machine check, EDAC memory error, PCIe AER uncorrectable error', '硬件自己报告了错误：machine check、EDAC 内存错误、PCIe AER 不可纠正错误'),
    docs: t(
      `Looks for "Machine Check Exception", "mce: [Hardware Error]", APEI/GHES "[Hardware Error]" records,
EDAC corrected/uncorrected memory errors and PCIe AER "Uncorrected (Fatal/Non-Fatal)" errors.
These are reported by the CPU, memory controller or PCIe fabric: the machine says which bank,
DIMM or device failed. An uncorrected error panics the machine ("Kernel panic - not syncing: Fatal
machine check"); a stream of corrected errors on one DIMM predicts one. Software bugs cannot
produce an MCE, but they can produce AER errors (a driver touching a device in reset), so read
AER with the device's driver in mind.
What to do: decode the MCE (mcelog / rasdaemon: ras-mc-ctl --errors), identify the DIMM or
device from EDAC/AER, check the BMC/IPMI SEL, and replace or reseat; check firmware/microcode.`,
      `匹配 "Machine Check Exception"、"mce: [Hardware Error]"、APEI/GHES 的 "[Hardware Error]" 记录、
EDAC 可纠正/不可纠正内存错误，以及 PCIe AER "Uncorrected (Fatal/Non-Fatal)" 错误。
这些错误由 CPU、内存控制器或 PCIe 链路自己报告：机器会说明是哪个 bank、哪根 DIMM 或哪个设备出了问题。
不可纠正错误会让机器 panic（"Kernel panic - not syncing: Fatal machine check"）；同一根 DIMM 上持续出现
可纠正错误，预示着即将出现不可纠正错误。软件 bug 不可能产生 MCE，但可能产生 AER 错误（驱动在设备复位
期间访问它），所以看 AER 时要结合设备驱动一起判断。
处理办法：解码 MCE（mcelog / rasdaemon：ras-mc-ctl --errors），从 EDAC/AER 确定 DIMM 或设备，查看 BMC/IPMI
SEL 日志，更换或重新插拔；检查固件/微码版本。`,
    ),
    references: ['Documentation/admin-guide/ras.rst', 'Documentation/PCI/pcieaer-howto.rst'],
  },
  check(ctx) {
    const hits: Array<{ no: number; kind: string; fatal: boolean }> = [];
    for (const s of SIGNS) {
      for (const l of ctx.findLines(s.re, 20)) {
        if (!hits.some((h) => h.no === l.no)) hits.push({ no: l.no, kind: s.kind, fatal: s.fatal });
      }
    }
    if (hits.length === 0) return [];
    hits.sort((a, b) => a.no - b.no);
    const fatal = hits.some((h) => h.fatal);
    const kinds = [...new Set(hits.map((h) => h.kind))];
    const dimm = ctx.findLines(/EDAC .*(?:DIMM|dimm|csrow|channel|memory location|label):?\s*\S+/, 1)[0] ?? null;
    const device = ctx.findLines(/AER: .*(?:device \[|[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.\d)/, 1)[0] ?? null;
    const devName = device ? /([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.\d)/.exec(device.text)?.[1] ?? null : null;
    const bank = ctx.findLines(/(?:CPU \d+: )?Machine Check(?: Exception)?: .*Bank (\d+)|mce: .*Bank (\d+)/, 1)[0] ?? null;
    const evidence = hits.slice(0, 6).map((h) => ev(h.no, `${h.kind.toUpperCase()} ${h.fatal ? 'uncorrected/fatal' : 'corrected/informational'} error`, `${h.kind.toUpperCase()} ${h.fatal ? '不可纠正/致命' : '可纠正/提示性'}错误`));
    if (dimm) evidence.push(ev(dimm.no, 'the memory location EDAC names', 'EDAC 给出的内存位置'));
    if (device) evidence.push(ev(device.no, `the PCIe device${devName ? ` ${devName}` : ''}`, `PCIe 设备${devName ? ` ${devName}` : ''}`));
    if (bank) evidence.push(ev(bank.no, 'the MCE bank (which unit: cache, memory controller, interconnect)', 'MCE bank（哪个部件：缓存、内存控制器、互连）'));
    const report = ctx.analysis.reports.findIndex((r) => hits.some((h) => h.no >= r.startLine && h.no <= r.endLine));
    const aerOnly = kinds.length === 1 && kinds[0] === 'aer';
    return [
      {
        report: report >= 0 ? report : undefined,
        // PCIe errors outside any report, while the log has software reports of its own: context for them, not the diagnosis.
        confidence: aerOnly && report < 0 && ctx.analysis.reports.length > 0 ? 0.5 : fatal ? (aerOnly ? 0.75 : 0.88) : 0.6,
        secondaryClasses: aerOnly ? ['firmware-bios'] : [],
        summary: t(`Hardware error reported (${kinds.join(', ').toUpperCase()})${fatal ? ', uncorrected' : ', corrected'}${devName ? ` on PCIe device ${devName}` : ''}`, `硬件报告了错误（${kinds.join(', ').toUpperCase()}）${fatal ? '，不可纠正' : '，可纠正'}${devName ? `，PCIe 设备 ${devName}` : ''}`),
        explanation: paragraphs([
          t(`The log contains ${hits.length} hardware error record(s): ${kinds.map((k) => ({ mce: 'CPU machine check', ghes: 'firmware (APEI/GHES) hardware error', edac: 'EDAC memory controller error', aer: 'PCIe Advanced Error Reporting' })[k] ?? k).join(', ')}. These are raised by the hardware itself, not inferred from a software symptom.`, `日志中有 ${hits.length} 条硬件错误记录：${kinds.map((k) => ({ mce: 'CPU machine check', ghes: '固件（APEI/GHES）上报的硬件错误', edac: 'EDAC 内存控制器错误', aer: 'PCIe 高级错误报告（AER）' })[k] ?? k).join('、')}。它们由硬件自己上报，而不是从软件症状推测出来的。`),
          fatal ? t('An uncorrected error means data was lost or the link failed; any crash that follows (oopses, corrupted data structures) should be treated as a consequence until the hardware is cleared.', '不可纠正错误意味着数据已丢失或链路已失效；在硬件问题排除之前，之后出现的任何崩溃（oops、数据结构被破坏）都应视为其后果。') : t('Corrected errors are not fatal by themselves, but a growing count on one DIMM or device predicts an uncorrected one.', '可纠正错误本身不致命，但同一根 DIMM 或同一个设备上计数持续增长，预示着即将出现不可纠正错误。'),
          aerOnly ? t('AER errors can also come from a driver accessing a device during reset or with a bad configuration, and from firmware/link training problems: check the driver and firmware before replacing the card.', 'AER 错误也可能来自驱动在设备复位期间或配置错误时访问设备，以及固件/链路训练问题：更换板卡之前先检查驱动和固件。') : null,
        ]),
        evidence,
        culprit: null,
        nextSteps: steps(
          t('ras-mc-ctl --errors / mcelog --client     (decoded MCE and EDAC history with DIMM labels)', 'ras-mc-ctl --errors / mcelog --client（解码后的 MCE 和 EDAC 历史，带 DIMM 标签）'),
          t('ipmitool sel list     (the BMC log: the same event seen by the platform)', 'ipmitool sel list（BMC 日志：平台侧看到的同一事件）'),
          devName ? t(`lspci -vvv -s ${devName}     (AER status registers, link speed/width, driver)`, `lspci -vvv -s ${devName}（AER 状态寄存器、链路速率/宽度、驱动）`) : null,
          t('Update BIOS/microcode and device firmware; replace or reseat the DIMM/card the records point to; run a memory test.', '升级 BIOS/微码和设备固件；更换或重新插拔记录所指的 DIMM/板卡；运行内存测试。'),
        ),
        facts: { kinds, fatal, records: hits.length, pciDevice: devName },
      },
    ];
  },
};
