// What frequent BUG()/BUG_ON() sites mean (data): the message or file of a "kernel BUG at", the class it implies, who it names.

import { tx as t, type Text } from './text';

type Class = 'use-after-free' | 'memory-corruption' | 'other';

export interface BugSite {
  id: string;
  /** Matched against the lines printed with the BUG (before it, within a few lines). */
  message?: RegExp;
  /** Matched against the FILE:LINE of "kernel BUG at". */
  at?: RegExp;
  cls: Class;
  secondary?: readonly Class[];
  /** What the check found, as a headline that starts a sentence. */
  what: Text;
  meaning: Text;
  next: Text;
  /** A capture group of `message` holding the caller, when the kernel printed it symbolically (`text:func+0x1/0x2`). */
  names?: { function?: number };
  /**
   * For a buffer overrun the message measures (skb_over_panic's tail - end, in bytes): the row applies only when
   * the overrun is at most / more than this many bytes.
   */
  overrun?: { atMost?: number; moreThan?: number };
}

/** skb_over_panic prints the tail it would have reached and the buffer end; their difference is the overrun. */
export const SKB_OVERRUN = /skb_over_panic: .{0,200}\btail:(0x[0-9a-f]{1,16}) end:(0x[0-9a-f]{1,16})/;
/** An overrun of a few bytes is a size computed slightly wrong (headroom, padding, a header), not an unchecked length. */
export const SMALL_OVERRUN_BYTES = 64;

export const BUG_SITES: readonly BugSite[] = [
  {
    id: 'skb-overflow-small', message: /skb_over_panic: text:([A-Za-z_][\w.]{0,127}\+0x[0-9a-f]{1,8}\/0x[0-9a-f]{1,8}|[0-9a-f]{8,16}) len:\d{1,10} put:\d{1,10}/, cls: 'other', secondary: ['memory-corruption'], names: { function: 1 }, overrun: { atMost: SMALL_OVERRUN_BYTES },
    what: t('An skb was sized a few bytes too small for the data put into it', 'skb 分配的大小比放入的数据少了几个字节'),
    meaning: t('skb_put() checks that the data fits, and skb_over_panic() stopped a write a few bytes past the end of the buffer: the size the caller computed for the skb (headroom, padding, a header it forgot) is slightly wrong, rather than a length taken from outside without a check.', 'skb_put() 会检查数据能否放下，skb_over_panic() 阻止了一次越过缓冲区末尾几个字节的写入：调用者为 skb 计算的大小（头部空间、填充、漏算的某个头）略有偏差，而不是来自外部的长度没有检查。'),
    next: t('Recompute the size the caller allocates the skb with against what it puts into it (compare len, tail and end in the panic line): the missing bytes are a header or padding the computation leaves out.', '对照调用者放入 skb 的内容重新计算它分配 skb 时用的大小（对比 panic 行中的 len、tail 和 end）：缺少的那几个字节就是计算中漏掉的某个头或填充。'),
  },
  {
    id: 'skb-overflow', message: /skb_(?:over|under)_panic: text:([A-Za-z_][\w.]{0,127}\+0x[0-9a-f]{1,8}\/0x[0-9a-f]{1,8}|[0-9a-f]{8,16}) len:\d{1,10} put:\d{1,10}/, cls: 'memory-corruption', names: { function: 1 },
    what: t('An skb write would have run past its buffer', '对 skb 的写入将越过其缓冲区'),
    meaning: t('skb_put()/skb_push() check that the data fits, and skb_over_panic() (or skb_under_panic()) stops a write past the end (or before the start) of the buffer: the caller asked for more room than the skb it allocated has, typically a length taken from the device or the packet without checking it against the buffer size.', 'skb_put()/skb_push() 会检查数据能否放下，skb_over_panic()（或 skb_under_panic()）阻止了越过缓冲区末尾（或开头之前）的写入：调用者要求的空间超过了它所分配的 skb，通常是来自设备或报文的长度没有与缓冲区大小比较就被使用。'),
    next: t('Find where the length passed to skb_put() comes from and bound it by the size the skb was allocated with (compare len, tail and end in the panic line).', '找出传给 skb_put() 的长度从哪里来，并用分配 skb 时的大小限制它（对比 panic 行中的 len、tail 和 end）。'),
  },
  {
    id: 'page-refcount-zero', message: /VM_BUG_ON_(?:PAGE|FOLIO)\(.{0,80}(?:page_ref_count|folio_ref_count|page_count|_refcount)\(.{0,40}\) ?(?:==|<=) ?0/, cls: 'use-after-free', secondary: ['memory-corruption'],
    what: t('A page was used after its last reference was dropped', '页面在最后一个引用被释放后仍被使用'),
    meaning: t('The VM found a page whose reference count is already zero being referenced or put again: a put_page() too many, or a page freed while a pointer to it was kept.', 'VM 发现一个引用计数已经为零的页又被引用或释放：多做了一次 put_page()，或者页面被释放后仍保留着指向它的指针。'),
    next: t('List the get_page()/put_page() pairs on the paths in the stack; boot with page_owner=on to see who freed the page.', '列出调用栈所经路径上的 get_page()/put_page() 配对；用 page_owner=on 启动以查看是谁释放了该页。'),
  },
  {
    id: 'slab', at: /^mm\/sl[auo]b(?:_common)?\.c:/, cls: 'memory-corruption', secondary: ['use-after-free'],
    what: t('The slab allocator found its own state corrupted', 'slab 分配器发现自身状态被破坏'),
    meaning: t('A BUG in the slab allocator almost always means a caller corrupted it: a double free, a free of a pointer it did not allocate, or a write past an object that hit the freelist.', 'slab 分配器里的 BUG 几乎总是调用者破坏了它：重复释放、释放了不是自己分配的指针，或者写越过对象末尾破坏了空闲链表。'),
    next: t('Reproduce with slub_debug=FZPU or KASAN: the first corruption is then reported with the object and its free stack.', '用 slub_debug=FZPU 或 KASAN 复现：第一次破坏会连同对象及其释放栈一起被报告。'),
  },
];
