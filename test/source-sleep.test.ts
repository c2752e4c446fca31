// KT-check-sleep-in-atomic: sleeping calls under a spinlock, with BH/IRQ/preemption off, in RCU, in atomic callbacks; and sleeping that is right.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './support/shared';
import { checkSources } from '../src/source/check';
import { sleepingCall, reclaimGfp } from '../src/knowledge/sleeping-calls';

const DIR = join(REPO, 'test', 'fixtures', 'source');
const RULE = 'KT-check-sleep-in-atomic';

/** The sleep findings of C files written to a temporary folder: [function, line]. */
async function sleepsIn(files: Record<string, string>): Promise<Array<[string, number]>> {
  const dir = mkdtempSync(join(tmpdir(), 'kt-sleep-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const r = await checkSources([dir]);
    assert.deepEqual(r.skipped, [], 'every function parsed');
    return r.findings.filter((f) => f.rule === RULE).map((f) => [f.function, f.line]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('sleep_atomic.c: every way of sleeping while atomic is found, at the call, with the lock or the registration traced', async () => {
  const r = await checkSources([join(DIR, 'sleep_atomic.c')]);
  assert.deepEqual(r.skipped, []);
  const found = r.findings.filter((f) => f.rule === RULE);
  assert.deepEqual(
    found.map((f) => [f.function, f.line]),
    [['sensor_restart', 35], ['sensor_queue_event', 44], ['sensor_set_mode', 58], ['sensor_apply', 67], ['sensor_read_state', 76], ['sensor_poll', 85], ['sensor_poll', 89]],
  );
  assert.ok(found.every((f) => f.class === 'sleep-in-atomic'));
  const byLine = new Map(found.map((f) => [f.line, f]));
  // Through the driver's own helper: the chain reaches the sleeping call in it.
  assert.match(byLine.get(35)?.message.en ?? '', /sensor_reset_hw\(\) may sleep \(it reaches msleep\(\)\), called while spin_lock_irqsave\(&s->lock\) is held/);
  assert.deepEqual(byLine.get(35)?.trace.map((t) => t.line), [34, 22]);
  assert.match(byLine.get(44)?.help.en ?? '', /GFP_ATOMIC/);
  assert.match(byLine.get(58)?.message.en ?? '', /mutex_lock\(\) may sleep.*sleeping lock/);
  assert.match(byLine.get(67)?.message.en ?? '', /usb_control_msg/);
  assert.match(byLine.get(76)?.message.en ?? '', /RCU read-side/);
  assert.match(byLine.get(85)?.message.en ?? '', /timer callback/);
  assert.deepEqual(byLine.get(85)?.trace.map((t) => t.line), [96]);
  assert.match(byLine.get(89)?.message.en ?? '', /del_timer_sync\(\) of the timer whose callback this is/);
  assert.ok(found.every((f) => f.message.zh.length > 0 && f.help.zh.length > 0));
});

test('sleep_atomic_fixed.c: the lock dropped around the sleep, allocation before the lock, a flag, a context test, SRCU, a threaded handler: silent', async () => {
  const r = await checkSources([join(DIR, 'sleep_atomic_fixed.c')]);
  assert.deepEqual(r.skipped, []);
  assert.deepEqual(r.findings.filter((f) => f.rule === RULE), []);
});

test('a call given the held lock lets go of it while it sleeps (wait_event_lock_irq, cond_resched_lock)', async () => {
  const src = 'void w(struct card *card)\n{\n\tspin_lock_irq(&card->files_lock);\n\twait_event_lock_irq(card->wait, list_empty(&card->files), card->files_lock);\n\tspin_unlock_irq(&card->files_lock);\n}\n';
  assert.deepEqual(await sleepsIn({ 'w.c': src }), []);
  // Given another lock, it still sleeps under this one.
  assert.deepEqual(await sleepsIn({ 'w.c': src.replace('card->files_lock);\n\tspin_unlock', 'card->other_lock);\n\tspin_unlock') }), [['w', 4]]);
});

test('runtime PM made IRQ-safe (pm_runtime_irq_safe()) does not sleep; without it, pm_runtime_get_sync() under a spinlock is found', async () => {
  const use = 'static void tx(struct port *p)\n{\n\tunsigned long flags;\n\n\tspin_lock_irqsave(&p->lock, flags);\n\tpm_runtime_get_sync(p->dev);\n\tspin_unlock_irqrestore(&p->lock, flags);\n}\n';
  assert.deepEqual(await sleepsIn({ 'tx.c': use }), [['tx', 6]]);
  const probe = 'static int probe(struct platform_device *pdev)\n{\n\tpm_runtime_irq_safe(&pdev->dev);\n\treturn 0;\n}\n';
  assert.deepEqual(await sleepsIn({ 'tx.c': use, 'probe.c': probe }), []);
});

test('a static function of another file with the same name is not the callee; the one non-static definition is', async () => {
  const caller = 'static void start_transfer(struct hc *h)\n{\n\th->busy = 1;\n}\n\nvoid irq_path(struct hc *h)\n{\n\tspin_lock(&h->lock);\n\tstart_transfer(h);\n\tspin_unlock(&h->lock);\n}\n';
  const other = 'static void start_transfer(struct gadget *g)\n{\n\tmsleep(1);\n}\n';
  assert.deepEqual(await sleepsIn({ 'a.c': caller, 'b.c': other }), []);
  const shared = 'void hc_reset(struct hc *h)\n{\n\tmsleep(1);\n}\n';
  assert.deepEqual(await sleepsIn({ 'a.c': caller.replace('\tstart_transfer(h);\n\tspin_unlock', '\thc_reset(h);\n\tspin_unlock'), 'b.c': shared }), [['irq_path', 9]]);
});

test('a helper that sleeps only when its caller says so (a flag parameter, a switch on a request code) is the caller\'s choice', async () => {
  const src = `static struct patch *find_patch(struct opl3 *o, int prg, int create)
{
	struct patch *p;

	if (!create)
		return NULL;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	return p;
}

static int hub_control(struct hcd *hcd, u16 typeReq)
{
	switch (typeReq) {
	case 1:
		msleep(20);
		break;
	default:
		break;
	}
	return 0;
}

void note_on(struct opl3 *o)
{
	unsigned long flags;

	spin_lock_irqsave(&o->voice_lock, flags);
	find_patch(o, 1, 0);
	hub_control(o->hcd, 2);
	spin_unlock_irqrestore(&o->voice_lock, flags);
}
`;
  assert.deepEqual(await sleepsIn({ 'opl3.c': src }), []);
  // A null check before the sleep guards every function: the helper still sleeps.
  assert.deepEqual(await sleepsIn({ 'opl3.c': src.replace('if (!create)', 'if (!o)') }), [['note_on', 28]]);
});

test('callbacks in atomic context: a tasklet, a NAPI poll and a hard IRQ handler that sleep; the threaded half of an IRQ may', async () => {
  const src = `static void rx_tasklet(struct tasklet_struct *t)
{
	msleep(1);
}

static int rx_poll(struct napi_struct *napi, int budget)
{
	struct sk_buff *skb = alloc_skb(2048, GFP_KERNEL);

	return 0;
}

static irqreturn_t hard(int irq, void *d)
{
	mutex_lock(&big_mutex);
	mutex_unlock(&big_mutex);
	return IRQ_HANDLED;
}

static irqreturn_t thread_fn(int irq, void *d)
{
	mutex_lock(&big_mutex);
	mutex_unlock(&big_mutex);
	return IRQ_HANDLED;
}

int setup(struct priv *p)
{
	tasklet_setup(&p->t, rx_tasklet);
	netif_napi_add(p->ndev, &p->napi, rx_poll, 64);
	request_irq(p->irq, hard, 0, "x", p);
	return request_threaded_irq(p->irq2, NULL, thread_fn, IRQF_ONESHOT, "y", p);
}
`;
  assert.deepEqual(await sleepsIn({ 'cb.c': src }), [['rx_tasklet', 3], ['rx_poll', 8], ['hard', 15]]);
});

test('the sleeping-call table: families by pattern, the try and atomic forms excluded, GFP flags that allow reclaim', () => {
  for (const n of ['msleep', 'wait_for_completion_timeout', 'wait_event_interruptible', 'schedule_timeout_uninterruptible', 'i2c_smbus_read_byte_data', 'copy_from_user']) assert.ok(sleepingCall(n), n);
  for (const n of ['try_wait_for_completion', 'mdelay', 'udelay', 'schedule_work', 'spin_lock', 'kfree', 'del_timer']) assert.equal(sleepingCall(n), null, n);
  assert.equal(reclaimGfp(['size', 'GFP_KERNEL']), 'GFP_KERNEL');
  assert.equal(reclaimGfp(['size', 'GFP_KERNEL | __GFP_ZERO']), 'GFP_KERNEL | __GFP_ZERO');
  assert.equal(reclaimGfp(['size', 'GFP_ATOMIC']), null);
  assert.equal(reclaimGfp(['size', 'in_atomic() ? GFP_ATOMIC : GFP_KERNEL']), null);
  assert.equal(reclaimGfp(['size', 'gfp & ~__GFP_DIRECT_RECLAIM']), null);
  assert.equal(reclaimGfp(['size', 'gfp']), null);
});

test('registering with a core under a spinlock sleeps (misc_register, device_create, debugfs); after the unlock it does not', async () => {
  const src = (inside: string, after: string): string => `static int up(struct priv *p)
{
	spin_lock(&p->lock);
	p->users++;
${inside}	spin_unlock(&p->lock);
${after}	return 0;
}
`;
  assert.deepEqual(await sleepsIn({ 'r.c': src('\tmisc_register(&p->misc);\n', '') }), [['up', 5]]);
  assert.deepEqual(await sleepsIn({ 'r.c': src('\tp->dir = debugfs_create_dir("p", NULL);\n', '') }), [['up', 5]]);
  assert.deepEqual(await sleepsIn({ 'r.c': src('', '\tmisc_register(&p->misc);\n') }), []);
});

test('a helper that lets go of its caller\'s irqsave lock with the plain unlock and sleeps: interrupts are still off', async () => {
  const src = (lock: string, unlock: string): string => `static void wait_tx(struct port *p)
{
	spin_unlock(&p->lock);
	msleep(1);
	spin_lock(&p->lock);
}
static void start_tx(struct port *p)
{
	unsigned long flags;

	${lock};
	wait_tx(p);
	${unlock};
}
`;
  assert.deepEqual(await sleepsIn({ 'p.c': src('spin_lock_irqsave(&p->lock, flags)', 'spin_unlock_irqrestore(&p->lock, flags)') }), [['start_tx', 12]]);
  // Taken without turning interrupts off, the lock let go of inside is really let go of.
  assert.deepEqual(await sleepsIn({ 'p.c': src('spin_lock(&p->lock)', 'spin_unlock(&p->lock)') }), []);
});

test('nonatomic: a PCM made nonatomic by its own driver, an ASoC link by any machine driver given', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kt-nonatomic-'));
  try {
    mkdirSync(join(dir, 'pcm'));
    mkdirSync(join(dir, 'dai'));
    mkdirSync(join(dir, 'board'));
    writeFileSync(join(dir, 'pcm', 'p.c'), 'static int p_trigger(struct snd_pcm_substream *s, int cmd)\n{\n\tmsleep(1);\n\treturn 0;\n}\nstatic const struct snd_pcm_ops p_ops = { .trigger = p_trigger };\n');
    writeFileSync(join(dir, 'dai', 'd.c'), 'static int d_trigger(struct snd_pcm_substream *s, int cmd, struct snd_soc_dai *dai)\n{\n\tmsleep(1);\n\treturn 0;\n}\nstatic const struct snd_soc_dai_ops d_ops = { .trigger = d_trigger };\n');
    const lines = async (): Promise<string[]> => (await checkSources([dir])).findings.filter((f) => f.rule === RULE).map((f) => `${f.function}:${f.line}`);
    assert.deepEqual(await lines(), ['d_trigger:3', 'p_trigger:3']);
    writeFileSync(join(dir, 'board', 'b.c'), 'static struct snd_soc_dai_link links[] = { { .name = "x", .nonatomic = 1 } };\n');
    assert.deepEqual(await lines(), ['p_trigger:3']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
