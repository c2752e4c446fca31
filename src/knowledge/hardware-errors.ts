// The lines by which hardware reports its own errors (MCE, APEI/GHES, EDAC, PCIe AER), as data.

import { tx, type Text } from './text';

export type HardwareErrorKind = 'mce' | 'edac' | 'aer' | 'ghes';

export interface HardwareErrorSign {
  re: RegExp;
  kind: HardwareErrorKind;
  /** Uncorrected or fatal: data was lost or the link failed. */
  fatal: boolean;
}

/** In match order: the first sign a line matches says what it is. */
export const HARDWARE_ERROR_SIGNS: readonly HardwareErrorSign[] = [
  { re: /Machine [Cc]heck(?: Exception)?:|mce: \[Hardware Error\]|Kernel panic - not syncing: (?:Fatal )?(?:local )?[Mm]achine check/, kind: 'mce', fatal: true },
  { re: /\[Hardware Error\]: .{0,200}(?:[Uu]ncorrectable|[Ff]atal)|\{\d{1,6}\}\[Hardware Error\]: event severity: fatal|Kernel panic - not syncing: Fatal hardware error/, kind: 'ghes', fatal: true },
  { re: /\[Hardware Error\]: /, kind: 'ghes', fatal: false },
  { re: /EDAC \w{1,32}: .{0,200}(?:UE|Uncorrected|uncorrectable)/, kind: 'edac', fatal: true },
  { re: /EDAC \w{1,32}: .{0,200}(?:CE|Corrected|corrected) /, kind: 'edac', fatal: false },
  { re: /AER: (?:Uncorrected|Multiple Uncorrected) \((?:Fatal|Non-Fatal)\)|AER: .{0,200}severity=Uncorrected|pcieport .{0,80} AER: .{0,120}Uncorrected/, kind: 'aer', fatal: true },
];

export const HARDWARE_ERROR_NAMES: Readonly<Record<HardwareErrorKind, Text>> = {
  mce: tx('CPU machine check', 'CPU machine check'),
  ghes: tx('firmware (APEI/GHES) hardware error', '固件（APEI/GHES）上报的硬件错误'),
  edac: tx('EDAC memory controller error', 'EDAC 内存控制器错误'),
  aer: tx('PCIe Advanced Error Reporting', 'PCIe 高级错误报告（AER）'),
};

/** Lines that say the machine was powering off or rebooting: a machine check right after one is the platform's answer to it. */
export const SHUTDOWN_LINES = /reboot: (?:Power down|Restarting system)|ACPI: Preparing to enter system sleep state S5|Power down\.?$|machine restart/;
/** How many lines before the first machine check a shutdown line counts. */
export const SHUTDOWN_WINDOW = 20;

/** Signs that the CPU is virtual: a machine check there is forwarded or injected by the hypervisor. */
export const VIRTUAL_CPU = /\bmicrocode (?:0x)?ffffffff\b|Hypervisor detected|Hardware name: .{0,80}(?:QEMU|KVM|VMware|Virtual Machine|Xen|Hyper-V|Google Compute Engine|Amazon EC2)/;
