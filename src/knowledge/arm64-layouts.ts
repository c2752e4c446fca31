// arm64 virtual address-space layouts per kernel era and VA size (Documentation/arm64/memory.rst), 48-bit and 52-bit.

import type { VersionRange } from './release';
import { tx, type Text } from './text';

export type Arm64RegionId = 'user' | 'direct-map' | 'kasan-shadow' | 'bpf-jit' | 'modules' | 'vmalloc' | 'fixmap' | 'pci-io' | 'vmemmap' | 'hole';

export interface Arm64Region {
  id: Arm64RegionId;
  start: bigint;
  /** Inclusive. */
  end: bigint;
}

export interface Arm64Layout {
  name: string;
  range: VersionRange;
  /** 48 or 52: the VA size the rows are for (52-bit only changes where the linear map starts). */
  vaBits: 48 | 52;
  /** Where the kernel image (vmlinux) lives: in the linear map (before 4.6) or in the vmalloc area (4.6+, with KASLR anywhere in it). */
  imageInVmalloc: boolean;
  regions: readonly Arm64Region[];
}

const h = (s: string): bigint => BigInt('0x' + s.replace(/_/g, ''));

export const ARM64_REGION_NAMES: Readonly<Record<Arm64RegionId, Text>> = {
  user: tx('user space (TTBR0 range)', '用户态地址空间（TTBR0 范围）'),
  'direct-map': tx('linear map of all physical memory (kmalloc/slab objects, page tables, struct task_struct...)', '物理内存线性映射区（kmalloc/slab 对象、页表、task_struct 等都在这里）'),
  'kasan-shadow': tx('KASAN shadow memory (only with CONFIG_KASAN)', 'KASAN 影子内存（仅在开启 CONFIG_KASAN 时）'),
  'bpf-jit': tx('BPF JIT region', 'BPF JIT 区'),
  modules: tx('modules area (module code and data)', '模块区（模块的代码和数据）'),
  vmalloc: tx('vmalloc area (vmalloc(), ioremap(), kernel stacks with VMAP_STACK, and the kernel image itself)', 'vmalloc 区（vmalloc()、ioremap()、开启 VMAP_STACK 时的内核栈，以及内核映像本身）'),
  fixmap: tx('fixmap (fixed compile-time mappings: early console, FDT, text patching)', 'fixmap（编译期固定映射：早期控制台、FDT、代码补丁）'),
  'pci-io': tx('PCI I/O space', 'PCI I/O 空间'),
  vmemmap: tx('vmemmap: the struct page array', 'vmemmap：struct page 数组'),
  hole: tx('guard region or unused hole in the kernel half (TTBR1 range)', '内核半部（TTBR1 范围）中的保护区或未使用空洞'),
};

export const ARM64_INVALID_TEXT = tx('neither a user (TTBR0) nor a kernel (TTBR1) address for this VA size', '在该 VA 位宽下既不是用户（TTBR0）地址也不是内核（TTBR1）地址');

/** Kernels built for 39-bit VA (Android GKI, some boards) put the whole kernel half at ffffff8000000000 and up. */
export const ARM64_VA39_START = h('ffffff8000000000');
export const ARM64_VA39_NOTE = tx(
  'with a 39-bit VA kernel (Android GKI, many boards) this is the kernel half: the linear map from ffffff8000000000, modules and vmalloc from ffffffc000000000',
  '如果内核是 39 位 VA（Android GKI 及很多开发板），这里属于内核半部：线性映射从 ffffff8000000000 开始，模块区和 vmalloc 从 ffffffc000000000 开始',
);

/** The TTBR1 (kernel) half of a 48-bit layout from 5.11 on: only the modules size changed since. */
function tail511(modulesEnd: string, vmallocStart: string): Arm64Region[] {
  return [
    { id: 'modules', start: h('ffff800000000000'), end: h(modulesEnd) },
    { id: 'vmalloc', start: h(vmallocStart), end: h('fffffbffefffffff') },
    { id: 'fixmap', start: h('fffffbfff0000000'), end: h('fffffbfffdffffff') },
    { id: 'hole', start: h('fffffbfffe000000'), end: h('fffffbfffe7fffff') },
    { id: 'pci-io', start: h('fffffbfffe800000'), end: h('fffffbffff7fffff') },
    { id: 'hole', start: h('fffffbffff800000'), end: h('fffffbffffffffff') },
  ];
}

const USER_48: Arm64Region = { id: 'user', start: 0n, end: h('0000ffffffffffff') };
const USER_52: Arm64Region = { id: 'user', start: 0n, end: h('000fffffffffffff') };

/** Oldest first. */
export const ARM64_LAYOUTS: readonly Arm64Layout[] = [
  {
    // Linear map in the upper half of the kernel space, kernel image inside it, modules just below it.
    name: 'arm64-48bit-3.7-4.5', range: { before: '4.6' }, vaBits: 48, imageInVmalloc: false,
    regions: [
      USER_48,
      { id: 'vmalloc', start: h('ffff000000000000'), end: h('ffff7bbfffffffff') },
      { id: 'vmemmap', start: h('ffff7bc000000000'), end: h('ffff7fbfffffffff') },
      { id: 'fixmap', start: h('ffff7ffffa000000'), end: h('ffff7ffffabfffff') },
      { id: 'pci-io', start: h('ffff7ffffae00000'), end: h('ffff7ffffbdfffff') },
      { id: 'modules', start: h('ffff7ffffc000000'), end: h('ffff7fffffffffff') },
      { id: 'direct-map', start: h('ffff800000000000'), end: h('ffffffffffffffff') },
    ],
  },
  {
    // 4.6 moved the kernel image (and KASLR) into the vmalloc area; modules first, linear map still on top.
    name: 'arm64-48bit-4.6-5.3', range: { since: '4.6', before: '5.4' }, vaBits: 48, imageInVmalloc: true,
    regions: [
      USER_48,
      { id: 'modules', start: h('ffff000000000000'), end: h('ffff000007ffffff') },
      { id: 'vmalloc', start: h('ffff000008000000'), end: h('ffff7bdfffffffff') },
      { id: 'fixmap', start: h('ffff7fdffe000000'), end: h('ffff7fdffebfffff') },
      { id: 'pci-io', start: h('ffff7fdffee00000'), end: h('ffff7fdfffdfffff') },
      { id: 'vmemmap', start: h('ffff7fe000000000'), end: h('ffff7fffffffffff') },
      { id: 'direct-map', start: h('ffff800000000000'), end: h('ffffffffffffffff') },
    ],
  },
  {
    // 5.4 flipped the kernel half for 52-bit VA: the linear map is now the lower part.
    name: 'arm64-48bit-5.4-5.10', range: { since: '5.4', before: '5.11' }, vaBits: 48, imageInVmalloc: true,
    regions: [
      USER_48,
      { id: 'direct-map', start: h('ffff000000000000'), end: h('ffff7fffffffffff') },
      { id: 'bpf-jit', start: h('ffff800000000000'), end: h('ffff800007ffffff') },
      { id: 'modules', start: h('ffff800008000000'), end: h('ffff80000fffffff') },
      { id: 'vmalloc', start: h('ffff800010000000'), end: h('fffffdffbffeffff') },
      { id: 'fixmap', start: h('fffffdfffe5f9000'), end: h('fffffdfffe9fffff') },
      { id: 'pci-io', start: h('fffffdfffec00000'), end: h('fffffdffffbfffff') },
      { id: 'vmemmap', start: h('fffffdffffe00000'), end: h('ffffffffffdfffff') },
    ],
  },
  {
    name: 'arm64-48bit-5.11-6.4', range: { since: '5.11', before: '6.5' }, vaBits: 48, imageInVmalloc: true,
    regions: [USER_48, { id: 'direct-map', start: h('ffff000000000000'), end: h('ffff7fffffffffff') }, ...tail511('ffff800007ffffff', 'ffff800008000000'), { id: 'vmemmap', start: h('fffffc0000000000'), end: h('fffffdffffffffff') }, { id: 'hole', start: h('fffffe0000000000'), end: h('ffffffffffffffff') }],
  },
  {
    // 6.5 gave modules a 2 GiB region so that they can reach the kernel with direct branches.
    name: 'arm64-48bit-6.5+', range: { since: '6.5' }, vaBits: 48, imageInVmalloc: true,
    regions: [USER_48, { id: 'direct-map', start: h('ffff000000000000'), end: h('ffff7fffffffffff') }, ...tail511('ffff80007fffffff', 'ffff800080000000'), { id: 'vmemmap', start: h('fffffc0000000000'), end: h('fffffdffffffffff') }, { id: 'hole', start: h('fffffe0000000000'), end: h('ffffffffffffffff') }],
  },
  {
    name: 'arm64-52bit-5.11-6.4', range: { since: '5.11', before: '6.5' }, vaBits: 52, imageInVmalloc: true,
    regions: [USER_52, { id: 'direct-map', start: h('fff0000000000000'), end: h('ffff7fffffffffff') }, ...tail511('ffff800007ffffff', 'ffff800008000000'), { id: 'vmemmap', start: h('fffffc0000000000'), end: h('ffffffdfffffffff') }, { id: 'hole', start: h('ffffffe000000000'), end: h('ffffffffffffffff') }],
  },
  {
    name: 'arm64-52bit-6.5+', range: { since: '6.5' }, vaBits: 52, imageInVmalloc: true,
    regions: [USER_52, { id: 'direct-map', start: h('fff0000000000000'), end: h('ffff7fffffffffff') }, ...tail511('ffff80007fffffff', 'ffff800080000000'), { id: 'vmemmap', start: h('fffffc0000000000'), end: h('ffffffdfffffffff') }, { id: 'hole', start: h('ffffffe000000000'), end: h('ffffffffffffffff') }],
  },
  {
    name: 'arm64-52bit-5.4-5.10', range: { since: '5.4', before: '5.11' }, vaBits: 52, imageInVmalloc: true,
    regions: [
      USER_52,
      { id: 'direct-map', start: h('fff0000000000000'), end: h('ffff7fffffffffff') },
      { id: 'bpf-jit', start: h('ffff800000000000'), end: h('ffff800007ffffff') },
      { id: 'modules', start: h('ffff800008000000'), end: h('ffff80000fffffff') },
      { id: 'vmalloc', start: h('ffff800010000000'), end: h('fffffdffbffeffff') },
      { id: 'fixmap', start: h('fffffdfffe5f9000'), end: h('fffffdfffe9fffff') },
      { id: 'pci-io', start: h('fffffdfffec00000'), end: h('fffffdffffbfffff') },
      { id: 'vmemmap', start: h('fffffdffffe00000'), end: h('ffffffffffdfffff') },
    ],
  },
];

/** With KASAN the shadow sits where modules and vmalloc would begin, and those move up (5.4-5.10), or it takes the top of the linear map's range (5.11+). */
export const ARM64_KASAN_NOTE = tx(
  'with CONFIG_KASAN the shadow region takes part of this range and the regions after it move: check the "Virtual kernel memory layout" lines of the boot log or crash\'s `help -m`',
  '开启 CONFIG_KASAN 时影子区会占用这段范围的一部分，其后的区域随之后移：请查看启动日志中的 "Virtual kernel memory layout" 或 crash 的 `help -m`',
);
