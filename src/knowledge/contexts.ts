// Which kernel functions mark a change of execution context on a stack (data, not logic).

/** Entry points of CPU exceptions: the frames above them ran in the exception handler. */
export const EXCEPTION_ENTRIES: readonly RegExp[] = [
  /^(?:async_)?page_fault$/,
  /^general_protection$/,
  /^invalid_op$/,
  /^do_trap$/,
  /^divide_error$/,
  /^double_fault$/,
  /^stack_segment$/,
  /^int3$/,
  /^debug$/,
  /^asm_exc_\w+$/,
  /^exc_\w+$/,
  /^do_(?:page_fault|general_protection|invalid_op|divide_error|double_fault|int3|debug)$/,
  /^el1h?_(?:sync|abort|da|ia|undef|dbg|64_sync)\w*$/,
  /^do_mem_abort$/,
  // i386 2.6's common exception entry, powerpc's page-fault entry, riscv's.
  /^error_code$/,
  /^\.?handle_page_fault$/,
  /^handle_exception$/,
  /^handle_interruption$/,
  /^do_sea$/,
  /^el1_abort$/,
];

/** Where softirq processing starts: frames above one of these ran as a softirq. */
export const SOFTIRQ_ENTRIES: readonly RegExp[] = [
  /^__do_softirq$/,
  /^__softirqentry_text_start$/,
  /^handle_softirqs$/,
  /^run_ksoftirqd$/,
];

/** Hard interrupt entries: frames above them ran in hardirq context. */
export const IRQ_ENTRIES: readonly RegExp[] = [
  /^(?:smp_)?apic_timer_interrupt$/,
  /^(?:smp_)?call_function(?:_single)?_interrupt$/,
  /^(?:smp_)?reschedule_interrupt$/,
  /^common_interrupt$/,
  /^do_IRQ$/,
  // 2.6-era x86: the return path of an interrupt, the frame crash prints the interrupt's registers under.
  /^ret_from_intr$/,
  /^asm_(?:common|sysvec|spurious)_\w+$/,
  /^sysvec_\w+$/,
  /^irq_exit(?:_rcu)?$/,
  /^gic_handle_irq$/,
  /^el1_irq$/,
  // arm64 since 5.x: el1h_64_irq -> el1h_64_irq_handler -> el1_interrupt.
  /^el1h?_64_irq(?:_handler)?$/,
  /^el1_interrupt$/,
];

/** The NMI entry path. */
export const NMI_ENTRIES: readonly RegExp[] = [/^(?:default_)?do_nmi$/, /^(?:end_)?repeat_nmi$/, /^nmi$/, /^exc_nmi$/, /^asm_exc_nmi$/];

/** Marker lines the kernel prints inside a Call Trace, with the context they open or close. */
export const CONSOLE_STACK_MARKERS: ReadonlyArray<{ marker: string; opens: 'irq' | 'nmi' | 'softirq' | 'task' | 'exception' | null; closes: boolean }> = [
  { marker: '<IRQ>', opens: 'irq', closes: false },
  { marker: '</IRQ>', opens: 'task', closes: true },
  { marker: '<EOI>', opens: 'task', closes: true },
  { marker: '<NMI>', opens: 'nmi', closes: false },
  { marker: '</NMI>', opens: 'task', closes: true },
  { marker: '<SOFTIRQ>', opens: 'softirq', closes: false },
  { marker: '</SOFTIRQ>', opens: 'task', closes: true },
  { marker: '<TASK>', opens: 'task', closes: false },
  { marker: '</TASK>', opens: null, closes: true },
  { marker: '<#DF>', opens: 'exception', closes: false },
  { marker: '<#MC>', opens: 'exception', closes: false },
  { marker: '<#DB>', opens: 'exception', closes: false },
  { marker: '<#VC>', opens: 'exception', closes: false },
  { marker: '<EOE>', opens: 'task', closes: true },
  // 2.6.32 prints `<<EOE>>`; a web page that eats `<EOE>` as an HTML tag leaves `<>`.
  { marker: '<<EOE>>', opens: 'task', closes: true },
  { marker: '<>', opens: 'task', closes: true },
];

/** crash `bt` separators: `--- <NMI exception stack> ---` ends a segment that ran in that context. */
export const CRASH_STACK_SEPARATORS: ReadonlyArray<{ pattern: RegExp; context: 'irq' | 'nmi' | 'softirq' | 'exception' }> = [
  { pattern: /<NMI exception stack>/, context: 'nmi' },
  { pattern: /<IRQ stack>/, context: 'irq' },
  { pattern: /<SOFTIRQ stack>/, context: 'softirq' },
  { pattern: /<(?:DOUBLEFAULT|DEBUG|MCE|STACKFAULT|#DF|#MC|#DB|#VC)[\w ]*stack>/, context: 'exception' },
];

export function matchesAny(name: string, patterns: readonly RegExp[]): boolean {
  for (const p of patterns) if (p.test(name)) return true;
  return false;
}
