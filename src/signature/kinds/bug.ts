// BUG() and other BUG: reports: kernel BUG at, atomic sleeps, bad page state, list corruption, leaks.

import type { OopsKind } from '../types';
import { PARSE_STACK } from '../types';
import { c, one, callTrace, ripFrame } from '../patterns';

const r = String.raw;

export const bugKinds: OopsKind[] = [
  {
    header: 'BUG:',
    formats: [
      {
        title: one(r`BUG: sleeping function called from invalid context at`),
        fmt: 'BUG: sleeping function called from invalid context in %[1]v',
        stack: { parts: [callTrace, PARSE_STACK], skip: ['might_sleep', 'might_fault', 'might_resched'] },
        type: 'ATOMIC_SLEEP',
      },
      {
        title: one(r`BUG: scheduling while atomic`),
        fmt: 'BUG: scheduling while atomic in %[1]v',
        stack: { parts: [callTrace, PARSE_STACK], skip: ['schedule'] },
        type: 'ATOMIC_SLEEP',
      },
      {
        title: one(r`BUG: memory leak`),
        fmt: 'memory leak in %[1]v',
        stack: {
          parts: [c(String.raw`backtrace(?: \(crc [0-9a-f]*\))?:`), PARSE_STACK],
          skip: ['kmemleak', 'mmap', 'kmem', 'slab', 'alloc', 'create_object', 'idr_get', 'list_lru_init', 'kasprintf', 'kvasprintf', 'pcpu_create_chunk', 'strdup', 'strndup', 'kstrdup', 'kstrndup', 'kmemdup', 'kstrdup_const', 'kobject_set_name', 'kvasprintf_const', 'kobject_add', 'get_empty_filp', 'alloc_file', 'getname', 'new_inode', 'd_alloc', 'dst_alloc', 'skb_clone'],
        },
        type: 'LEAK',
      },
      {
        title: one(r`BUG: Bad page state`),
        fmt: 'BUG: Bad page state in %[1]v',
        // The allocation or free stack printed with the report names the page's user.
        stack: { parts: [PARSE_STACK], skip: ['free_', 'put_page', 'bad_page', 'page_', 'post_alloc_hook'] },
      },
      {
        title: one(r`BUG: Bad page map`),
        fmt: 'BUG: Bad page map in %[1]v',
        stack: { parts: [callTrace, PARSE_STACK], skip: ['print_bad_pte', 'vm_normal_page'] },
      },
      {
        title: one(r`BUG: Bad rss-counter state`),
        fmt: 'BUG: Bad rss-counter state',
        noStackTrace: true,
      },
      {
        title: one(r`BUG: non-zero nr_ptes on freeing mm`),
        fmt: 'BUG: non-zero nr_ptes on freeing mm',
        noStackTrace: true,
      },
      {
        title: one(r`BUG: non-zero nr_pmds on freeing mm`),
        fmt: 'BUG: non-zero nr_pmds on freeing mm',
        noStackTrace: true,
      },
      {
        title: one(r`BUG: Dentry .* still in use \([0-9]+\) \[(unmount) of ([^\]]+)\]`),
        fmt: 'BUG: Dentry still in use in %[1]v',
        alt: ['BUG: Dentry still in use [%[1]v of %[2]v]'],
        noStackTrace: true,
      },
      {
        title: one(r`BUG: corrupted list in ([a-zA-Z0-9_]+)`),
        fmt: 'BUG: corrupted list in %[1]v',
        alt: ['bad-access in %[1]v'],
        noStackTrace: true,
        type: 'MEMORY_SAFETY_BUG',
      },
      {
        title: one(r`BUG: executor-detected bug`),
        fmt: 'BUG: executor-detected bug',
        noStackTrace: true,
      },
    ],
    suppressions: [
      // CONFIG_DEBUG_OBJECTS output.
      /ODEBUG:/,
      // Android prints these during boot.
      /Boot_DEBUG:/,
      /xlog_status:/,
      // Android ART debug output.
      /DEBUG:/,
      // syzkaller's own host output in debug mode.
      /BUG: no syscalls can create resource/,
    ],
  },
  {
    header: 'kernel BUG',
    defaultType: 'BUG',
    formats: [
      {
        title: one(r`kernel BUG at mm/usercopy\.c`),
        fmt: 'BUG: bad usercopy in %[1]v',
        stack: { parts: [callTrace, PARSE_STACK], skip: ['usercopy', '__check'] },
        type: 'BUG',
      },
      {
        title: one(r`kernel BUG at lib/list_debug\.c`),
        fmt: 'BUG: corrupted list in %[1]v',
        alt: ['bad-access in %[1]v'],
        stack: { parts: [callTrace, PARSE_STACK] },
        type: 'MEMORY_SAFETY_BUG',
      },
      {
        title: one(r`kernel BUG at (.*)`),
        fmt: 'kernel BUG in %[2]v',
        // BUG_ON helpers that check their caller's arguments.
        stack: { parts: [ripFrame, callTrace, PARSE_STACK], skip: ['^skb_(?:put|push|pull|over_panic|under_panic)', 'assertfail'] },
        type: 'BUG',
      },
    ],
  },
  {
    header: 'Kernel BUG',
    formats: [
      {
        title: one(r`Kernel BUG (.*)`),
        fmt: 'kernel BUG %[1]v',
        type: 'BUG',
      },
    ],
  },
  {
    header: 'BUG kmalloc-',
    formats: [
      {
        title: one(r`BUG kmalloc-.*: Object already free`),
        fmt: 'BUG: Object already free',
        type: 'DoS',
      },
    ],
  },
];
