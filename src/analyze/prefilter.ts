// The cheap first look at each chunk of a large log: anchors every report header contains.

/**
 * Every header trigger contains at least one of these (a test checks it). A
 * dozen short anchors let the regex engine skip ahead quickly, where the full
 * header list would be tried at every byte: about 2.5 GB/s against 0.2 GB/s.
 */
export const PREFILTER_ANCHORS = /BUG|WARN|INFO|[Pp]anic|PANIC|[Ff]ault|[Ee]rror|SAN:|[Ll]ockup|LOCKUP|Oops|Call Trace|[Ss]tall|deadlock|lock|unreferenced|corrupt|Linux version|Tainted|[Uu]nable to|trap|SYZ|kill|[Oo]ut of memory|overflow|invalid|exception RIP|COMMAND:|\[<|assert|ASSERT|refcount|list_|Unhandled|Alignment|Busy inodes|unregister_netdevice|segment|Booting|VFS:/;

/** Lines that are no report but carry facts about the whole input (kernel release, crash session). */
export const INFO_TRIGGERS: readonly string[] = ['Linux version ', 'RELEASE: ', 'PANIC: ', 'COMMAND: "', '[exception RIP: '];
