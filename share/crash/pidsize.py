# gdb script (python) run around the crash utility by ktriage (src/investigate/crash.ts) and scripts/dumps/crash-session.sh.
#
# crash before 8.0.4 takes SIZE(pid) = sizeof(struct pid). Since the kernel's
# struct pid ends in a flexible array, "struct upid numbers[]" (6.5, and
# backported to 6.1.y), that size no longer covers numbers[0], so crash reads
# each task's upid from past the end of its buffer, finds no task in the
# init pid namespace, and its task table holds only the idle tasks ("ps"
# shows swapper/N only). crash 8.0.4 adds one struct upid to SIZE(pid) when
# pid.numbers has no length; this does the same to the answer of crash's
# STRUCT_SIZE_INIT(pid, "pid"), i.e. datatype_info("pid", NULL,
# STRUCT_SIZE_REQUEST), when that size ends where pid.numbers starts.
import gdb

STRUCT_SIZE_REQUEST = 0xfffffffffffffffc
seen = {}


def arg_str(reg):
    addr = int(gdb.parse_and_eval("$" + reg)) & 0xffffffffffffffff
    if addr == 0:
        return None
    return gdb.parse_and_eval("(const char *)%d" % addr).string()


class Ret(gdb.FinishBreakpoint):
    def __init__(self, key):
        super().__init__(gdb.newest_frame(), internal=True)
        self.silent = True
        self.key = key

    def stop(self):
        val = int(gdb.parse_and_eval("$rax")) & 0xffffffffffffffff
        if val >= 1 << 63:
            val -= 1 << 64
        seen[self.key] = val
        if self.key == ("pid", None) and val > 0 and val == seen.get(("pid", "numbers")) \
                and seen.get(("upid", None), 0) > 0:
            fixed = val + seen[("upid", None)]
            gdb.execute("set $rax = %d" % fixed)
            gdb.write("pidsize: SIZE(pid) %d -> %d (struct pid ends in numbers[])\n" % (val, fixed))
            gdb.flush()
        return False

    def out_of_scope(self):
        pass


class Entry(gdb.Breakpoint):
    def stop(self):
        name = arg_str("rdi")
        if name not in ("pid", "upid"):
            return False
        member = arg_str("rsi")
        dm = int(gdb.parse_and_eval("$rdx")) & 0xffffffffffffffff
        if member is None and dm != STRUCT_SIZE_REQUEST:
            return False
        if member not in (None, "numbers"):
            return False
        Ret((name, member))
        return False


gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("set print inferior-events off")
gdb.execute("set print thread-events off")
gdb.execute("handle SIGINT nostop noprint pass")
gdb.execute("handle SIGPIPE nostop noprint pass")
Entry("datatype_info", internal=True)
