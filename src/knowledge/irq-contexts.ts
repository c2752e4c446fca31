// Functions that run with interrupts off because of how they are registered: what registers them, and which argument is the callback.

export const IRQ_OFF_REGISTRARS: ReadonlyArray<{ call: string; arg: number; what: string }> = [
  { call: 'request_irq', arg: 1, what: 'a hard IRQ handler' },
  { call: 'devm_request_irq', arg: 2, what: 'a hard IRQ handler' },
  { call: 'request_threaded_irq', arg: 1, what: 'a hard IRQ handler' },
  { call: 'devm_request_threaded_irq', arg: 2, what: 'a hard IRQ handler' },
  { call: 'request_any_context_irq', arg: 1, what: 'an IRQ handler' },
  { call: 'request_percpu_irq', arg: 1, what: 'a per-CPU IRQ handler' },
  { call: 'request_nmi', arg: 1, what: 'an NMI handler' },
  { call: 'hrtimer_setup', arg: 1, what: 'an hrtimer callback (hard IRQ context)' },
];

/** `x.function = cb` after hrtimer_init(&x...): the field an hrtimer's callback is set through. */
export const HRTIMER_FIELD = /\b(\w+)\s*(?:\.|->)\s*function\s*=\s*&?\s*([A-Za-z_]\w*)\s*;/g;

/** The releases that turn interrupts back on (and BH ones, which warn with interrupts off). */
export const IRQ_ENABLING_VARIANTS: ReadonlySet<string> = new Set(['irq', 'bh']);
