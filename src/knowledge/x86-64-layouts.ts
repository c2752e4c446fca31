// x86_64 virtual address-space layouts per kernel era (Documentation/x86/x86_64/mm.rst), 4-level and 5-level paging.

import type { VersionRange } from './release';
import { tx, type Text } from './text';

export type RegionId =
  | 'user' | 'null-page' | 'non-canonical' | 'guard-hole' | 'ldt-remap' | 'direct-map' | 'vmalloc' | 'vmemmap'
  | 'kasan-shadow' | 'cpu-entry-area' | 'espfix' | 'efi' | 'kernel-text' | 'modules' | 'text-or-modules'
  | 'fixmap' | 'vsyscall' | 'hole' | 'err-ptr';

export interface Region {
  id: RegionId;
  start: bigint;
  /** Inclusive. */
  end: bigint;
  /** This region's base moves with CONFIG_RANDOMIZE_MEMORY (page_offset_base, vmalloc_base, vmemmap_base). */
  randomised?: boolean;
}

export const REGION_NAMES: Readonly<Record<RegionId, Text>> = {
  user: tx('user space (lower half)', '用户态地址空间（低半部）'),
  'null-page': tx('near NULL (the first pages, never mapped)', '接近 NULL（最低的几页，永远不映射）'),
  'non-canonical': tx('non-canonical hole (not a valid address on any x86_64 CPU with 4-level paging)', '非规范地址空洞（4 级页表下任何 x86_64 CPU 都不合法）'),
  'guard-hole': tx('guard hole reserved for the hypervisor', '为 hypervisor 保留的保护空洞'),
  'ldt-remap': tx('LDT remap for PTI', 'PTI 的 LDT 重映射区'),
  'direct-map': tx('direct map of all physical memory (kmalloc/slab objects, page tables, struct task_struct...)', '物理内存直接映射区（kmalloc/slab 对象、页表、task_struct 等都在这里）'),
  vmalloc: tx('vmalloc/ioremap area (vmalloc(), ioremap(), kernel stacks with VMAP_STACK)', 'vmalloc/ioremap 区（vmalloc()、ioremap()、开启 VMAP_STACK 时的内核栈）'),
  vmemmap: tx('vmemmap: the struct page array', 'vmemmap：struct page 数组'),
  'kasan-shadow': tx('KASAN shadow memory', 'KASAN 影子内存'),
  'cpu-entry-area': tx('cpu_entry_area (per-CPU entry trampolines and exception/NMI stacks)', 'cpu_entry_area（每 CPU 的入口跳板和异常/NMI 栈）'),
  espfix: tx('espfix stacks', 'espfix 栈'),
  efi: tx('EFI runtime services mapping', 'EFI 运行时服务映射区'),
  'kernel-text': tx('kernel text/data (the vmlinux image)', '内核代码/数据（vmlinux 映像）'),
  modules: tx('modules area (module code and data)', '模块区（模块的代码和数据）'),
  'text-or-modules': tx('modules area without KASLR, or kernel text with KASLR\'s 1 GiB image', '未开 KASLR 时为模块区；开了 KASLR（1 GiB 内核映像）时为内核代码'),
  fixmap: tx('fixmap (fixed compile-time mappings: APIC, early ioremap...)', 'fixmap（编译期固定映射：APIC、早期 ioremap 等）'),
  vsyscall: tx('legacy vsyscall page', '传统 vsyscall 页'),
  hole: tx('unused hole in the kernel half', '内核半部中未使用的空洞'),
  'err-ptr': tx('an ERR_PTR() error code, not an address', 'ERR_PTR() 错误码，不是地址'),
};

const h = (s: string): bigint => BigInt('0x' + s.replace(/_/g, ''));

export interface AddressLayout {
  name: string;
  range: VersionRange;
  /** Regions between the guard hole and the kernel image, 4-level paging. */
  regions: readonly Region[];
  /** CONFIG_RANDOMIZE_MEMORY exists in this era. */
  memoryKaslrPossible: boolean;
}

const TAIL_314: Region[] = [
  { id: 'espfix', start: h('ffffff0000000000'), end: h('ffffff7fffffffff') },
  { id: 'efi', start: h('ffffffef00000000'), end: h('fffffffeffffffff') },
];

/** The 2.6.27+ layout from the guard hole to the KASAN shadow; `randomised` marks the regions RANDOMIZE_MEMORY (4.8+) moves. */
function classicRegions(randomised: boolean): Region[] {
  return [
    { id: 'guard-hole', start: h('ffff800000000000'), end: h('ffff87ffffffffff') },
    { id: 'direct-map', start: h('ffff880000000000'), end: h('ffffc7ffffffffff'), randomised },
    { id: 'hole', start: h('ffffc80000000000'), end: h('ffffc8ffffffffff') },
    { id: 'vmalloc', start: h('ffffc90000000000'), end: h('ffffe8ffffffffff'), randomised },
    { id: 'hole', start: h('ffffe90000000000'), end: h('ffffe9ffffffffff') },
    { id: 'vmemmap', start: h('ffffea0000000000'), end: h('ffffeaffffffffff'), randomised },
    { id: 'kasan-shadow', start: h('ffffec0000000000'), end: h('fffffbffffffffff') },
  ];
}

/** Oldest first. Distro kernels follow their base (RHEL 6: 2.6.32, RHEL 7: 3.10, RHEL 8: 4.18). */
export const X86_64_LAYOUTS: readonly AddressLayout[] = [
  {
    name: 'x86_64-2.6.11-2.6.26', range: { before: '2.6.27' }, memoryKaslrPossible: false,
    regions: [
      { id: 'guard-hole', start: h('ffff800000000000'), end: h('ffff80ffffffffff') },
      { id: 'direct-map', start: h('ffff810000000000'), end: h('ffffc0ffffffffff') },
      { id: 'hole', start: h('ffffc10000000000'), end: h('ffffc1ffffffffff') },
      { id: 'vmalloc', start: h('ffffc20000000000'), end: h('ffffe1ffffffffff') },
      { id: 'vmemmap', start: h('ffffe20000000000'), end: h('ffffe2ffffffffff') },
    ],
  },
  { name: 'x86_64-2.6.27-4.7', range: { since: '2.6.27', before: '4.8' }, memoryKaslrPossible: false, regions: [...classicRegions(false), ...TAIL_314] },
  { name: 'x86_64-4.8-4.14', range: { since: '4.8', before: '4.15' }, memoryKaslrPossible: true, regions: [...classicRegions(true), ...TAIL_314] },
  {
    name: 'x86_64-4.15-4.19', range: { since: '4.15', before: '4.20' }, memoryKaslrPossible: true,
    regions: [
      ...classicRegions(true),
      { id: 'cpu-entry-area', start: h('fffffe0000000000'), end: h('fffffe7fffffffff') },
      { id: 'ldt-remap', start: h('fffffe8000000000'), end: h('fffffeffffffffff') },
      ...TAIL_314,
    ],
  },
  {
    // LDT remap moved below the direct map, which now starts at ffff888000000000.
    name: 'x86_64-4.20+', range: { since: '4.20' }, memoryKaslrPossible: true,
    regions: [
      { id: 'guard-hole', start: h('ffff800000000000'), end: h('ffff87ffffffffff') },
      { id: 'ldt-remap', start: h('ffff880000000000'), end: h('ffff887fffffffff') },
      { id: 'direct-map', start: h('ffff888000000000'), end: h('ffffc87fffffffff'), randomised: true },
      { id: 'hole', start: h('ffffc88000000000'), end: h('ffffc8ffffffffff') },
      ...classicRegions(true).slice(3),
      { id: 'cpu-entry-area', start: h('fffffe0000000000'), end: h('fffffe7fffffffff') },
      ...TAIL_314,
    ],
  },
];

/** Where KASLR may put page_offset_base/vmalloc_base/vmemmap_base: from the direct map's default base up to cpu_entry_area/espfix. */
export const KASLR_MEMORY_REGION = { start: h('ffff880000000000'), end: h('fffffdffffffffff') };

/** The kernel image, and modules right after it: MODULES_VADDR = __START_KERNEL_map + KERNEL_IMAGE_SIZE. */
export const KERNEL_IMAGE = {
  start: h('ffffffff80000000'),
  /** 512 MiB image without KASLR, 1 GiB with CONFIG_RANDOMIZE_BASE. */
  endNoKaslr: h('ffffffff9fffffff'),
  endKaslr: h('ffffffffbfffffff'),
  modulesEnd: h('fffffffffeffffff'),
  fixmapStart: h('ffffffffff000000'),
  vsyscallStart: h('ffffffffff600000'),
  vsyscallEnd: h('ffffffffff600fff'),
  fixmapEnd: h('ffffffffff5fffff'),
};

/** 4-level canonical limits. */
export const USER_END_4L = h('00007fffffffffff');
export const KERNEL_START_4L = h('ffff800000000000');
/** 5-level paging (LA57, 4.14+ code, used only on CPUs that have it). */
export const USER_END_5L = h('00ffffffffffffff');
export const KERNEL_START_5L = h('ff00000000000000');

export const FIVE_LEVEL_REGIONS: readonly Region[] = [
  { id: 'guard-hole', start: h('ff00000000000000'), end: h('ff0fffffffffffff') },
  { id: 'ldt-remap', start: h('ff10000000000000'), end: h('ff10ffffffffffff') },
  { id: 'direct-map', start: h('ff11000000000000'), end: h('ff90ffffffffffff'), randomised: true },
  { id: 'hole', start: h('ff91000000000000'), end: h('ff9fffffffffffff') },
  { id: 'vmalloc', start: h('ffa0000000000000'), end: h('ffd1ffffffffffff'), randomised: true },
  { id: 'hole', start: h('ffd2000000000000'), end: h('ffd3ffffffffffff') },
  { id: 'vmemmap', start: h('ffd4000000000000'), end: h('ffd5ffffffffffff'), randomised: true },
  { id: 'hole', start: h('ffd6000000000000'), end: h('ffdeffffffffffff') },
  { id: 'kasan-shadow', start: h('ffdf000000000000'), end: h('fffffbffffffffff') },
];

/** vm.mmap_min_addr default on x86: nothing is ever mapped below it. */
export const MMAP_MIN_ADDR = 0x10000n;
export const PAGE_SIZE = 0x1000n;
