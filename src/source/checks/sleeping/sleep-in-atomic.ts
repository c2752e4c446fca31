// A call that may sleep made while atomic (seed 001): under a spinlock, with BH, interrupts or
// preemption off, in an RCU read-side section, or in a callback that runs in softirq or hard IRQ
// context (timer, tasklet, NAPI poll, IRQ handler), directly or through the files' own functions.

import type { L10n } from '../../../rules/types';
import type { CallEvent, FunctionFlow, Held, Site } from '../../flow';
import { matchSite, parameterNames, scalarParameters, siteOf } from '../../flow';
import { namedKids, topLevel, type Node } from '../../parse';
import type { CheckMeta, Program, ProgramDraft, ProgramFunction } from '../types';
import { LOCK_OP_BY_NAME } from '../../../knowledge/lock-ops';
import { ATOMIC_CALLBACK_REGISTRARS, ATOMIC_OPERATIONS, GFP_WHY, POLLED_READS, reclaimGfp, SLEEP_EXCEPTIONS, sleepingCall, TIMER_SYNC_DELETES } from '../../../knowledge/sleeping-calls';
import { HRTIMER_FIELD } from '../../../knowledge/irq-contexts';

/** Levels of the files' own functions followed below the atomic call: deeper, a call graph without types says more than the code. */
const MAX_DEPTH = 3;

/** Conditions that choose between a sleeping and an atomic way of doing a thing: a call under one is the sleeping branch on purpose. */
const CONTEXT_TEST = /\b(?:in_atomic|in_interrupt|in_irq|in_hardirq|in_softirq|in_serving_softirq|in_task|irqs_disabled|preemptible|gfpflags_allow_blocking|oops_in_progress|system_state)\b|\b\w*(?:can_?sleep|may_?sleep|might_?sleep|atomic|nonblock\w*|no_?wait|blocking|in_irq|irq_?context|from_irq|polling|noirq)\b/i;

interface Sleep {
  why: L10n;
  gfp: boolean;
  lock: boolean;
}

/** Why a call sleeps, when it may: a sleeping function of the table, a sleeping lock, or GFP flags that allow reclaim. */
function sleepsBecause(c: CallEvent, unless: ReadonlySet<string>): Sleep | null {
  const op = LOCK_OP_BY_NAME.get(c.name);
  if (op) {
    const sleeping = op.op === 'acquire' && (op.family === 'mutex' || op.family === 'rwsem' || op.family === 'semaphore') && !/trylock/.test(op.name);
    return sleeping ? { why: { en: `it takes a sleeping lock (a ${op.family})`, zh: `它会获取可睡眠的锁（${op.family}）` }, gfp: false, lock: true } : null;
  }
  const s = sleepingCall(c.name);
  // pm_runtime_get_sync() of a device made pm_runtime_irq_safe() does not sleep.
  if (s && !(s.unless !== undefined && unless.has(s.unless))) return { why: s.why, gfp: false, lock: false };
  if (s) return null;
  const gfp = reclaimGfp(c.args);
  if (gfp) return { why: { en: `${GFP_WHY.en}: ${gfp}`, zh: `${GFP_WHY.zh}：${gfp}` }, gfp: true, lock: false };
  return null;
}

/** The call's node inside the function, found by its place. */
function callNode(fn: Node, site: Site): Node | null {
  const n = fn.descendantForPosition({ row: site.line - 1, column: site.column - 1 });
  let x: Node | null = n;
  for (let i = 0; x && i < 6; i++, x = x.parent) if (x.type === 'call_expression') return x;
  return null;
}

/** Whether a statement leaves the function or the block (`return`, `goto`, `break`), alone or as a block's last statement. */
function leaves(n: Node | null): boolean {
  if (!n) return false;
  if (n.type === 'return_statement' || n.type === 'goto_statement' || n.type === 'break_statement' || n.type === 'continue_statement') return true;
  if (n.type === 'compound_statement') {
    const last = namedKids(n).filter((c) => c.type !== 'comment').pop();
    return leaves(last ?? null);
  }
  return n.type === 'expression_statement' && /^\s*(?:BUG|panic)\s*\(/.test(n.text);
}

/**
 * Whether the call is made only when a condition says it may sleep (`if (!in_atomic()) msleep(1); else
 * mdelay(1);`, `if (can_sleep)`, `if (in_interrupt()) return;` before it), or, for a callee, when one of its
 * flag parameters says so (`if (!create) return NULL; kzalloc(.., GFP_KERNEL)`, `switch (typeReq)`): its callers choose.
 */
function conditional(flow: FunctionFlow, site: Site, params: { all: readonly string[]; flags: readonly string[] } | null): boolean {
  const at = callNode(flow.node, site);
  if (!at) return false;
  const wordsOf = (names: readonly string[]): RegExp[] => names.filter((p) => p.length > 0).map((p) => new RegExp(`\\b${p.replace(/[$]/g, '\\$&')}\\b`));
  // Around the call, a test of anything the caller passed (`if (udc->clock_gating)`, `if (ev->flags & USRPTR)`);
  // before it, only a test of a flag (`if (!create) return NULL;`): `if (!dev) return;` guards every function.
  // A parameter the function writes before the call (`*status = readl(...)`) holds what it read, not the caller's choice.
  const bodyBefore = flow.node.text.slice(0, Math.max(0, at.startIndex - flow.node.startIndex));
  const written = (p: string): boolean => new RegExp(`(?:^|[^\\w.>])\\*?\\(?\\s*${p.replace(/[$]/g, '\\$&')}\\b(?:\\s*\\))?(?:\\s*(?:->|\\.)\\s*\\w+|\\s*\\[[^\\]]{0,80}\\])*\\s*(?:[-+*/|&^]|<<|>>)?=(?!=)`).test(bodyBefore);
  const all = params?.all ?? [];
  const results = wordsOf(all.filter(written));
  const around = wordsOf(all.filter((p) => !written(p)));
  const before = wordsOf((params?.flags ?? []).filter((p) => !written(p)));
  // A test that reads the device or the clock (`readl(...) & BUSY`, `time_before(jiffies, t)`), assigns, or looks
  // at what the function read (`*status & mask`) asks them, as a polling loop does on every round: the caller
  // chose nothing. A predicate of what the caller passed (`snd_seq_ev_is_variable(event)`) is its choice.
  const asksCaller = (text: string): boolean =>
    ![...text.matchAll(/([A-Za-z_]\w*)\s*\(/g)].some((m) => POLLED_READS.test(m[1])) && !/[^=!<>]=(?!=)/.test(text) && !results.some((w) => w.test(text));
  const telling = (text: string, words: readonly RegExp[]): boolean => CONTEXT_TEST.test(text) || (asksCaller(text) && words.some((w) => w.test(text)));
  let child: Node = at;
  for (let x = at.parent; x && x.id !== flow.node.id; child = x, x = x.parent) {
    const cond = x.type === 'if_statement' || x.type === 'while_statement' || x.type === 'conditional_expression' || x.type === 'switch_statement' ? x.childForFieldName('condition') : null;
    if (cond && cond.id !== child.id && telling(cond.text, around)) return true;
    // An earlier `if (TEST) return ...;` in the same block: the call is reached only when the test failed.
    if (x.type === 'compound_statement') {
      for (const s of namedKids(x)) {
        if (!s || s.id === child.id || s.startIndex >= child.startIndex) break;
        if (s.type === 'if_statement' && leaves(s.childForFieldName('consequence')) && telling(s.childForFieldName('condition')?.text ?? '', before)) return true;
      }
    }
  }
  return false;
}

/** A call given the held lock itself (`wait_event_lock_irq(wq, cond, card->files_lock)`, `cond_resched_lock(&l)`) lets go of it while it sleeps. */
function releasesHeld(c: CallEvent, h: Held): boolean {
  if (h.lock === null) return false;
  const lock = h.lock;
  return c.args.some((a) => a.replace(/\s+/g, '').replace(/^&/, '').replace(/^\((.*)\)$/, '$1') === lock);
}

interface SleepChain extends Sleep {
  /** The calls from the atomic call's callee down to the sleeping call, each in its function. */
  steps: Array<{ fn: string; file: string; call: CallEvent }>;
}

/** Where a function of the files sleeps when entered with nothing held: its first such call, directly or below. */
class SleepFinder {
  private readonly memo = new Map<ProgramFunction, SleepChain | null>();
  /** The same, for a caller that keeps interrupts off (its lock let go inside with the plain unlock leaves them off). */
  private readonly memoIrqsOff = new Map<ProgramFunction, SleepChain | null>();
  constructor(
    private readonly p: Program,
    private readonly sleeps: (c: CallEvent) => Sleep | null,
  ) {}

  atEntry(f: ProgramFunction | null, depth: number, seen: Set<ProgramFunction>, irqsOff = false): SleepChain | null {
    if (!f) return null;
    const memo = irqsOff ? this.memoIrqsOff : this.memo;
    if (memo.has(f)) return memo.get(f) ?? null;
    // The caller's lock let go of with the plain unlock (or the _bh one) inside: interrupts stay off after it.
    const stillOff = irqsOff && f.flow.releases.every((r) => r.matched !== null || r.variant === 'plain' || r.variant === 'bh');
    if (seen.has(f) || depth > MAX_DEPTH) return null;
    seen.add(f);
    const params = { all: parameterNames(f.flow.node), flags: scalarParameters(f.flow.node) };
    let found: SleepChain | null = null;
    for (const c of f.flow.calls) {
      // Made under its own lock, it is reported there; made after letting go of the caller's lock, the caller's region is over.
      if (c.atomic !== null || (c.afterDrop && !stillOff)) continue;
      const direct = this.sleeps(c);
      if (direct) {
        if (conditional(f.flow, c.site, params)) continue;
        found = { steps: [{ fn: f.name, file: f.file, call: c }], ...direct };
        break;
      }
      if (c.lockOp) continue;
      const below = this.atEntry(this.p.resolve(c.name, f.file), depth + 1, seen, stillOff);
      if (below && !conditional(f.flow, c.site, params)) {
        found = { ...below, steps: [{ fn: f.name, file: f.file, call: c }, ...below.steps] };
        break;
      }
    }
    seen.delete(f);
    if (depth <= 1 || found) memo.set(f, found);
    return found;
  }
}

export const sleepInAtomicMeta: CheckMeta = {
  id: 'KT-check-sleep-in-atomic',
  rootCauseClass: 'sleep-in-atomic',
  summary: { en: 'A call that may sleep made while atomic: under a spinlock, with BH/IRQ/preemption off, in an RCU read section, or in a timer, tasklet, NAPI or IRQ callback', zh: '原子上下文中调用可能睡眠的函数：持有自旋锁、关下半部/中断/抢占、RCU 读临界区内，或在定时器、tasklet、NAPI、中断回调中' },
  docs: {
    en: `Finds calls that may sleep (a table kept as data: msleep(), usleep_range(), schedule*(),
mutex_lock*(), down*(), wait_for_completion*(), wait_event*(), flush_*work(), cancel_*_sync(),
synchronize_*(), copy_{to,from}_user(), get_user()/put_user(), vmalloc(), request_firmware(), USB,
I2C and SPI transfers, and any call given GFP_KERNEL, GFP_NOIO, GFP_NOFS or GFP_USER, which may
reclaim memory) made where the kernel may not sleep: with a spinlock or rwlock held, after
local_bh_disable(), local_irq_disable()/save(), preempt_disable() or get_cpu(), inside
rcu_read_lock(), or in a function registered to run in softirq or hard IRQ context (timer_setup(),
tasklet_init()/tasklet_setup(), netif_napi_add(), call_rcu(), request_irq(), hrtimers). The files'
own functions that sleep count where they are called: the chain is shown. A sleeping call made
only under a test of the context (in_atomic(), irqs_disabled(), a can_sleep flag) or, in a callee,
of one of its parameters, is the caller's choice and is not reported. Also: del_timer_sync() of a
timer from that timer's own callback waits for itself.

Seed 001: a spin_lock_bh() left held on an error path made every later sleep "scheduling while
atomic". Fix: move the sleeping call after the unlock, allocate with GFP_ATOMIC (or before taking
the lock), or defer the work to a workqueue.`,
    zh: `找出在不可睡眠处调用的可能睡眠的函数（清单作为数据维护：msleep()、usleep_range()、schedule*()、mutex_lock*()、
down*()、wait_for_completion*()、wait_event*()、flush_*work()、cancel_*_sync()、synchronize_*()、copy_{to,from}_user()、
get_user()/put_user()、vmalloc()、request_firmware()、USB/I2C/SPI 传输，以及任何传入 GFP_KERNEL、GFP_NOIO、GFP_NOFS
或 GFP_USER 的调用——它们可能回收内存）：持有自旋锁或读写锁时，local_bh_disable()、local_irq_disable()/save()、
preempt_disable() 或 get_cpu() 之后，rcu_read_lock() 之内，或在注册为软中断/硬中断上下文运行的函数中（timer_setup()、
tasklet_init()/tasklet_setup()、netif_napi_add()、call_rcu()、request_irq()、hrtimer）。本文件中会睡眠的函数在其被调用处
同样计入，并给出调用链。仅在判断上下文（in_atomic()、irqs_disabled()、can_sleep 标志）之后才调用的，或被调用者中
取决于其参数的，属于调用者的选择，不报告。另外：在定时器自己的回调中对该定时器调用 del_timer_sync() 会等待自身。

Seed 001：错误路径上遗留的 spin_lock_bh() 使之后的每次睡眠都报 "scheduling while atomic"。修复：把睡眠调用移到解锁之后，
用 GFP_ATOMIC 分配（或在加锁前分配），或把工作推迟到 workqueue。`,
  },
  references: ['Documentation/locking/locktypes.rst', 'include/linux/kernel.h: might_sleep()', 'include/linux/gfp_types.h (__GFP_DIRECT_RECLAIM)', 'kernel/time/timer.c: del_timer_sync() (must not be called from the timer\'s own callback)'],
};

/** How the atomic state at a call reads in a message. */
function atomicText(h: Held): L10n {
  const call = `${h.via}(${h.lock ? `&${h.lock}` : ''})`;
  switch (h.family) {
    case 'spinlock':
    case 'rwlock':
      return { en: `${call} is held`, zh: `持有 ${call}` };
    case 'bh':
      return { en: `bottom halves are off (${call})`, zh: `下半部已关闭（${call}）` };
    case 'irq':
      return { en: `interrupts are off (${call})`, zh: `中断已关闭（${call}）` };
    case 'preempt':
      return { en: `preemption is off (${call})`, zh: `抢占已关闭（${call}）` };
    default:
      return { en: `inside an RCU read-side section (${call})`, zh: `处于 RCU 读临界区内（${call}）` };
  }
}

function helpFor(chain: Pick<SleepChain, 'gfp' | 'lock'>, where: 'lock' | 'callback'): L10n {
  if (chain.gfp) return { en: 'allocate with GFP_ATOMIC (or GFP_NOWAIT) here, or allocate before the atomic region begins', zh: '此处改用 GFP_ATOMIC（或 GFP_NOWAIT）分配，或在进入原子区之前分配' };
  if (where === 'callback') return { en: 'defer the sleeping part to a workqueue (schedule_work()) or a threaded IRQ handler', zh: '把会睡眠的部分推迟到 workqueue（schedule_work()）或线程化中断处理函数中' };
  if (chain.lock) return { en: 'take the sleeping lock before the spinlock (or outside the atomic region), or protect the data with the spinlock alone', zh: '在自旋锁之前（或原子区之外）获取可睡眠的锁，或只用自旋锁保护数据' };
  return { en: 'move the call out of the atomic region (after the unlock), or defer it to a workqueue', zh: '把调用移出原子区（放到解锁之后），或推迟到 workqueue 中执行' };
}

/** The functions the files register to run in atomic context, with what registered them and, for timers, the timer. */
function atomicCallbacks(p: Program): Map<ProgramFunction, { what: L10n; site: Site; file: string; timer: string | null }> {
  const out = new Map<ProgramFunction, { what: L10n; site: Site; file: string; timer: string | null }>();
  for (const { flow, file } of p.functions) {
    for (const c of flow.calls) {
      const reg = ATOMIC_CALLBACK_REGISTRARS.find((r) => r.call === c.name);
      const cb = reg ? c.args[reg.arg]?.replace(/^\(\s*\w+(?:\s*\*)?\s*\)\s*/, '').replace(/^&\s*/, '').trim() : undefined;
      if (!reg || !cb || !/^[A-Za-z_]\w*$/.test(cb)) continue;
      const timer = /timer/.test(reg.call) ? (c.args[0] ?? '').replace(/\s+/g, '').replace(/^&/, '') : null;
      // The callback itself, or a local variable the function set to one (`handler = plus ? a_irq : b_irq;`).
      const direct = p.resolve(cb, file);
      const fns = direct ? [direct] : assignedFunctions(flow.node.text, cb).map((n) => p.resolve(n, file)).filter((f): f is ProgramFunction => f !== null);
      for (const fn of fns) if (!out.has(fn)) out.set(fn, { what: reg.what, site: c.site, file, timer });
    }
  }
  // A callback field assigned at run time whose name says which framework calls it (`cb.irq_func = foo_irq;`).
  const assignedOps = ATOMIC_OPERATIONS.filter((o) => o.assigned);
  for (const f of p.files) {
    for (const op of assignedOps) {
      for (const field of op.fields) {
        if (!f.prepared.includes(field)) continue;
        for (const m of f.prepared.matchAll(new RegExp(`(?:\\.|->)\\s*${field}\\s*=\\s*([A-Za-z_]\\w*)\\s*;`, 'g'))) {
          const fn = p.resolve(m[1], f.path);
          if (!fn || out.has(fn)) continue;
          out.set(fn, { what: op.what, site: matchSite(f.prepared, m), file: f.path, timer: null });
        }
      }
    }
  }
  // Timers and tasklets defined at file scope: `static DEFINE_TIMER(t, cb);`, `DECLARE_TASKLET(t, cb);`.
  for (const f of p.files) {
    if (!/DEFINE_TIMER|DECLARE_TASKLET/.test(f.prepared)) continue;
    for (const m of f.prepared.matchAll(/\b(DEFINE_TIMER|DECLARE_TASKLET(?:_OLD|_DISABLED(?:_OLD)?)?)\s*\(\s*([A-Za-z_]\w*)\s*,\s*([A-Za-z_]\w*)/g)) {
      const fn = p.resolve(m[3], f.path);
      const reg = ATOMIC_CALLBACK_REGISTRARS.find((r) => r.call === m[1]) ?? ATOMIC_CALLBACK_REGISTRARS.find((r) => r.call === 'DECLARE_TASKLET');
      if (!fn || !reg || out.has(fn)) continue;
      out.set(fn, { what: reg.what, site: matchSite(f.prepared, m), file: f.path, timer: m[1] === 'DEFINE_TIMER' ? m[2] : null });
    }
  }
  // Operations the files give a framework that calls them atomic (`.trigger = foo_trigger` in a struct snd_pcm_ops).
  // Said by the module: the files of the struct's own directory (a tree of many drivers is many modules).
  const dirOf = (path: string): string => path.slice(0, Math.max(0, path.lastIndexOf('/')));
  const said = (re: RegExp, path: string, where: 'module' | 'files'): boolean => p.files.some((f) => (where === 'files' || dirOf(f.path) === dirOf(path)) && re.test(f.prepared));
  const structs = new Set(ATOMIC_OPERATIONS.map((o) => o.struct));
  for (const f of p.files) {
    if (![...structs].some((st) => f.prepared.includes(st))) continue;
    for (const d of topLevel(f.root)) {
      if (d.type !== 'declaration') continue;
      const type = d.childForFieldName('type');
      const st = type?.type === 'struct_specifier' ? type.childForFieldName('name')?.text : undefined;
      if (!st || !structs.has(st)) continue;
      for (const decl of d.childrenForFieldName('declarator')) {
        const list = decl.type === 'init_declarator' ? decl.childForFieldName('value') : null;
        if (!list || list.type !== 'initializer_list') continue;
        for (const pair of namedKids(list)) {
          if (pair.type !== 'initializer_pair') continue;
          const field = pair.childForFieldName('designator');
          const value = pair.childForFieldName('value');
          const name = field?.type === 'field_designator' ? field.text.replace(/^\.\s*/, '') : '';
          const op = ATOMIC_OPERATIONS.find((o) => o.struct === st && o.fields.includes(name));
          if (!op || value?.type !== 'identifier' || (op.unless && said(op.unless, f.path, op.unlessIn ?? 'module'))) continue;
          const fn = p.resolve(value.text, f.path);
          if (!fn || out.has(fn)) continue;
          const site = siteOf(pair);
          out.set(fn, { what: op.what, site, file: f.path, timer: null });
        }
      }
    }
  }
  // `t.function = cb` (timers before 4.15, hrtimers): a timer callback; an hrtimer one unless it expires in softirq (SOFT) mode.
  for (const f of p.files) {
    if (!/init_timer|setup_timer|timer_setup|hrtimer_init/.test(f.prepared)) continue;
    for (const m of f.prepared.matchAll(HRTIMER_FIELD)) {
      const fn = p.resolve(m[2], f.path);
      if (!fn || out.has(fn)) continue;
      const hr = new RegExp(`hrtimer_init\\(\\s*&?[\\w.>-]*\\b${m[1]}\\s*,([^;]{0,200})\\)\\s*;`).exec(f.prepared);
      const what = hr ? (hr[1].includes('SOFT') ? { en: 'an hrtimer callback (softirq context)', zh: 'hrtimer 回调（软中断上下文）' } : { en: 'an hrtimer callback (hard IRQ context)', zh: 'hrtimer 回调（硬中断上下文）' }) : { en: 'a timer callback (softirq context)', zh: '定时器回调（软中断上下文）' };
      out.set(fn, { what, site: matchSite(f.prepared, m), file: f.path, timer: hr ? null : m[1] });
    }
  }
  return out;
}

/** The functions a local variable of a function is set to: `h = a;`, `h = c ? a : b;`, `void *h = a;`. */
function assignedFunctions(body: string, name: string): string[] {
  const out = new Set<string>();
  for (const m of body.matchAll(new RegExp(`\\b${name}\\s*=(?!=)\\s*([^;]{1,200});`, 'g'))) {
    for (const alt of m[1].split(/[?:]/)) {
      const id = alt.trim().replace(/^&\s*/, '');
      if (/^[A-Za-z_]\w*$/.test(id)) out.add(id);
    }
  }
  return [...out];
}

/** The last member of an object expression (`&priv->poll_timer` → `poll_timer`): how a timer is recognised from its callback. */
function member(expr: string): string {
  return expr.replace(/\s+/g, '').replace(/^&/, '').split(/->|\./).pop() ?? expr;
}

export function sleepInAtomic(p: Program): ProgramDraft[] {
  const out: ProgramDraft[] = [];
  const seen = new Set<string>();
  // Calls the files make that change what sleeps (pm_runtime_irq_safe()).
  const made = new Set<string>();
  for (const f of p.functions) for (const c of f.flow.calls) if (SLEEP_EXCEPTIONS.has(c.name)) made.add(c.name);
  const sleeps = (c: CallEvent): Sleep | null => sleepsBecause(c, made);
  const finder = new SleepFinder(p, sleeps);
  const push = (file: string, fn: string, c: CallEvent, message: L10n, trace: ProgramDraft['trace'], help: L10n): void => {
    const key = `${file}:${c.site.line}:${c.site.column}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ file, function: fn, site: c.site, message, trace, help });
  };
  const chainTrace = (chain: SleepChain): ProgramDraft['trace'] =>
    chain.steps.map((s, i) =>
      i === chain.steps.length - 1
        ? { file: s.file, site: s.call.site, note: { en: `${s.fn}() calls ${s.call.name}(): ${chain.why.en}`, zh: `${s.fn}() 调用 ${s.call.name}()：${chain.why.zh}` } }
        : { file: s.file, site: s.call.site, note: { en: `${s.fn}() calls ${s.call.name}()`, zh: `${s.fn}() 调用 ${s.call.name}()` } },
    );
  // Calls under a lock or a disabled state of the function's own.
  for (const { name, flow, file } of p.functions) {
    for (const c of flow.calls) {
      const h = c.atomic;
      if (!h || releasesHeld(c, h)) continue;
      const held = atomicText(h);
      const lockStep = { file, site: h.site, note: { en: `${h.via}(${h.lock ? `&${h.lock}` : ''}) here`, zh: `此处 ${h.via}(${h.lock ? `&${h.lock}` : ''})` } };
      const direct = sleeps(c);
      if (direct) {
        if (conditional(flow, c.site, null)) continue;
        push(file, name, c, { en: `${c.name}() may sleep, called while ${held.en}: ${direct.why.en}`, zh: `${c.name}() 可能睡眠，调用时${held.zh}：${direct.why.zh}` }, [lockStep], helpFor(direct, 'lock'));
        continue;
      }
      if (c.lockOp) continue;
      const self = p.resolve(name, file);
      const irqsOff = h.variant === 'irq' || h.variant === 'irqsave' || h.family === 'irq';
      const chain = finder.atEntry(p.resolve(c.name, file), 1, new Set(self ? [self] : []), irqsOff);
      if (!chain || conditional(flow, c.site, null)) continue;
      const last = chain.steps[chain.steps.length - 1].call.name;
      push(
        file,
        name,
        c,
        { en: `${c.name}() may sleep (it reaches ${last}()), called while ${held.en}`, zh: `${c.name}() 可能睡眠（会调用到 ${last}()），调用时${held.zh}` },
        [lockStep, ...chainTrace(chain)],
        helpFor(chain, 'lock'),
      );
    }
  }
  // Callbacks that run in softirq or hard IRQ context.
  for (const [f, reg] of atomicCallbacks(p)) {
    const cb = f.name;
    const origin = { file: reg.file, site: reg.site, note: { en: `${cb}() registered here as ${reg.what.en}`, zh: `${cb}() 在此注册为${reg.what.zh}` } };
    for (const c of f.flow.calls) {
      if (c.atomic) continue;
      if (reg.timer && TIMER_SYNC_DELETES.has(c.name) && member(c.args[0] ?? '') === member(reg.timer)) {
        push(f.file, cb, c, { en: `${c.name}() of the timer whose callback this is: it waits for the running callback, which is this one, and never returns`, zh: `在定时器自己的回调中对它调用 ${c.name}()：它等待正在运行的回调，即自身，永不返回` }, [origin], { en: 'use del_timer() (or timer_delete()) in the callback; stop the timer with the _sync call from process context', zh: '回调中改用 del_timer()（或 timer_delete()）；在进程上下文中用 _sync 版本停止定时器' });
        continue;
      }
      const direct = sleeps(c);
      if (direct) {
        if (conditional(f.flow, c.site, null)) continue;
        push(f.file, cb, c, { en: `${c.name}() may sleep, called in ${cb}(), ${reg.what.en}: ${direct.why.en}`, zh: `${c.name}() 可能睡眠，却在${reg.what.zh} ${cb}() 中调用：${direct.why.zh}` }, [origin], helpFor(direct, 'callback'));
        continue;
      }
      if (c.lockOp) continue;
      const chain = finder.atEntry(p.resolve(c.name, f.file), 1, new Set([f]));
      if (!chain || conditional(f.flow, c.site, null)) continue;
      const last = chain.steps[chain.steps.length - 1].call.name;
      push(f.file, cb, c, { en: `${c.name}() may sleep (it reaches ${last}()), called in ${cb}(), ${reg.what.en}`, zh: `${c.name}() 可能睡眠（会调用到 ${last}()），却在${reg.what.zh} ${cb}() 中调用` }, [origin, ...chainTrace(chain)], helpFor(chain, 'callback'));
    }
  }
  return out;
}
