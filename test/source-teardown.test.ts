// The teardown check (KT-check-teardown) on small modules: seed 002's timer left armed by module_exit
// beside its correct twin, work and workqueues, a driver's probe/remove, the order of free and cancel,
// a self-re-arming timer, an error path of probe, and teardown that is right but takes a second look.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './support/shared';
import { checkSources } from '../src/source/check';
import { normObject } from '../src/source/checks/lifecycle/teardown';
import { notifierUndoNames } from '../src/knowledge/teardown';

const DIR = join(REPO, 'test', 'fixtures', 'source');
const RULE = 'KT-check-teardown';

/**
 * Each fixture and the lines the teardown check's findings are about; [] for the correct twins. A
 * missing undo is reported in the exit, where the fix goes: it is about the line that arms the object,
 * which leads its trace.
 */
const CASES: Array<{ file: string; want: number[] }> = [
  { file: 'timer_leak.c', want: [32] },
  { file: 'timer_leak_fixed.c', want: [] },
  { file: 'work_leak.c', want: [44, 55, 68] },
  { file: 'work_leak_fixed.c', want: [] },
  { file: 'probe_leak.c', want: [59, 62] },
  { file: 'probe_leak_fixed.c', want: [] },
  { file: 'teardown_order.c', want: [48] },
  { file: 'timer_rearm.c', want: [36] },
  { file: 'probe_error_path.c', want: [54] },
  { file: 'teardown_silent.c', want: [] },
  { file: 'teardown_silent_real.c', want: [] },
];

async function teardownFindings(path: string): Promise<Awaited<ReturnType<typeof checkSources>>> {
  const r = await checkSources([path]);
  return { ...r, findings: r.findings.filter((f) => f.rule === RULE) };
}

type TeardownFinding = Awaited<ReturnType<typeof checkSources>>['findings'][number];

/** A missing undo ("... never cancels it"): reported in the exit, about the call its trace starts with. */
function missingUndo(f: TeardownFinding): boolean {
  return / never \S+ it: /.test(f.message.en);
}

/** The line a finding is about: the arming call of a missing undo, else where it is reported. */
function subjectLine(f: TeardownFinding): number {
  return missingUndo(f) ? f.trace[0].line : f.line;
}

for (const c of CASES) {
  test(`teardown ${c.file}: ${c.want.length === 0 ? 'no finding' : `lines ${c.want.join(', ')}`}`, async () => {
    const r = await teardownFindings(join(DIR, c.file));
    assert.deepEqual(r.skipped, [], 'every function parsed');
    assert.deepEqual(r.findings.map(subjectLine).sort((a, b) => a - b), c.want);
    for (const f of r.findings) {
      assert.equal(f.class, 'dangling-callback-after-unload');
      assert.ok(f.message.zh.length > 0 && f.help.zh.length > 0 && f.trace.every((t) => t.note.zh.length > 0));
    }
  });
}

test('the seed 002 finding: in module_exit before its kfree(), the mod_timer() of init first in the trace, the fix named', async () => {
  const [f] = (await teardownFindings(join(DIR, 'timer_leak.c'))).findings;
  assert.equal(f.function, 'wd_exit');
  assert.equal(f.line, 40, 'before kfree(wd): where the del_timer_sync() goes');
  assert.match(f.message.en, /^mod_timer\(&wd->timer\) arms the timer .*module_exit\(wd_exit\) never stops it: after rmmod it can fire into freed module text/);
  assert.deepEqual(f.trace.map((t) => [t.line, t.note.en]), [
    [32, 'mod_timer() arms it in wd_init()'],
    [37, 'module_exit(wd_exit) does not del_timer_sync() it'],
  ]);
  assert.match(f.help.en, /timer_shutdown_sync\(&wd->timer\) \(or del_timer_sync\(\)\) in wd_exit\(\) before the data is freed/);
});

test('an exit that frees nothing: the missing undo is reported at its closing brace', async () => {
  const fs = (await teardownFindings(join(DIR, 'probe_leak.c'))).findings;
  const text = readFileSync(join(DIR, 'probe_leak.c'), 'utf8').split('\n');
  for (const f of fs) {
    assert.equal(f.function, 'sensor_remove');
    assert.equal(text[f.line - 1], '}');
  }
});

test('a work item set up in init and queued from the IRQ handler: the queueing first in the trace, then the set-up', async () => {
  const f = (await teardownFindings(join(DIR, 'work_leak.c'))).findings.find((x) => x.trace[0].line === 44);
  assert.ok(f);
  assert.equal(f.function, 'poller_exit');
  assert.match(f.trace[0].note.en, /queue_work\(\) arms it in poller_irq\(\)/);
  assert.ok(f.trace.some((t) => t.line === 60 && /INIT_WORK\(\) sets it up in poller_init\(\)/.test(t.note.en)));
  assert.match(f.help.en, /cancel_work_sync\(&p->event_work\)/);
});

test('probe/remove: the IRQ and the thread, with the calls that undo them', async () => {
  const fs = (await teardownFindings(join(DIR, 'probe_leak.c'))).findings;
  assert.match(fs[0].help.en, /free_irq\(s->irq, s\) in sensor_remove\(\)/);
  assert.match(fs[0].message.en, /sensor_remove\(\) \(the driver's \.remove\) never frees it/);
  assert.match(fs[1].help.en, /kthread_stop\(s->thread\) in sensor_remove\(\)/);
});

test('order, re-arm and error path: each at the call to change', async () => {
  const [o] = (await teardownFindings(join(DIR, 'teardown_order.c'))).findings;
  assert.match(o.message.en, /^kfree\(bl\) frees the data before del_timer_sync\(&bl->timer\)/);
  assert.deepEqual(o.trace.map((t) => t.line), [49]);
  const [r] = (await teardownFindings(join(DIR, 'timer_rearm.c'))).findings;
  assert.match(r.message.en, /^del_timer\(\) does not wait for heartbeat_fn\(\), which re-arms the timer &hb\.timer \(mod_timer\(\) at line 24\)/);
  assert.match(r.help.en, /timer_shutdown_sync\(\) \(or del_timer_sync\(\)\)/);
  const [e] = (await teardownFindings(join(DIR, 'probe_error_path.c'))).findings;
  assert.equal(e.function, 'link_probe');
  assert.match(e.message.en, /leaves the timer &l->poll armed \(mod_timer\(\) at line 49\)/);
  assert.deepEqual(e.trace.map((t) => t.line), [49, 58]);
});

/** A module of the files given, in a directory of its own: the teardown findings' lines. */
async function linesOf(files: Record<string, string>): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kt-teardown-'));
  try {
    for (const [n, t] of Object.entries(files)) writeFileSync(join(dir, n), t);
    const r = await teardownFindings(dir);
    assert.deepEqual(r.skipped, []);
    return r.findings.map(subjectLine).sort((a, b) => a - b);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the undo in a helper of another file of the module, with the object passed down', async () => {
  const main = readFileSync(join(DIR, 'timer_leak.c'), 'utf8').replace('\tkfree(wd);\n', '\twd_stop(wd);\n\tkfree(wd);\n');
  const helper = 'struct wd_state;\nvoid wd_stop(struct wd_state *s)\n{\n\tdel_timer_sync(&s->timer);\n}\n';
  assert.deepEqual(await linesOf({ 'main.c': main, 'stop.c': helper }), []);
  // Without the helper's body the stop is not seen: the finding stays.
  assert.deepEqual(await linesOf({ 'main.c': main }), [32]);
});

test('a module with no module_exit cannot be unloaded; a late_initcall has no exit: nothing to report', async () => {
  const text = readFileSync(join(DIR, 'timer_leak.c'), 'utf8');
  assert.deepEqual(await linesOf({ 'a.c': text.replace('module_exit(wd_exit);\n', '') }), []);
  assert.deepEqual(await linesOf({ 'a.c': text.replace('module_init(wd_init);\nmodule_exit(wd_exit);\n', 'late_initcall(wd_init);\n') }), []);
});

test('objects are compared by what they name, and notifier undo names are derived', () => {
  assert.equal(normObject('&(priv)->timer'), 'priv.timer');
  assert.equal(normObject('(struct timer_list *)&priv->t[i]'), 'priv.t[]');
  assert.equal(normObject('& dev -> wd . timer'), 'dev.wd.timer');
  assert.deepEqual(notifierUndoNames('register_reboot_notifier'), ['unregister_reboot_notifier', 'deregister_reboot_notifier']);
  assert.deepEqual(notifierUndoNames('blocking_notifier_chain_register'), ['blocking_notifier_chain_unregister', 'blocking_notifier_chain_deregister']);
  assert.deepEqual(notifierUndoNames('unregister_reboot_notifier'), []);
  assert.deepEqual(notifierUndoNames('devm_register_reboot_notifier'), []);
});

test("what another module's API arms inside (usb_add_hcd(), an exported helper of another file) is its own counterpart's business", async () => {
  const core = [
    'struct core { int irq; struct tasklet_struct bh; const struct core_ops *ops; };',
    'static void core_bh(struct tasklet_struct *t) { }',
    'int core_add(struct core *c)',
    '{',
    '\ttasklet_setup(&c->bh, core_bh);',
    '\ttasklet_hi_schedule(&c->bh);',
    '\treturn 0;',
    '}',
    'EXPORT_SYMBOL_GPL(core_add);',
    'void core_remove(struct core *c)',
    '{',
    '\tc->ops->stop(c);',
    '}',
    'EXPORT_SYMBOL_GPL(core_remove);',
    '',
  ].join('\n');
  const drv = [
    'struct core;',
    'static int drv_probe(struct platform_device *pdev)',
    '{',
    '\tstruct core *c = devm_kzalloc(&pdev->dev, 64, GFP_KERNEL);',
    '\treturn core_add(c);',
    '}',
    'static int drv_remove(struct platform_device *pdev)',
    '{',
    '\tcore_remove(platform_get_drvdata(pdev));',
    '\treturn 0;',
    '}',
    'static struct platform_driver drv = { .probe = drv_probe, .remove = drv_remove };',
    'module_platform_driver(drv);',
    '',
  ].join('\n');
  const dir = mkdtempSync(join(tmpdir(), 'kt-teardown-'));
  try {
    mkdirSync(join(dir, 'core'));
    mkdirSync(join(dir, 'drv'));
    writeFileSync(join(dir, 'core', 'core.c'), core);
    writeFileSync(join(dir, 'drv', 'drv.c'), drv);
    // In another directory, and exported from another file of the same one.
    assert.deepEqual((await teardownFindings(dir)).findings, []);
    assert.deepEqual(await linesOf({ 'core.c': core, 'drv.c': drv }), []);
    // The same arming in the driver's own file is the driver's.
    assert.deepEqual(await linesOf({ 'drv.c': core.replace(/EXPORT_SYMBOL_GPL\(\w+\);/g, '').replace(/^int core_add/m, 'static int core_add').replace(/^void core_remove/m, 'static void core_remove') + drv }), [6]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a work armed at run time and cancelled at run time by a static inline of a header of the module: its life is not the device\'s', async () => {
  const h = 'struct port { struct work_struct work; };\nstatic inline void port_finish(struct port *p)\n{\n\tcancel_work_sync(&p->work);\n}\n';
  const c = [
    '#include "port.h"',
    'static void port_fn(struct work_struct *w) { }',
    'static void port_kick(struct port *p) { schedule_work(&p->work); }',
    'static void port_close(struct port *p) { port_finish(p); }',
    'static int port_probe(struct platform_device *pdev)',
    '{',
    '\tstruct port *p = devm_kzalloc(&pdev->dev, sizeof(*p), GFP_KERNEL);',
    '\tINIT_WORK(&p->work, port_fn);',
    '\treturn 0;',
    '}',
    'static int port_remove(struct platform_device *pdev) { return 0; }',
    'static struct platform_driver port_drv = { .probe = port_probe, .remove = port_remove };',
    'module_platform_driver(port_drv);',
    '',
  ].join('\n');
  assert.deepEqual(await linesOf({ 'port.h': h, 'port.c': c }), []);
  // Cancelled nowhere: reported where it is armed.
  assert.deepEqual(await linesOf({ 'port.c': c.replace('#include "port.h"', 'struct port { struct work_struct work; };\nstatic inline void port_finish(struct port *p) { }') }), [4]);
});

test('the free before the cancel inside one branch of remove is reported; a free in a branch the cancel is not in, not', async () => {
  const drv = (remove: string): string =>
    [
      'struct blk { struct timer_list t; };',
      'static void blk_fn(struct timer_list *t) { }',
      'static int blk_probe(struct platform_device *pdev)',
      '{',
      '\tstruct blk *b = kzalloc(sizeof(*b), GFP_KERNEL);',
      '\ttimer_setup(&b->t, blk_fn, 0);',
      '\tmod_timer(&b->t, jiffies + HZ);',
      '\tplatform_set_drvdata(pdev, b);',
      '\treturn 0;',
      '}',
      'static int blk_remove(struct platform_device *pdev)',
      '{',
      '\tstruct blk *b = platform_get_drvdata(pdev);',
      remove,
      '\treturn 0;',
      '}',
      'static struct platform_driver blk_drv = { .probe = blk_probe, .remove = blk_remove };',
      'module_platform_driver(blk_drv);',
      '',
    ].join('\n');
  assert.deepEqual(await linesOf({ 'b.c': drv('\tif (b) {\n\t\tkfree(b);\n\t\tdel_timer_sync(&b->t);\n\t}') }), [15]);
  assert.deepEqual(await linesOf({ 'b.c': drv('\tif (!b->t.function) {\n\t\tkfree(b);\n\t\treturn 0;\n\t}\n\tdel_timer_sync(&b->t);\n\tkfree(b);') }), []);
});

test('a character device is the major it was registered with: unregistered under another spelling of its name, it is released', async () => {
  const module = (exit: string): string => `#include <linux/module.h>
#include <linux/fs.h>
#define MY_MAJOR 240
static const struct file_operations fops;
static struct platform_driver drv = { .driver = { .name = "mydev" } };
static int __init my_init(void)
{
	int ret = register_chrdev(MY_MAJOR, "spi", &fops);

	if (ret < 0)
		return ret;
	return 0;
}
module_init(my_init);
static void __exit my_exit(void)
{
${exit}
}
module_exit(my_exit);
`;
  assert.deepEqual(await linesOf({ 'm.c': module('\tunregister_chrdev(MY_MAJOR, drv.driver.name);') }), []);
  assert.deepEqual(await linesOf({ 'm.c': module('\tunregister_chrdev(MY_MAJOR, "spi");') }), []);
  assert.deepEqual(await linesOf({ 'm.c': module('\tpr_info("bye\\n");') }), [8]);
});

test('an i2c driver\'s .probe_new is its probe: what it arms, .remove must undo', async () => {
  const driver = (remove: string): string => `#include <linux/i2c.h>
#include <linux/interrupt.h>
static irqreturn_t ts_irq(int irq, void *data) { return IRQ_HANDLED; }
static int ts_probe(struct i2c_client *client)
{
	return request_irq(client->irq, ts_irq, 0, "ts", client);
}
static void ts_remove(struct i2c_client *client)
{
${remove}
}
static struct i2c_driver ts_driver = {
	.probe_new = ts_probe,
	.remove = ts_remove,
};
module_i2c_driver(ts_driver);
`;
  assert.deepEqual(await linesOf({ 't.c': driver('\tdev_info(&client->dev, "bye\\n");') }), [6]);
  assert.deepEqual(await linesOf({ 't.c': driver('\tfree_irq(client->irq, client);') }), []);
});

test('a timer or tasklet defined at file scope and armed by a device: stopped by remove or the module exit, unless the code cannot be unloaded', async () => {
  const driver = (remove: string, register: string): string => `#include <linux/platform_device.h>
#include <linux/interrupt.h>
static void kp_scan(struct timer_list *t) { }
static DEFINE_TIMER(kp_timer, kp_scan);
static void kp_bh(struct tasklet_struct *t) { }
static DECLARE_TASKLET_DISABLED(kp_tasklet, kp_bh);
static irqreturn_t kp_irq(int irq, void *data)
{
	mod_timer(&kp_timer, jiffies + 1);
	tasklet_schedule(&kp_tasklet);
	return IRQ_HANDLED;
}
static int kp_probe(struct platform_device *pdev)
{
	return devm_request_irq(&pdev->dev, platform_get_irq(pdev, 0), kp_irq, 0, "kp", pdev);
}
static int kp_remove(struct platform_device *pdev)
{
${remove}
	return 0;
}
static struct platform_driver kp_driver = { .probe = kp_probe, .remove = kp_remove };
${register}(kp_driver);
`;
  assert.deepEqual(await linesOf({ 'kp.c': driver('\tdev_info(&pdev->dev, "bye\\n");', 'module_platform_driver') }), [9, 10]);
  assert.deepEqual(await linesOf({ 'kp.c': driver('\tdel_timer_sync(&kp_timer);\n\ttasklet_kill(&kp_tasklet);', 'module_platform_driver') }), []);
  assert.deepEqual(await linesOf({ 'kp.c': driver('\tdev_info(&pdev->dev, "bye\\n");', 'builtin_platform_driver') }), []);
});

test('callbacks assigned at run time, input->open and input->close: what open starts, close stops', async () => {
  const driver = (close: string): string => `#include <linux/input.h>
#include <linux/workqueue.h>
struct kb { struct input_dev *input; struct delayed_work scan; };
static void kb_scan(struct work_struct *w) { }
static int kb_open(struct input_dev *dev)
{
	struct kb *kb = input_get_drvdata(dev);

	INIT_DELAYED_WORK(&kb->scan, kb_scan);
	schedule_delayed_work(&kb->scan, HZ);
	return 0;
}
static void kb_close(struct input_dev *dev)
{
	struct kb *kb = input_get_drvdata(dev);
${close}
}
static int kb_setup(struct kb *kb)
{
	kb->input->open = kb_open;
	kb->input->close = kb_close;
	return input_register_device(kb->input);
}
`;
  assert.deepEqual(await linesOf({ 'kb.c': driver('\tdev_dbg(&dev->dev, "closed\\n");') }), [10]);
  assert.deepEqual(await linesOf({ 'kb.c': driver('\tcancel_delayed_work_sync(&kb->scan);') }), []);
});

test('the data freed before its work is cancelled is an order bug even when the IRQ was freed first; cancelled before the free as well, it is not', async () => {
  const driver = (remove: string): string => `#include <linux/platform_device.h>
#include <linux/interrupt.h>
#include <linux/slab.h>
struct ts { struct delayed_work work; int irq; };
static void ts_work(struct work_struct *w) { }
static irqreturn_t ts_irq(int irq, void *data)
{
	struct ts *ts = data;

	schedule_delayed_work(&ts->work, 0);
	return IRQ_HANDLED;
}
static int ts_probe(struct platform_device *pdev)
{
	struct ts *ts = kzalloc(sizeof(*ts), GFP_KERNEL);

	if (!ts)
		return -ENOMEM;
	INIT_DELAYED_WORK(&ts->work, ts_work);
	platform_set_drvdata(pdev, ts);
	return request_irq(ts->irq, ts_irq, 0, "ts", ts);
}
static int ts_remove(struct platform_device *pdev)
{
	struct ts *ts = platform_get_drvdata(pdev);

${remove}
	return 0;
}
static struct platform_driver ts_driver = { .probe = ts_probe, .remove = ts_remove };
module_platform_driver(ts_driver);
`;
  assert.deepEqual(await linesOf({ 'ts.c': driver('\tfree_irq(ts->irq, ts);\n\tkfree(ts);\n\tcancel_delayed_work_sync(&ts->work);') }), [28]);
  assert.deepEqual(await linesOf({ 'ts.c': driver('\tfree_irq(ts->irq, ts);\n\tcancel_delayed_work_sync(&ts->work);\n\tkfree(ts);') }), []);
});

test('a driver with no .remove: the devm actions its probe adds are its remove', async () => {
  const driver = (action: string): string => `#include <linux/platform_device.h>
#include <linux/timer.h>
struct key { struct timer_list timer; };
static void key_tick(struct timer_list *t) { }
static void key_stop(void *data)
{
	struct key *key = data;
${action}
}
static int key_probe(struct platform_device *pdev)
{
	struct key *key = devm_kzalloc(&pdev->dev, sizeof(*key), GFP_KERNEL);

	if (!key)
		return -ENOMEM;
	timer_setup(&key->timer, key_tick, 0);
	mod_timer(&key->timer, jiffies + HZ);
	return devm_add_action_or_reset(&pdev->dev, key_stop, key);
}
static struct platform_driver key_driver = { .probe = key_probe };
module_platform_driver(key_driver);
`;
  assert.deepEqual(await linesOf({ 'key.c': driver('\tpr_debug("stop %p\\n", key);') }), [17]);
  assert.deepEqual(await linesOf({ 'key.c': driver('\tdel_timer_sync(&key->timer);') }), []);
});

test('an ACPI driver\'s .add and .remove are its probe and remove; hrtimer_restart() arms an hrtimer', async () => {
  const driver = (remove: string): string =>
    `struct wl { struct workqueue_struct *wq; struct work_struct w; struct hrtimer t; };\n` +
    `static void wl_work(struct work_struct *w) { }\n` +
    `static int wl_read(struct wl *d) { hrtimer_restart(&d->t); queue_work(d->wq, &d->w); return 0; }\n` +
    `static int wl_add(struct acpi_device *adev)\n{\n\tstruct wl *d = devm_kzalloc(&adev->dev, sizeof(*d), GFP_KERNEL);\n\n` +
    `\tif (!d)\n\t\treturn -ENOMEM;\n\td->wq = create_singlethread_workqueue("wl");\n\tif (!d->wq)\n\t\treturn -ENOMEM;\n` +
    `\tINIT_WORK(&d->w, wl_work);\n\thrtimer_init(&d->t, CLOCK_MONOTONIC, HRTIMER_MODE_REL);\n\tadev->driver_data = d;\n\treturn 0;\n}\n` +
    `static int wl_remove(struct acpi_device *adev)\n{\n\tstruct wl *d = acpi_driver_data(adev);\n\n${remove}\n\treturn 0;\n}\n` +
    `static struct acpi_driver wl_driver = {\n\t.name = "wl",\n\t.ops = {\n\t\t.add = wl_add,\n\t\t.remove = wl_remove,\n\t},\n};\nmodule_acpi_driver(wl_driver);\n`;
  // The workqueue made in .add, the work queued on it and the hrtimer armed at run time: .remove must undo them.
  assert.equal((await linesOf({ 'wl.c': driver('\tdev_info(&adev->dev, "bye\\n");') })).length, 3);
  assert.deepEqual(await linesOf({ 'wl.c': driver('\thrtimer_cancel(&d->t);\n\tdestroy_workqueue(d->wq);') }), []);
});

test('a timer on the stack of a helper of probe, deleted once its wait is over, is armed on no error path of probe', async () => {
  const text =
    `struct cx { struct urb *urb; struct completion done; };\nstruct cx_timer { struct timer_list timer; struct urb *urb; };\n` +
    `static void cx_kill(struct timer_list *t) { }\n` +
    `static int cx_wait(struct cx *c)\n{\n\tstruct cx_timer timer = { .urb = c->urb };\n\n\ttimer_setup_on_stack(&timer.timer, cx_kill, 0);\n` +
    `\tmod_timer(&timer.timer, jiffies + HZ);\n\twait_for_completion(&c->done);\n\tdel_timer_sync(&timer.timer);\n\tdestroy_timer_on_stack(&timer.timer);\n\treturn c->urb->status;\n}\n` +
    `static int cx_cmd(struct cx *c)\n{\n\tint ret = cx_wait(c);\n\n\tif (ret < 0)\n\t\tgoto fail;\n\treturn 0;\nfail:\n\treturn ret;\n}\n` +
    `static int cx_probe(struct usb_interface *intf, const struct usb_device_id *id)\n{\n\tstruct cx *c = kzalloc(sizeof(*c), GFP_KERNEL);\n\n\tif (!c)\n\t\treturn -ENOMEM;\n\treturn cx_cmd(c);\n}\n` +
    `static void cx_disconnect(struct usb_interface *intf) { }\n` +
    `static struct usb_driver cx_driver = { .name = "cx", .probe = cx_probe, .disconnect = cx_disconnect };\nmodule_usb_driver(cx_driver);\n`;
  assert.deepEqual(await linesOf({ 'cx.c': text }), []);
  // Without the del_timer_sync() the helper's error return does leave it armed.
  assert.ok((await linesOf({ 'cx.c': text.replace('\tdel_timer_sync(&timer.timer);\n', '') })).length > 0);
});

test('a global freed in module_exit before the timer whose callback reads it is stopped: an order bug, at the free', async () => {
  const text = (exit: string): string =>
    `static struct timer_list sw_timer;\nstatic int *events;\n` +
    `static void sw_timeout(struct timer_list *t)\n{\n\tevents[0]++;\n}\n` +
    `static int __init sw_init(void)\n{\n\tevents = kzalloc(64, GFP_KERNEL);\n\tif (!events)\n\t\treturn -ENOMEM;\n\ttimer_setup(&sw_timer, sw_timeout, 0);\n\tmod_timer(&sw_timer, jiffies + HZ);\n\treturn 0;\n}\n` +
    `static void __exit sw_exit(void)\n{\n${exit}\n}\nmodule_init(sw_init);\nmodule_exit(sw_exit);\n`;
  assert.deepEqual(await linesOf({ 'sw.c': text('\tkfree(events);\n\tdel_timer_sync(&sw_timer);') }), [18]);
  assert.deepEqual(await linesOf({ 'sw.c': text('\tdel_timer_sync(&sw_timer);\n\tkfree(events);') }), []);
});

test('`ret = 0; goto label` after a failed step is probe succeeding with the device kept disabled, not an error return', async () => {
  const text = readFileSync(join(DIR, 'probe_error_path.c'), 'utf8');
  const kept = text.replace(/(\tif \([^\n]*\)\n)(\t\tgoto err_irq;)/, '$1\t{\n\t\tret = 0;\n$2\n\t}');
  assert.notEqual(kept, text, 'the fixture has the goto to rewrite');
  assert.deepEqual(await linesOf({ 'p.c': kept }), []);
  assert.deepEqual(await linesOf({ 'p.c': text }), [54]);
});

/** The 1-based line of the first line of `text` that contains `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `the text has ${needle}`);
  return i + 1;
}

test('two work items reached from one variable are two objects: destroying the queue of one does not cancel the other', async () => {
  const text = (remove: string): string =>
    [
      'struct dm_ir { struct work_struct work; int code; };',
      'struct dm { struct dm_ir ir; struct work_struct work; struct workqueue_struct *wq; };',
      'static void dm_key(struct work_struct *w) { }',
      'static void dm_buf(struct work_struct *w) { }',
      'static irqreturn_t dm_irq(int irq, void *dev_id)',
      '{',
      '\tstruct dm *dev = dev_id;',
      '\tqueue_work(dev->wq, &dev->work);',
      '\tschedule_work(&dev->ir.work);',
      '\treturn IRQ_HANDLED;',
      '}',
      'static void dm_ir_init(struct dm *d) { INIT_WORK(&d->ir.work, dm_key); }',
      'static int dm_probe(struct pci_dev *pdev, const struct pci_device_id *id)',
      '{',
      '\tstruct dm *dev = kzalloc(sizeof(*dev), GFP_KERNEL);',
      '\tif (!dev)',
      '\t\treturn -ENOMEM;',
      '\tdm_ir_init(dev);',
      '\tINIT_WORK(&dev->work, dm_buf);',
      '\tdev->wq = create_singlethread_workqueue("dm");',
      '\tpci_set_drvdata(pdev, dev);',
      '\treturn request_irq(pdev->irq, dm_irq, IRQF_SHARED, "dm", dev);',
      '}',
      'static void dm_remove(struct pci_dev *pdev)',
      '{',
      '\tstruct dm *dev = pci_get_drvdata(pdev);',
      remove,
      '\tfree_irq(pdev->irq, dev);',
      '\tdestroy_workqueue(dev->wq);',
      '\tkfree(dev);',
      '}',
      'static struct pci_driver dm_driver = { .probe = dm_probe, .remove = dm_remove };',
      'module_pci_driver(dm_driver);',
      '',
    ].join('\n');
  const bad = text('');
  assert.deepEqual(await linesOf({ 'dm.c': bad }), [lineOf(bad, 'schedule_work(&dev->ir.work)')]);
  assert.deepEqual(await linesOf({ 'dm.c': text('\tcancel_work_sync(&dev->ir.work);') }), []);
  // The cancel of the other one is not this one's.
  assert.deepEqual(await linesOf({ 'dm.c': text('\tcancel_work_sync(&dev->work);') }), [lineOf(bad, 'schedule_work(&dev->ir.work)')]);
});

/** A driver whose watchdog timer is armed when a job starts, with `stop` in the job's end and `extra` elsewhere. */
function watchdogDriver(opts: { stop: 'irq' | 'op' | 'suspend'; waits?: boolean }): string {
  return [
    'struct wd { struct timer_list timer; struct completion done; };',
    'static void wd_timeout(struct timer_list *t) { }',
    `static irqreturn_t wd_irq(int irq, void *data)`,
    '{',
    '\tstruct wd *w = data;',
    opts.stop === 'irq' ? '\tdel_timer(&w->timer);' : '',
    '\tcomplete(&w->done);',
    '\treturn IRQ_HANDLED;',
    '}',
    'static int wd_run(struct wd *w)',
    '{',
    '\tmod_timer(&w->timer, jiffies + HZ);',
    opts.waits ? '\twait_for_completion(&w->done);' : '',
    '\treturn 0;',
    '}',
    `static void wd_stop(struct wd *w) { ${opts.stop === 'op' ? 'del_timer_sync(&w->timer);' : ''} }`,
    `static int wd_suspend(struct device *dev) { struct wd *w = dev_get_drvdata(dev); ${opts.stop === 'suspend' ? 'del_timer_sync(&w->timer);' : ''} return 0; }`,
    'static int wd_resume(struct device *dev) { return 0; }',
    'static SIMPLE_DEV_PM_OPS(wd_pm, wd_suspend, wd_resume);',
    'static const struct wd_ops wd_job_ops = { .run = wd_run, .stop = wd_stop };',
    'static int wd_probe(struct platform_device *pdev)',
    '{',
    '\tstruct wd *w = devm_kzalloc(&pdev->dev, sizeof(*w), GFP_KERNEL);',
    '\tif (!w)',
    '\t\treturn -ENOMEM;',
    '\ttimer_setup(&w->timer, wd_timeout, 0);',
    '\tinit_completion(&w->done);',
    '\treturn devm_request_irq(&pdev->dev, 1, wd_irq, 0, "wd", w);',
    '}',
    'static int wd_remove(struct platform_device *pdev) { return 0; }',
    'static struct platform_driver wd_drv = { .probe = wd_probe, .remove = wd_remove, .driver = { .pm = &wd_pm } };',
    'module_platform_driver(wd_drv);',
    '',
  ].join('\n');
}

test('a timer armed at run time: cancelled by the core\'s stop op it is bounded; by a suspend callback, or only by the IRQ that ends a job nobody waits for, remove must stop it', async () => {
  const arm = (t: string): number[] => [lineOf(t, 'mod_timer(')];
  assert.deepEqual(await linesOf({ 'wd.c': watchdogDriver({ stop: 'op' }) }), []);
  // The transfer waits for its end, whose IRQ deletes the timer: no transfer is left when remove runs.
  assert.deepEqual(await linesOf({ 'wd.c': watchdogDriver({ stop: 'irq', waits: true }) }), []);
  const irq = watchdogDriver({ stop: 'irq' });
  assert.deepEqual(await linesOf({ 'wd.c': irq }), arm(irq));
  const suspend = watchdogDriver({ stop: 'suspend' });
  assert.deepEqual(await linesOf({ 'wd.c': suspend }), arm(suspend));
});

test('the files the Makefile builds into one module are one program: work armed by an op of another file is the probe\'s to cancel in remove', async () => {
  const main = [
    'struct vd { struct delayed_work watchdog; };',
    'static void vd_watchdog(struct work_struct *w) { }',
    'static int vd_probe(struct platform_device *pdev)',
    '{',
    '\tstruct vd *v = devm_kzalloc(&pdev->dev, sizeof(*v), GFP_KERNEL);',
    '\tif (!v)',
    '\t\treturn -ENOMEM;',
    '\tINIT_DELAYED_WORK(&v->watchdog, vd_watchdog);',
    '\treturn 0;',
    '}',
    'static int vd_remove(struct platform_device *pdev) { return 0; }',
    'static struct platform_driver vd_drv = { .probe = vd_probe, .remove = vd_remove };',
    'module_platform_driver(vd_drv);',
    '',
  ].join('\n');
  const codec = 'struct vd { struct delayed_work watchdog; };\nstatic int vd_h264_run(struct vd *v)\n{\n\tschedule_delayed_work(&v->watchdog, HZ);\n\treturn 0;\n}\nconst struct vd_codec_ops vd_h264_ops = { .run = vd_h264_run };\n';
  assert.deepEqual(await linesOf({ 'vd.c': main, 'vd-h264.c': codec }), [], 'two modules of one directory: the codec file is not the driver\'s');
  const lines = await linesOf({ 'vd.c': main, 'vd-h264.c': codec, Makefile: 'obj-m += vdec.o\nvdec-y += vd.o vd-h264.o\n' });
  assert.deepEqual(lines, [4]);
});

test('an entry whose siblings a helper of remove undoes is reported in that helper, beside them', async () => {
  const text = (undo: string): string =>
    [
      'static DEVICE_ATTR(atrim, S_IRUGO, atrim_show, NULL);',
      'static DEVICE_ATTR(dtrim, S_IRUGO, dtrim_show, NULL);',
      'static int xr_sysfs_register(struct device *dev)',
      '{',
      '\tint err = device_create_file(dev, &dev_attr_atrim);',
      '\tif (err)',
      '\t\treturn err;',
      '\terr = device_create_file(dev, &dev_attr_dtrim);',
      '\tif (err)',
      '\t\tdevice_remove_file(dev, &dev_attr_atrim);',
      '\treturn err;',
      '}',
      'static void xr_sysfs_unregister(struct device *dev)',
      '{',
      '\tdevice_remove_file(dev, &dev_attr_atrim);',
      undo,
      '}',
      'static int xr_probe(struct i2c_client *client) { return xr_sysfs_register(&client->dev); }',
      'static void xr_remove(struct i2c_client *client) { xr_sysfs_unregister(&client->dev); }',
      'static struct i2c_driver xr_driver = { .probe_new = xr_probe, .remove = xr_remove };',
      'module_i2c_driver(xr_driver);',
      '',
    ].join('\n');
  const dir = mkdtempSync(join(tmpdir(), 'kt-teardown-'));
  try {
    writeFileSync(join(dir, 'xr.c'), text(''));
    const [f, ...more] = (await teardownFindings(dir)).findings;
    assert.equal(more.length, 0);
    assert.equal(f.function, 'xr_sysfs_unregister');
    assert.match(f.help.en, /in xr_sysfs_unregister\(\)/);
    writeFileSync(join(dir, 'xr.c'), text('\tdevice_remove_file(dev, &dev_attr_dtrim);'));
    assert.deepEqual((await teardownFindings(dir)).findings, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
