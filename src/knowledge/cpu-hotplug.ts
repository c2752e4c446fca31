// Console lines that say a CPU went offline or came online (data): the last one seen for a CPU is its state.

/** Each form, the capture group holding the CPU number, and the state it means. */
export const CPU_HOTPLUG_LINES: ReadonlyArray<{ re: RegExp; online: boolean }> = [
  // x86 since 3.x: "smpboot: CPU 3 is now offline"; 2.6.x: "CPU 3 is now offline".
  { re: /^(?:smpboot: )?CPU ?(\d{1,5}) is now offline\b/, online: false },
  // arm64/arm: "psci: CPU3 killed (polled 0 ms)", "CPU3: shutdown".
  { re: /^psci: CPU(\d{1,5}) killed\b/, online: false },
  { re: /^CPU(\d{1,5}): shutdown\b/, online: false },
  // powerpc/s390: "cpu 3 (hwid 3) Ready to die...", "Processor 3 stopped".
  { re: /^cpu (\d{1,5}) \(hwid \d{1,6}\) Ready to die/, online: false },
  { re: /^Processor (\d{1,5}) stopped\b/, online: false },
  // Coming (back) online: x86 "smpboot: Booting Node 0 Processor 3 APIC 0x3", arm64 "CPU3: Booted secondary processor".
  { re: /^(?:smpboot: )?Booting Node {1,3}\d{1,4},? Processors? {1,3}#?(\d{1,5})\b/, online: true },
  { re: /^CPU(\d{1,5}): Booted secondary processor\b/, online: true },
  // An NMI backtrace request a CPU answered only by saying it idles: online.
  { re: /^NMI backtrace for cpu (\d{1,5}) skipped: idling\b/, online: true },
];

/** How every line of the table starts: one test rejects the other lines of a log before the table is tried. */
export const CPU_HOTPLUG_START = /^(?:smpboot: |psci: |CPU|cpu |Processor |Booting |NMI backtrace)/;
