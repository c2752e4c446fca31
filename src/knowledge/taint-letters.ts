// Taint flags per era (kernel/panic.c taint_flags[]) and the distro-specific ones (RHEL's markers), as data.

import type { DistroMatch, VersionRange } from './release';
import { tx, type Text } from './text';

export interface TaintFlag {
  bit: number;
  /** Letter printed when set. */
  letter: string;
  /** TAINT_* name. */
  name: string;
  /** Upstream versions where the bit has this meaning. */
  range: VersionRange;
  /** Also printed per module in "Modules linked in: foo(OE)". */
  module: boolean;
  meaning: Text;
  /** Why it matters when triaging a crash. */
  triage?: Text;
}

/** Upstream taint bits. The Tainted: string prints one character per bit, in bit order (' ' when clear). */
export const UPSTREAM_TAINTS: readonly TaintFlag[] = [
  { bit: 0, letter: 'P', name: 'TAINT_PROPRIETARY_MODULE', range: {}, module: true,
    meaning: tx('a proprietary (non-GPL) module was loaded; "G" in this position means all modules are GPL', '加载过专有（非 GPL）模块；该位置是 "G" 表示所有模块都是 GPL'),
    triage: tx('upstream will not look at it; the vendor module is a suspect', '上游社区不会分析这种内核；厂商的专有模块是嫌疑对象') },
  { bit: 1, letter: 'F', name: 'TAINT_FORCED_MODULE', range: {}, module: true, meaning: tx('a module was force-loaded (insmod -f, version magic ignored)', '有模块被强制加载（insmod -f，忽略了版本校验）'),
    triage: tx('a module built for another kernel can corrupt anything', '为别的内核编译的模块可能破坏任何东西') },
  { bit: 2, letter: 'S', name: 'TAINT_CPU_OUT_OF_SPEC', range: {}, module: false, meaning: tx('the CPU is out of spec (SMP on CPUs not designed for it, or a CPU bug / microcode issue flagged by the kernel)', 'CPU 超出规格运行（不支持 SMP 的 CPU 跑了 SMP，或内核标记了 CPU 缺陷/微码问题）') },
  { bit: 3, letter: 'R', name: 'TAINT_FORCED_RMMOD', range: {}, module: false, meaning: tx('a module was force-unloaded (rmmod -f)', '有模块被强制卸载（rmmod -f）'),
    triage: tx('code or timers of the removed module may still be referenced', '被卸载模块的代码或定时器可能仍被引用') },
  { bit: 4, letter: 'M', name: 'TAINT_MACHINE_CHECK', range: {}, module: false, meaning: tx('a machine check exception occurred', '发生过机器检查异常（MCE）'),
    triage: tx('suspect hardware first', '先怀疑硬件') },
  { bit: 5, letter: 'B', name: 'TAINT_BAD_PAGE', range: {}, module: false, meaning: tx('a bad page was found (page allocator sanity checks failed)', '发现过坏页（页分配器的检查失败）'),
    triage: tx('memory corruption earlier in the log', '日志更早处已有内存破坏') },
  { bit: 6, letter: 'U', name: 'TAINT_USER', range: {}, module: false, meaning: tx('tainted on request from user space', '由用户态主动请求标记') },
  { bit: 7, letter: 'D', name: 'TAINT_DIE', range: {}, module: false, meaning: tx('the kernel died recently (an oops or BUG happened before)', '内核之前已经出过错（发生过 oops 或 BUG）'),
    triage: tx('this is not the first report: read the earliest one', '这不是第一份报告：先看最早的那一份') },
  { bit: 8, letter: 'A', name: 'TAINT_OVERRIDDEN_ACPI_TABLE', range: {}, module: false, meaning: tx('an ACPI table was overridden', 'ACPI 表被覆盖过') },
  { bit: 9, letter: 'W', name: 'TAINT_WARN', range: {}, module: false, meaning: tx('a kernel warning (WARN_ON) happened before', '之前出现过内核警告（WARN_ON）'),
    triage: tx('the earlier warning may be the real start of the problem', '之前的警告可能才是问题的真正起点') },
  { bit: 10, letter: 'C', name: 'TAINT_CRAP', range: { since: '2.6.28' }, module: true, meaning: tx('a staging driver was loaded', '加载过 staging 驱动') },
  { bit: 11, letter: 'I', name: 'TAINT_FIRMWARE_WORKAROUND', range: { since: '2.6.39' }, module: false, meaning: tx('the kernel works around a severe firmware (BIOS) bug', '内核在规避严重的固件（BIOS）缺陷') },
  { bit: 12, letter: 'O', name: 'TAINT_OOT_MODULE', range: { since: '3.2' }, module: true, meaning: tx('an out-of-tree module was loaded', '加载过树外（out-of-tree）模块'),
    triage: tx('out-of-tree modules are the first suspects', '树外模块是首要嫌疑对象') },
  { bit: 13, letter: 'E', name: 'TAINT_UNSIGNED_MODULE', range: { since: '3.15' }, module: true, meaning: tx('an unsigned module was loaded', '加载过未签名的模块'),
    triage: tx('usually the same third-party modules as O', '通常与 O 是同一批第三方模块') },
  { bit: 14, letter: 'L', name: 'TAINT_SOFTLOCKUP', range: { since: '3.16' }, module: false, meaning: tx('a soft lockup occurred before', '之前发生过 soft lockup') },
  { bit: 15, letter: 'K', name: 'TAINT_LIVEPATCH', range: { since: '4.0' }, module: true, meaning: tx('the kernel has been live-patched', '内核打过热补丁（livepatch）'),
    triage: tx('the running code differs from the vmlinux of the release', '实际运行的代码与该版本的 vmlinux 不一致') },
  { bit: 16, letter: 'X', name: 'TAINT_AUX', range: { since: '4.15' }, module: true, meaning: tx('auxiliary taint, defined by distros (SUSE: externally supported module)', '辅助污染位，由发行版定义（SUSE：外部支持的模块）') },
  { bit: 17, letter: 'T', name: 'TAINT_RANDSTRUCT', range: { since: '4.13' }, module: false, meaning: tx('built with the randstruct plugin (structure layout randomised)', '内核用 randstruct 插件编译（结构体布局被随机化）'),
    triage: tx('offsets in crash/drgn need this exact build\'s debug info', 'crash/drgn 中的结构体偏移必须用这个构建对应的调试信息') },
  { bit: 18, letter: 'N', name: 'TAINT_TEST', range: { since: '5.19' }, module: true, meaning: tx('an in-kernel test (KUnit) has run', '运行过内核内测试（KUnit）') },
  { bit: 19, letter: 'J', name: 'TAINT_FWCTL', range: { since: '6.15' }, module: false, meaning: tx('fwctl was used to send a device firmware command that may change behaviour', '通过 fwctl 给设备固件下发过可能改变行为的命令') },
];

/** 'G' in bit 0's position: no proprietary module. */
export const GPL_LETTER = 'G';

export interface DistroTaintTable {
  name: string;
  match: DistroMatch;
  /** Upstream bits the distro kernel prints (its base version plus backports). */
  upstreamBits: readonly number[];
  /** Distro bits (printed after the upstream ones, unused positions as '-'). */
  flags: readonly TaintFlag[];
  /** The marker run that identifies this distro's Tainted: string. */
  marker: RegExp;
}

/**
 * RHEL prints every bit up to 31: upstream letters, '-' for reserved bits, then its own flags:
 * RHEL 7 "G           OE  ------------ T" (T = tech preview, bit 29);
 * RHEL 8 "G           OE    --------- -  -" ('r' at bit 27: support removed).
 */
export const DISTRO_TAINTS: readonly DistroTaintTable[] = [
  {
    name: 'RHEL 7', match: { distro: 'rhel', majors: [7, 7] }, upstreamBits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    marker: /-{12}/,
    flags: [
      { bit: 28, letter: 'H', name: 'TAINT_HARDWARE_UNSUPPORTED', range: {}, module: false, meaning: tx('RHEL: hardware that Red Hat does not support', 'RHEL：Red Hat 不支持的硬件') },
      { bit: 29, letter: 'T', name: 'TAINT_TECH_PREVIEW', range: {}, module: true, meaning: tx('RHEL: a Technology Preview feature or module is in use (e.g. overlay(T) on RHEL 7)', 'RHEL：使用了技术预览（Tech Preview）功能或模块（如 RHEL 7 上的 overlay(T)）'),
        triage: tx('not a randstruct build: on RHEL, T is tech preview', '这不是 randstruct：在 RHEL 上 T 表示技术预览') },
    ],
  },
  {
    name: 'RHEL 8+', match: { distro: 'rhel', majors: [8, 99] }, upstreamBits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17],
    marker: /-{9}/,
    flags: [
      { bit: 27, letter: 'r', name: 'TAINT_SUPPORT_REMOVED', range: {}, module: false, meaning: tx('RHEL: hardware or a driver whose support has been removed from this RHEL release', 'RHEL：使用了本版本 RHEL 已移除支持的硬件或驱动') },
      { bit: 29, letter: 'u', name: 'TAINT_UNPRIVILEGED_BPF', range: {}, module: false, meaning: tx('RHEL: unprivileged BPF was enabled', 'RHEL：开启了非特权 BPF') },
      { bit: 30, letter: 't', name: 'TAINT_TECH_PREVIEW', range: {}, module: true, meaning: tx('RHEL: a Technology Preview feature is in use', 'RHEL：使用了技术预览功能') },
    ],
  },
];

/** Per-module state characters printed in "Modules linked in:" besides taint letters. */
export const MODULE_STATE_CHARS: Readonly<Record<string, Text>> = {
  '+': tx('being loaded (MODULE_STATE_COMING)', '正在加载（MODULE_STATE_COMING）'),
  '-': tx('being unloaded (MODULE_STATE_GOING): rmmod in progress', '正在卸载（MODULE_STATE_GOING）：rmmod 进行中'),
};
