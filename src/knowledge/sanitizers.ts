// What each KASAN, KFENCE and UBSAN report kind means (data): the class it implies and what the access hit.

import { tx, type Text } from './text';

type Class = 'use-after-free' | 'memory-corruption' | 'other';

export interface KasanKind {
  /** The kind as "BUG: KASAN: <kind>" prints it. */
  kind: string;
  cls: Class;
  /**
   * How the sentence about the access reads: `object` "read/wrote to TARGET", `bounds` "read/wrote past the
   * bounds of TARGET", `free` "freed TARGET" (no access: the bad call is the kfree()).
   */
  form: 'object' | 'bounds' | 'free';
  target: Text;
}

export const KASAN_KINDS: readonly KasanKind[] = [
  { kind: 'use-after-free', cls: 'use-after-free', form: 'object', target: tx('memory that had already been freed', '已经释放的内存') },
  { kind: 'slab-use-after-free', cls: 'use-after-free', form: 'object', target: tx('a slab object that had already been freed', '已经释放的 slab 对象') },
  { kind: 'vmalloc-use-after-free', cls: 'use-after-free', form: 'object', target: tx('vmalloc memory that had already been freed', '已经释放的 vmalloc 内存') },
  { kind: 'stack-use-after-return', cls: 'use-after-free', form: 'object', target: tx('a stack variable of a function that had already returned', '已经返回的函数的栈上变量') },
  { kind: 'stack-use-after-scope', cls: 'use-after-free', form: 'object', target: tx('a stack variable that had gone out of scope', '已经离开作用域的栈上变量') },
  { kind: 'double-free', cls: 'use-after-free', form: 'free', target: tx('an object that was already free', '一个已经释放过的对象') },
  { kind: 'double-free or invalid-free', cls: 'use-after-free', form: 'free', target: tx('an object that was already free, or a pointer that is not the start of an object', '一个已经释放过的对象，或一个不是对象起始地址的指针') },
  { kind: 'invalid-free', cls: 'memory-corruption', form: 'free', target: tx('a pointer that is not the start of an allocated object', '一个不是已分配对象起始地址的指针') },
  { kind: 'slab-out-of-bounds', cls: 'memory-corruption', form: 'bounds', target: tx('a slab object', 'slab 对象') },
  { kind: 'out-of-bounds', cls: 'memory-corruption', form: 'bounds', target: tx('an object', '对象') },
  { kind: 'global-out-of-bounds', cls: 'memory-corruption', form: 'bounds', target: tx('a global variable', '全局变量') },
  { kind: 'stack-out-of-bounds', cls: 'memory-corruption', form: 'bounds', target: tx('a local variable on the stack', '栈上的局部变量') },
  { kind: 'vmalloc-out-of-bounds', cls: 'memory-corruption', form: 'bounds', target: tx('a vmalloc area', 'vmalloc 区域') },
  { kind: 'alloca-out-of-bounds', cls: 'memory-corruption', form: 'bounds', target: tx('a variable-length stack array', '栈上的变长数组') },
  { kind: 'wild-memory-access', cls: 'memory-corruption', form: 'object', target: tx('an address that is no valid kernel memory (a wild pointer)', '不属于任何合法内核内存的地址（野指针）') },
  { kind: 'user-memory-access', cls: 'memory-corruption', form: 'object', target: tx('a user-space address directly', '用户态地址（直接解引用）') },
  { kind: 'invalid-access', cls: 'memory-corruption', form: 'object', target: tx('memory whose tag does not match the pointer\'s (tag-based KASAN: use-after-free or out-of-bounds)', '标签与指针不匹配的内存（基于标签的 KASAN：释放后使用或越界）') },
];

export interface KfenceKind {
  /** The kind as "BUG: KFENCE: <kind>" prints it. */
  kind: string;
  cls: Class;
}

export const KFENCE_KINDS: readonly KfenceKind[] = [
  { kind: 'use-after-free', cls: 'use-after-free' },
  { kind: 'invalid free', cls: 'use-after-free' },
  { kind: 'out-of-bounds', cls: 'memory-corruption' },
  { kind: 'memory corruption', cls: 'memory-corruption' },
  { kind: 'invalid', cls: 'memory-corruption' },
];

export interface UbsanCheck {
  /** Matched against the kind on the UBSAN line and the detail line below it (older kernels name the check there). */
  re: RegExp;
  kind: string;
  cls: Class;
  meaning: Text;
}

export const UBSAN_CHECKS: readonly UbsanCheck[] = [
  { re: /array-index-out-of-bounds|index -?\d{1,20} is out of range/, kind: 'array-index-out-of-bounds', cls: 'memory-corruption', meaning: tx('an array was indexed past its declared size: the read or write went into the neighbouring fields', '数组下标超出了声明的大小：读写落到了相邻的字段上') },
  { re: /shift-out-of-bounds|shift exponent/, kind: 'shift-out-of-bounds', cls: 'other', meaning: tx('a shift by a negative amount or by at least the width of the type: the result is undefined (x86 masks the count, other architectures differ), usually a value taken from input without a range check', '移位量为负数或不小于类型宽度：结果未定义（x86 会截断移位量，其他架构行为不同），通常是来自输入的值没有做范围检查') },
  { re: /signed-integer-overflow|signed integer overflow|negation of -?\d{1,20} cannot be represented/, kind: 'signed-integer-overflow', cls: 'other', meaning: tx('a signed arithmetic overflow: the computed size, time or index wrapped', '有符号算术溢出：计算出的大小、时间或下标发生了回绕') },
  { re: /invalid-load|load of value -?\d{1,20} is not a valid value for type/, kind: 'invalid-load', cls: 'memory-corruption', meaning: tx('a bool or enum held a value it cannot have: uninitialised or corrupted memory', 'bool 或枚举变量里出现了不可能的值：内存未初始化或被破坏') },
  { re: /object-size-mismatch|misaligned-access|alignment|misaligned address/, kind: 'alignment/object-size', cls: 'memory-corruption', meaning: tx('an object was accessed through a pointer of the wrong type or alignment', '通过类型或对齐不对的指针访问了对象') },
  { re: /division by zero|divide-by-zero/, kind: 'division-by-zero', cls: 'other', meaning: tx('an integer division by zero', '整数除以零') },
  { re: /null-ptr-deref|null pointer (?:passed|returned)|member access within null pointer/, kind: 'null-pointer-use', cls: 'other', meaning: tx('a NULL pointer was used where the code (or an attribute on it) says it cannot be NULL', '在代码（或其属性）规定不能为 NULL 的地方使用了 NULL 指针') },
  { re: /unreachable|builtin_unreachable/, kind: 'unreachable', cls: 'other', meaning: tx('code the compiler was told is unreachable was reached: a state the author ruled out', '执行到了被告知不可达的代码：作者排除了的状态出现了') },
];
