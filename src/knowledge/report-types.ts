// The class a report's type (syzkaller's TYPE) suggests when nothing more specific is known, as data.

import { tx, type Text } from './text';

type Class = 'use-after-free' | 'null-deref' | 'memory-corruption' | 'resource-exhaustion' | 'sleep-in-atomic' | 'other';

export const REPORT_TYPE_CLASSES: ReadonlyArray<{ re: RegExp; cls: Class; what: Text }> = [
  { re: /USE-AFTER-FREE/, cls: 'use-after-free', what: tx('a use-after-free', '释放后使用') },
  { re: /NULL-POINTER/, cls: 'null-deref', what: tx('a NULL pointer dereference', '空指针解引用') },
  { re: /^(?:KASAN|KFENCE|MEMORY_SAFETY)/, cls: 'memory-corruption', what: tx('a memory-safety bug', '内存安全问题') },
  { re: /^LEAK$/, cls: 'resource-exhaustion', what: tx('a memory leak (kmemleak)', '内存泄漏（kmemleak）') },
  { re: /^HANG$/, cls: 'other', what: tx('a hang', '挂死') },
  { re: /^ATOMIC_SLEEP$/, cls: 'sleep-in-atomic', what: tx('sleeping in atomic context', '原子上下文中睡眠') },
  { re: /^LOCKDEP$/, cls: 'other', what: tx('a locking-correctness report', '锁正确性报告') },
  { re: /^KMSAN/, cls: 'other', what: tx('use of uninitialised memory (KMSAN)', '使用了未初始化的内存（KMSAN）') },
  { re: /^KCSAN/, cls: 'other', what: tx('a data race (KCSAN)', '数据竞争（KCSAN）') },
  { re: /^UBSAN/, cls: 'other', what: tx('undefined behaviour (UBSAN)', '未定义行为（UBSAN）') },
  { re: /^REFCOUNT/, cls: 'use-after-free', what: tx('a reference-count bug', '引用计数问题') },
];
