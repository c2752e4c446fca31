// BUG() and other BUG: reports: kernel BUG at, atomic sleeps, bad page state, list corruption, leaks.

import type { OopsKind } from '../types';
import { PARSE_STACK } from '../types';
import { c, one, callTrace, ripThenTrace, traceStack } from '../patterns';

const r = String.raw;

export const bugKinds: OopsKind[] = [
  {
    header: 'BUG:',
    formats: [
      {
        title: one(r`BUG: scheduling while atomic`),
        fmt: 'BUG: scheduling while atomic in %[1]v',
        stack: traceStack('schedule'),
      },
      { title: one(r`BUG: Bad rss-counter state`), fmt: 'BUG: Bad rss-counter state', noStackTrace: true },
      { title: one(r`BUG: non-zero nr_ptes on freeing mm`), fmt: 'BUG: non-zero nr_ptes on freeing mm', noStackTrace: true },
      { title: one(r`BUG: non-zero nr_pmds on freeing mm`), fmt: 'BUG: non-zero nr_pmds on freeing mm', noStackTrace: true },
      {
        // The file system type and block device (loop0, loop1...) would split one bug in many.
        title: one(r`BUG: Dentry .* still in use`),
        report: one(r`BUG: Dentry .* still in use \([0-9]+\) \[(unmount) of ([^\]]+)\]`),
        fmt: 'BUG: Dentry still in use in %[1]v',
        alt: ['BUG: Dentry still in use [%[1]v of %[2]v]'],
      },
      {
        title: one(r`BUG: Bad page (state|cache)`),
        fmt: 'BUG: Bad page %[1]v in %[2]v',
        // The page's last allocation (page_owner) names its user; without it the report is partial.
        stack: {
          parts: [c('page last allocated'), PARSE_STACK],
          skip: ['(free|put|get|update|release)_page', 'free_unref', '^_*folio', 'truncate_inode_pages', 'page_frag_free', 'alloc', 'vmap', 'page_owner'],
        },
      },
      { title: one(r`BUG: Bad page map`), fmt: 'BUG: Bad page map' },
      {
        title: one(r`BUG: sleeping function called from invalid context at (.*)`),
        fmt: 'BUG: sleeping function called from invalid context in %[2]v',
        stack: traceStack(),
      },
      {
        title: one(r`BUG: memory leak`),
        fmt: 'memory leak in %[1]v',
        stack: {
          parts: [c(r`backtrace(?: \(crc [[:xdigit:]]*\))?:`), PARSE_STACK],
          skip: ['kmemleak', 'mmap', 'kmem', 'slab', 'alloc', 'create_object', 'idr_get', 'list_lru_init', 'kasprintf', 'kvasprintf', 'pcpu_create', 'strdup', 'strndup', 'memdup'],
        },
      },
      { title: one(r`BUG:[[:space:]]*$`), fmt: 'BUG: corrupted', corrupted: true },
    ],
    suppressions: [
      // CONFIG_DEBUG_OBJECTS output.
      c('ODEBUG:'),
      // Android prints these during boot.
      c('Boot_DEBUG:'),
      c('xlog_status:'),
      // Android ART debug output.
      c('DEBUG:'),
      // syzkaller's own host output in debug mode.
      c('BUG: no syscalls can create resource'),
    ],
  },
  {
    header: 'kernel BUG',
    formats: [
      { title: one(r`kernel BUG at mm/usercopy.c`), fmt: 'BUG: bad usercopy in %[1]v', stack: traceStack('usercopy', '__check') },
      {
        title: one(r`kernel BUG at lib/list_debug.c`),
        fmt: 'BUG: corrupted list in %[1]v',
        // Also memory corruption or a race, like other bad accesses.
        alt: ['bad-access in %[1]v'],
        stack: { parts: [callTrace, PARSE_STACK] },
      },
      {
        title: one(r`kernel BUG at (.*)`),
        fmt: 'kernel BUG in %[2]v',
        // skb helpers BUG_ON their arguments: the bug is in the caller.
        stack: { ...ripThenTrace, skip: ['^skb_'] },
      },
    ],
  },
  {
    header: 'Kernel BUG',
    formats: [{ title: one(r`Kernel BUG (.*)`), fmt: 'kernel BUG %[1]v' }],
  },
  {
    header: 'BUG kmalloc-',
    formats: [{ title: one(r`BUG kmalloc-.*: Object already free`), fmt: 'BUG: Object already free' }],
  },
  {
    header: 'INFO:',
    formats: [
      // The tail of an old-style KASAN report whose header was lost.
      { title: one(r`INFO: (Freed|Allocated) in (.*)`), fmt: 'INFO: %[1]v in %[2]v', corrupted: true },
      { title: one(r`INFO:[[:space:]]*$`), fmt: 'INFO: corrupted', corrupted: true },
    ],
    suppressions: [
      c('INFO: lockdep is turned off'),
      c('INFO: Stall ended before state dump start'),
      c('INFO: NMI handler'),
      c('INFO: recovery required on readonly filesystem'),
      c('(handler|interrupt).*took too long'),
      // syzkaller's own host output in debug mode.
      c('INFO: sys_.* is not present in /proc/kallsyms'),
      c('INFO: no syscalls can create resource'),
      // Android.
      c('rmt_storage:INFO:'),
      // `INVALID BTF_INFO:NUM`.
      c('_INFO:'),
    ],
  },
];
