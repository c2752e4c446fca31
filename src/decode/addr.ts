// Decodes an x86_64 address: which region of the kernel's address space it is in for the era, and whether it is a poison value.

import { buildFacts } from '../knowledge/distro-kernels';
import {
  ERRNO_NAMES, KASAN_SHADOW_OFFSET, KASAN_SHADOW_SCALE_SHIFT, MAGIC_VALUES, MAX_ERRNO, POISON_BYTES, POISON_POINTERS, type PoisonValue,
} from '../knowledge/poison';
import { pickByVersion, versionOf, type KernelRelease } from '../knowledge/release';
import { addr16, hex, note, tx, type Note, type Text, type TextLang } from '../knowledge/text';
import {
  FIVE_LEVEL_REGIONS, KERNEL_IMAGE, KERNEL_START_4L, KERNEL_START_5L, MMAP_MIN_ADDR, PAGE_SIZE, REGION_NAMES, USER_END_4L, USER_END_5L,
  X86_64_LAYOUTS, type AddressLayout, type RegionId,
} from '../knowledge/x86-64-layouts';
import { DecodeInputError, parseHexValue, releaseOption } from './common';
import { ARM64_INVALID_TEXT, ARM64_KASAN_NOTE, ARM64_LAYOUTS, ARM64_REGION_NAMES, ARM64_VA39_NOTE, ARM64_VA39_START, type Arm64Layout, type Arm64RegionId } from '../knowledge/arm64-layouts';

export interface AddrOptions {
  release?: string | KernelRelease | null;
  /** The kernel's architecture when the release does not say it (read from the log). */
  arch?: string | null;
}

export interface PoisonMatch {
  id: string;
  name: string;
  /** value - poison value: a field offset when the poisoned pointer was dereferenced. */
  offset: number;
  meaning: Text;
}

export interface KasanShadowMatch {
  bugType: 'null-ptr-deref' | 'probably user-memory-access' | 'maybe wild-memory-access';
  rangeStart: string;
  rangeEnd: string;
}

export interface AddrDecode {
  kind: 'addr';
  value: string;
  release: string | null;
  layout: string;
  region: RegionId | Arm64RegionId;
  regionText: Text;
  /** The region's base moves with KASLR (RANDOMIZE_MEMORY) and this kernel may have it: the region is a guess from default bases. */
  kaslrCaveat: boolean;
  canonical: boolean;
  userSpace: boolean;
  kernelSpace: boolean;
  nearNull: boolean;
  errPtr: { errno: number; name: string | null } | null;
  poison: PoisonMatch | null;
  kasan: KasanShadowMatch | null;
  /** For a non-canonical address: what it would be with 5-level paging. */
  fiveLevelRegion: RegionId | null;
  /** arm64: the tag in the top byte of a tagged kernel pointer (KASAN software/hardware tags, MTE), else null. */
  tag?: number | null;
  notes: Note[];
  summary: Text;
}

const U64 = (1n << 64n) - 1n;

function poisonMatch(v: bigint): PoisonMatch | null {
  const near = (table: readonly PoisonValue[], window: bigint): PoisonMatch | null => {
    let best: PoisonMatch | null = null;
    for (const p of table) {
      const d = v - p.value;
      if (d >= 0n && d < window && (!best || Number(d) < best.offset)) best = { id: p.id, name: p.name, offset: Number(d), meaning: p.meaning };
    }
    return best;
  };
  for (const m of MAGIC_VALUES) if (v === m.value) return { id: m.id, name: m.name, offset: 0, meaning: m.meaning };
  // A field at a small offset from a poisoned pointer: allow up to a page either side of the pattern.
  for (const p of POISON_BYTES) {
    const d = v - p.value;
    if (d > -0x1000n && d < 0x1000n && (p.value > 0xffffffffn || v <= 0xffffffffn)) return { id: p.id, name: p.name, offset: Number(d), meaning: p.meaning };
  }
  return near(POISON_POINTERS, 0x1000n);
}

function kasanMatch(v: bigint): KasanShadowMatch | null {
  if (v < KASAN_SHADOW_OFFSET) return null;
  const orig = ((v - KASAN_SHADOW_OFFSET) << KASAN_SHADOW_SCALE_SHIFT) & U64;
  const bugType = orig < PAGE_SIZE ? 'null-ptr-deref' : orig <= USER_END_4L ? 'probably user-memory-access' : 'maybe wild-memory-access';
  return { bugType, rangeStart: '0x' + addr16(orig), rangeEnd: '0x' + addr16(orig + 7n) };
}

function kernelHalfRegion(v: bigint, layout: AddressLayout, kaslrText: boolean | null): { id: RegionId; randomised: boolean } {
  if (v >= KERNEL_IMAGE.start) {
    const textEnd = kaslrText ? KERNEL_IMAGE.endKaslr : KERNEL_IMAGE.endNoKaslr;
    if (v <= textEnd) return { id: 'kernel-text', randomised: false };
    if (kaslrText === null && v <= KERNEL_IMAGE.endKaslr) return { id: 'text-or-modules', randomised: false };
    if (v <= KERNEL_IMAGE.modulesEnd) return { id: 'modules', randomised: false };
    if (v >= KERNEL_IMAGE.vsyscallStart && v <= KERNEL_IMAGE.vsyscallEnd) return { id: 'vsyscall', randomised: false };
    if (v <= KERNEL_IMAGE.fixmapEnd) return { id: 'fixmap', randomised: false };
    return { id: 'hole', randomised: false };
  }
  for (const r of layout.regions) if (v >= r.start && v <= r.end) return { id: r.id, randomised: r.randomised ?? false };
  return { id: 'hole', randomised: false };
}

/** Decodes an address for the release's architecture and era (x86_64 and newest era when neither is known). */
export function decodeAddr(value: string | bigint, opts: AddrOptions = {}): AddrDecode {
  const v = typeof value === 'string' ? parseHexValue(value, 'address') : value;
  if (v < 0n || v > U64) throw new DecodeInputError('an address is 64 bits');
  const rel = releaseOption(opts.release);
  const arch = rel?.arch ?? opts.arch ?? null;
  if (arch === 'aarch64' || arch === 'arm64') return decodeArm64Addr(v, rel);
  const layout = rel ? pickByVersion(X86_64_LAYOUTS, versionOf(rel)) ?? X86_64_LAYOUTS[X86_64_LAYOUTS.length - 1] : X86_64_LAYOUTS[X86_64_LAYOUTS.length - 1];
  const facts = buildFacts(rel);
  const notes: Note[] = [];
  const str = addr16(v);
  if (arch && arch !== 'x86_64') {
    notes.push(note('not-x86-64', `the layouts known here are x86_64's; this kernel is ${arch}, so the region below may be wrong`, `这里只掌握 x86_64 的地址布局；该内核是 ${arch}，下面的区域判断可能不对`));
  }

  const errno = v > U64 - MAX_ERRNO ? Number(U64 - v + 1n) : null;
  const userSpace = v <= USER_END_4L;
  const kernelSpace = v >= KERNEL_START_4L;
  const canonical = userSpace || kernelSpace;
  const nearNull = v < MMAP_MIN_ADDR;
  const poison = poisonMatch(v);
  let kasan: KasanShadowMatch | null = null;
  let fiveLevelRegion: RegionId | null = null;
  let region: RegionId;
  let kaslrCaveat = false;

  if (errno !== null) {
    region = 'err-ptr';
  } else if (nearNull) {
    region = 'null-page';
  } else if (userSpace) {
    region = 'user';
  } else if (!canonical) {
    region = 'non-canonical';
    kasan = kasanMatch(v);
    if (v <= USER_END_5L) fiveLevelRegion = 'user';
    else if (v >= KERNEL_START_5L) fiveLevelRegion = FIVE_LEVEL_REGIONS.find((r) => v >= r.start && v <= r.end)?.id ?? 'hole';
  } else {
    const found = kernelHalfRegion(v, layout, facts.kaslrText);
    region = found.id;
    kaslrCaveat = found.randomised && facts.kaslrMemory !== false;
  }

  // Notes: what a kernel engineer would say next.
  if (errno !== null) {
    const name = ERRNO_NAMES[errno] ?? null;
    notes.push(note('err-ptr', `ERR_PTR(-${errno}${name ? ` ${name}` : ''}): an error return used as a pointer without IS_ERR() check`, `ERR_PTR(-${errno}${name ? ` ${name}` : ''})：把错误返回值当指针用了，缺少 IS_ERR() 检查`));
  } else if (nearNull) {
    notes.push(v < PAGE_SIZE
      ? note('null-deref', `NULL pointer dereference${v ? ` at offset ${hex(v)} (a field of a NULL struct pointer)` : ''}`, `空指针解引用${v ? `，偏移 ${hex(v)}（通过 NULL 结构体指针访问其成员）` : ''}`)
      : note('near-null', `below mmap_min_addr: a NULL pointer plus a large offset (${hex(v)}), or a small integer used as a pointer`, `低于 mmap_min_addr：NULL 指针加一个较大的偏移（${hex(v)}），或者把小整数当成了指针`));
  } else if (userSpace) {
    notes.push(note('user-from-kernel', 'a user-space address: the kernel must only touch it through copy_from_user()/get_user(); dereferenced directly, it is a bug (SMAP faults on it)', '用户态地址：内核只能通过 copy_from_user()/get_user() 访问；直接解引用就是 BUG（开启 SMAP 时会直接出错）'));
    if (v >> 32n === 0n) notes.push(note('upper-zero', 'the upper 32 bits are zero: likely a 32-bit value, an index or a truncated/corrupted pointer used as an address', '高 32 位全为 0：很可能是 32 位数值、下标，或者被截断/破坏的指针被当成了地址'));
  } else if (region === 'non-canonical') {
    notes.push(note('non-canonical', 'a non-canonical address faults with a general protection fault (#GP), not a page fault: the kernel cannot report which address; the pointer is garbage or poisoned', '非规范地址触发的是通用保护异常（#GP）而不是缺页，内核无法报告具体地址；指针是垃圾值或毒化值'));
    if (kasan) {
      notes.push(note('kasan', `with KASAN, this is the shadow of [${kasan.rangeStart}-${kasan.rangeEnd}]: KASAN: ${kasan.bugType}`, `如果内核开了 KASAN，这是 [${kasan.rangeStart}-${kasan.rangeEnd}] 的影子地址：KASAN: ${kasan.bugType}`));
    }
    if (fiveLevelRegion) {
      const n = REGION_NAMES[fiveLevelRegion];
      notes.push(note('five-level', `only with 5-level paging (LA57) would it be valid: ${n.en}`, `只有在 5 级页表（LA57）下才合法：${n.zh}`));
    }
  } else {
    switch (region) {
      case 'modules':
        notes.push(note('modules', 'module code or data: find the owner with crash `mod` / `sym`; if no loaded module covers it (crash: "invalid kernel virtual address"), it belonged to a module since unloaded — a timer, work item or callback left behind', '模块代码或数据：用 crash 的 `mod`/`sym` 找属主；如果没有任何已加载模块覆盖它（crash 提示 "invalid kernel virtual address"），它属于一个已被卸载的模块——遗留的定时器、工作项或回调'));
        break;
      case 'text-or-modules':
        notes.push(note('text-or-modules', 'give --kernel: without KASLR (RHEL 7, older kernels) this is the modules area; with KASLR the 1 GiB kernel image reaches here', '请用 --kernel 指定内核：不开 KASLR（RHEL 7 及更老的内核）时这是模块区；开 KASLR 时 1 GiB 的内核映像覆盖到这里'));
        break;
      case 'kernel-text':
        notes.push(note('kernel-text', 'kernel image: resolve with crash `sym` or addr2line on vmlinux', '内核映像：用 crash 的 `sym` 或对 vmlinux 用 addr2line 解析'));
        break;
      case 'vmemmap':
        notes.push(note('vmemmap', 'a struct page pointer (page flags, refcount, mapping): crash `kmem` on it shows the page', '这是 struct page 指针（页标志、引用计数、mapping）：在 crash 里对它执行 `kmem` 可看到对应的页'));
        break;
      case 'direct-map':
        notes.push(note('direct-map', 'a kmalloc/slab object or page in the direct map: crash `kmem` on it shows the slab cache and whether it is free', '直接映射区中的 kmalloc/slab 对象或页：在 crash 里对它执行 `kmem` 可看到所属 slab 缓存以及是否已释放'));
        break;
      case 'vmalloc':
        notes.push(note('vmalloc', 'vmalloc memory, an ioremap, or a kernel stack (VMAP_STACK): crash `kmem` / `vm` shows the area; a fault just below a stack is a stack overflow into the guard page', 'vmalloc 内存、ioremap 映射或内核栈（VMAP_STACK）：crash 的 `kmem`/`vm` 可查看；紧贴某个栈下方的缺页就是栈溢出撞上了保护页'));
        break;
      case 'cpu-entry-area':
        notes.push(note('cea', 'per-CPU entry stacks: NMI, #DF, #MC exception stacks live here', '每 CPU 的入口栈：NMI、#DF、#MC 等异常栈都在这里'));
        break;
      default:
        break;
    }
    if (kaslrCaveat) {
      notes.push(note('kaslr-memory', `this kernel may randomise the direct map, vmalloc and vmemmap bases (RANDOMIZE_MEMORY): "${REGION_NAMES[region].en}" holds only if KASLR is off; check page_offset_base, vmalloc_base and vmemmap_base in crash`, `该内核可能随机化了直接映射区、vmalloc 和 vmemmap 的基址（RANDOMIZE_MEMORY）："${REGION_NAMES[region].zh}"只在未开 KASLR 时成立；在 crash 里查看 page_offset_base、vmalloc_base、vmemmap_base 确认`));
    }
  }
  if (poison) {
    notes.unshift(note(`poison-${poison.id}`, `${poison.name}${poison.offset ? ` ${poison.offset > 0 ? '+' : '-'} ${hex(Math.abs(poison.offset))}` : ''}: ${poison.meaning.en}`, `${poison.name}${poison.offset ? ` ${poison.offset > 0 ? '+' : '-'} ${hex(Math.abs(poison.offset))}` : ''}：${poison.meaning.zh}`));
  }

  const regionText = REGION_NAMES[region];
  const caveatEn = kaslrCaveat ? ' (if no KASLR)' : '';
  const caveatZh = kaslrCaveat ? '（假设未开 KASLR）' : '';
  const head = poison ? tx(`${poison.name}; `, `${poison.name}；`) : tx('', '');
  return {
    kind: 'addr', value: str, release: rel?.raw ?? null, layout: layout.name, region, regionText, kaslrCaveat, canonical, userSpace, kernelSpace: kernelSpace && errno === null,
    nearNull, errPtr: errno !== null ? { errno, name: ERRNO_NAMES[errno] ?? null } : null, poison, kasan, fiveLevelRegion, notes,
    summary: tx(`${str}: ${head.en}${regionText.en}${caveatEn}`, `${str}：${head.zh}${regionText.zh}${caveatZh}`),
  };
}

const ARM64_MMAP_MIN_ADDR = 0x10000n;

function arm64Layout(rel: KernelRelease | null, vaBits: 48 | 52): Arm64Layout {
  const rows = ARM64_LAYOUTS.filter((l) => l.vaBits === vaBits);
  const fallback = ARM64_LAYOUTS.filter((l) => l.vaBits === 48);
  if (!rel) return rows[rows.length - 1] ?? fallback[fallback.length - 1];
  return pickByVersion(rows, versionOf(rel)) ?? pickByVersion(fallback, versionOf(rel)) ?? fallback[fallback.length - 1];
}

/**
 * Decodes an arm64 address: TTBR0 (user) or TTBR1 (kernel) half, the region for the era and VA
 * size, NULL, ERR_PTR, poison; a tagged kernel pointer (KASAN tags, MTE) is read without its tag.
 */
function decodeArm64Addr(raw: bigint, rel: KernelRelease | null): AddrDecode {
  const notes: Note[] = [];
  let v = raw;
  let tag: number | null = null;
  const top = Number(raw >> 56n);
  if (((raw >> 48n) & 0xffn) === 0xffn && top >= 0xf0 && top < 0xff) {
    tag = top;
    v = raw | (0xffn << 56n);
    notes.push(note('arm64-tag', `a tagged pointer (tag 0x${top.toString(16)}, KASAN software/hardware tags or MTE): the address is ${addr16(v)}`, `带标签的指针（标签 0x${top.toString(16)}，KASAN 软件/硬件标签或 MTE）：实际地址是 ${addr16(v)}`));
  }
  const errno = v > U64 - MAX_ERRNO ? Number(U64 - v + 1n) : null;
  // 52-bit VA only moves the bottom of the linear map (and the user top); anything in between is neither half.
  const vaBits: 48 | 52 = v >= 0xfff0000000000000n && v < 0xffff000000000000n ? 52 : v > 0x0000ffffffffffffn && v <= 0x000fffffffffffffn ? 52 : 48;
  const layout = arm64Layout(rel, vaBits);
  const found = layout.regions.find((r) => v >= r.start && v <= r.end);
  let region: RegionId | Arm64RegionId = errno !== null ? 'err-ptr' : found ? found.id : 'non-canonical';
  const nearNull = v < ARM64_MMAP_MIN_ADDR;
  if (nearNull) region = 'null-page';
  const userSpace = found?.id === 'user';
  const kernelSpace = !userSpace && found !== undefined && errno === null;
  const poison = poisonMatch(v);
  if (errno !== null) {
    const name = ERRNO_NAMES[errno] ?? null;
    notes.push(note('err-ptr', `ERR_PTR(-${errno}${name ? ` ${name}` : ''}): an error return used as a pointer without IS_ERR() check`, `ERR_PTR(-${errno}${name ? ` ${name}` : ''})：把错误返回值当指针用了，缺少 IS_ERR() 检查`));
  } else if (nearNull) {
    notes.push(note('null-deref', `NULL pointer dereference${v ? ` at offset ${hex(v)} (a field of a NULL struct pointer)` : ''}`, `空指针解引用${v ? `，偏移 ${hex(v)}（通过 NULL 结构体指针访问其成员）` : ''}`));
  } else if (userSpace) {
    notes.push(note('user-from-kernel', 'a user-space (TTBR0) address: the kernel must only touch it through uaccess routines; dereferenced directly it faults under PAN ("user address but active_mm is swapper" when no user mm is loaded)', '用户态（TTBR0）地址：内核只能通过 uaccess 例程访问；直接解引用在开启 PAN 时会出错（没有用户 mm 时报 "user address but active_mm is swapper"）'));
  } else if (region === 'non-canonical') {
    notes.push(note('arm64-invalid', 'neither a user (TTBR0) nor a kernel (TTBR1) address for this VA size: a garbage or corrupted pointer', '在该 VA 位宽下既不是用户（TTBR0）地址也不是内核（TTBR1）地址：垃圾值或被破坏的指针'));
  } else {
    switch (region) {
      case 'modules':
        notes.push(note('modules', 'module code or data: find the owner with crash `mod` / `sym`; if no loaded module covers it, it belonged to a module since unloaded — a timer, work item or callback left behind', '模块代码或数据：用 crash 的 `mod`/`sym` 找属主；如果没有任何已加载模块覆盖它，它属于一个已被卸载的模块——遗留的定时器、工作项或回调'));
        break;
      case 'direct-map':
        notes.push(note('direct-map', 'a kmalloc/slab object or page in the linear map: crash `kmem` on it shows the slab cache and whether it is free', '线性映射区中的 kmalloc/slab 对象或页：在 crash 里对它执行 `kmem` 可看到所属 slab 缓存以及是否已释放'));
        break;
      case 'vmalloc':
        notes.push(note('vmalloc', layout.imageInVmalloc ? 'vmalloc memory, an ioremap, a kernel stack (VMAP_STACK) or the kernel image (which KASLR places anywhere here): crash `sym` / `kmem` tells which' : 'vmalloc memory, an ioremap or a kernel stack: crash `kmem` / `vm` shows the area', layout.imageInVmalloc ? 'vmalloc 内存、ioremap 映射、内核栈（VMAP_STACK）或内核映像（KASLR 会把它放在这里任意位置）：用 crash 的 `sym`/`kmem` 区分' : 'vmalloc 内存、ioremap 映射或内核栈：crash 的 `kmem`/`vm` 可查看'));
        break;
      case 'vmemmap':
        notes.push(note('vmemmap', 'a struct page pointer: crash `kmem` on it shows the page', '这是 struct page 指针：在 crash 里对它执行 `kmem` 可看到对应的页'));
        break;
      default:
        break;
    }
    if (region === 'direct-map' || region === 'modules' || region === 'vmalloc') notes.push(note('arm64-kasan', ARM64_KASAN_NOTE.en, ARM64_KASAN_NOTE.zh));
  }
  if (poison) notes.unshift(note(`poison-${poison.id}`, `${poison.name}: ${poison.meaning.en}`, `${poison.name}：${poison.meaning.zh}`));
  if (region === 'hole' && v >= ARM64_VA39_START) notes.push(note('arm64-va39', ARM64_VA39_NOTE.en, ARM64_VA39_NOTE.zh));
  const regionText: Text =
    region === 'non-canonical' ? ARM64_INVALID_TEXT : region in ARM64_REGION_NAMES ? ARM64_REGION_NAMES[region as Arm64RegionId] : REGION_NAMES[region as RegionId];
  const str = addr16(raw);
  const head = poison ? tx(`${poison.name}; `, `${poison.name}；`) : tx('', '');
  return {
    kind: 'addr', value: str, release: rel?.raw ?? null, layout: layout.name, region, regionText, kaslrCaveat: false, canonical: found !== undefined, userSpace, kernelSpace,
    nearNull, errPtr: errno !== null ? { errno, name: ERRNO_NAMES[errno] ?? null } : null, poison, kasan: null, fiveLevelRegion: null, tag, notes,
    summary: tx(`${str}: ${head.en}${regionText.en}`, `${str}：${head.zh}${regionText.zh}`),
  };
}

export function addrLines(r: AddrDecode, lang: TextLang): string[] {
  const zh = lang === 'zh';
  const out = [r.summary[lang]];
  out.push(`  ${zh ? '布局' : 'layout'}  ${r.layout}${r.release ? '' : zh ? '（未给出内核版本，按最新布局）' : ' (no kernel release given: newest layout)'}`);
  for (const n of r.notes) out.push('→ ' + n[lang]);
  return out;
}
