// Lines that carry facts about the whole input, besides the report headers, for the streaming scan.

/** Lines that are no report but carry facts about the whole input (kernel release, crash session). */
export const INFO_TRIGGERS: readonly string[] = ['Linux version ', 'RELEASE: ', 'PANIC: ', 'COMMAND: "', '[exception RIP: ', 'NMI backtrace for cpu', ' state:', 'locks held by '];
