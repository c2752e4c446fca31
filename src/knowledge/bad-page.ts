// What "page dumped because: ..." says went wrong with a page (mm/page_alloc.c bad_page(), mm/memory.c print_bad_pte()), as data.

import { tx, type Text } from './text';

export interface BadPageReason {
  id: string;
  /** Matched against the text after "page dumped because: ". */
  re: RegExp;
  /** What the check found, as a phrase ("the page was freed while still mapped"). */
  what: Text;
  /** What usually causes it, as a sentence. */
  meaning: Text;
  /** The page was probably freed twice or used after it was freed. */
  freedTwice: boolean;
}

export const BAD_PAGE_REASONS: readonly BadPageReason[] = [
  {
    id: 'nonzero-mapcount', re: /nonzero (?:_?mapcount|compound_mapcount|entire_mapcount|nr_pages_mapped)/, freedTwice: true,
    what: tx('the page was freed while still mapped into a process', '页面在仍被映射到进程地址空间时被释放'),
    meaning: tx('A page that is freed must no longer be mapped: someone dropped the last reference while a page table still pointed at it (a reference put too many, or a mapping inserted without a reference of its own).', '被释放的页不能再有映射：有人在页表仍指向它时释放了最后一个引用（多做了一次 put，或者插入映射时没有为它取得自己的引用）。'),
  },
  {
    id: 'nonzero-refcount', re: /nonzero _?(?:ref)?count|page still has references/, freedTwice: false,
    what: tx('the page was freed with references still held', '页面在仍有引用时被释放'),
    meaning: tx('The page reached the allocator while its reference count was not zero: it was freed directly (free_page()/__free_pages()) by code that did not own the last reference, and the other holders will now use a free page.', '页面的引用计数不为零就回到了分配器：不持有最后一个引用的代码直接释放了它（free_page()/__free_pages()），其他持有者接下来会使用一个空闲页。'),
  },
  {
    id: 'non-null-mapping', re: /non-NULL mapping|corrupted mapping/, freedTwice: false,
    what: tx('the page was freed while still attached to a file or anonymous mapping', '页面在仍属于某个文件或匿名映射时被释放'),
    meaning: tx('page->mapping is still set: the page was freed without being removed from the page cache or its anon_vma, or the field was overwritten.', 'page->mapping 仍然有值：页面没有从页缓存或 anon_vma 中移除就被释放了，或者这个字段被改写了。'),
  },
  {
    id: 'flags-at-free', re: /PAGE_FLAGS_CHECK_AT_FREE/, freedTwice: false,
    what: tx('the page was freed with state flags still set', '页面在状态标志仍置位时被释放'),
    meaning: tx('Flags that must be clear on free (locked, on the LRU, dirty, under writeback, active, mlocked...) were still set: the page was freed while another path still had it in use, for example still on an LRU list or still locked.', '释放时必须清除的标志（locked、在 LRU 上、dirty、writeback、active、mlocked 等）仍然置位：页面在另一条路径仍在使用它时被释放，比如它还在 LRU 链表上或仍被锁着。'),
  },
  {
    id: 'flags-at-prep', re: /PAGE_FLAGS_CHECK_AT_PREP/, freedTwice: false,
    what: tx('a free page had state flags set when it was allocated', '空闲页在被分配时带有状态标志'),
    meaning: tx('A page in the free lists had flags set: something wrote to the page\'s struct page after it was freed, a use-after-free of the page descriptor.', '空闲链表中的页带有标志：有代码在页面释放之后写了它的 struct page，即页描述符的释放后使用。'),
  },
  {
    id: 'page-pool-leak', re: /page_pool leak/, freedTwice: false,
    what: tx('a page that belongs to a page_pool was freed to the page allocator', '属于某个 page_pool 的页被直接释放回了页分配器'),
    meaning: tx('page_pool pages must be returned to their pool (skb_mark_for_recycle(), page_pool_put_page()); this one reached the buddy allocator with its pp_magic still set: the skb or buffer that carried it was built without recycling, or freed through the wrong path.', 'page_pool 的页必须还给它的池（skb_mark_for_recycle()、page_pool_put_page()）；这个页带着 pp_magic 回到了伙伴分配器：承载它的 skb 或缓冲区构造时没有设置回收，或者走错了释放路径。'),
  },
  {
    id: 'memcg', re: /page still charged to cgroup|nonzero mem_cgroup|memcg/, freedTwice: false,
    what: tx('the page was freed while still charged to a memory cgroup', '页面在仍计入某个内存 cgroup 时被释放'),
    meaning: tx('The page kept its memory-cgroup charge when it was freed: a path that allocated it charged it and the freeing path did not uncharge it (or freed it with the wrong primitive).', '页面释放时仍保留着内存 cgroup 的计费：分配它的路径计了费，而释放的路径没有撤销（或用错了释放原语）。'),
  },
  {
    id: 'pincount', re: /nonzero pincount/, freedTwice: false,
    what: tx('the page was freed while still pinned', '页面在仍被 pin 住时被释放'),
    meaning: tx('A pin_user_pages() pin was not released with unpin_user_page() before the last reference was dropped.', 'pin_user_pages() 取得的 pin 在释放最后一个引用之前没有用 unpin_user_page() 释放。'),
  },
  {
    id: 'compound', re: /compound_head|tail page|compound/, freedTwice: false,
    what: tx('a compound page\'s head and tail pages disagree', '复合页的头页与尾页不一致'),
    meaning: tx('The compound page metadata is inconsistent: a tail page was freed on its own, or the struct page of the compound page was overwritten.', '复合页的元数据不一致：某个尾页被单独释放了，或者复合页的 struct page 被改写了。'),
  },
  {
    id: 'bad-pte', re: /bad pte/, freedTwice: true,
    what: tx('a page table entry points at a page whose map count went wrong', '页表项指向的页的映射计数出了错'),
    meaning: tx('While unmapping, the kernel found a pte whose page is not mapped the way the pte says (its mapcount dropped below zero, or the page is free): the page was unmapped or freed twice, or a driver inserted it into the page table without the reference and map count it needs.', '解除映射时，内核发现某个 pte 指向的页并不是按 pte 所说的那样被映射的（映射计数降到了零以下，或者页已空闲）：该页被重复解除映射或重复释放，或者驱动把它插入页表时没有取得所需的引用和映射计数。'),
  },
];
