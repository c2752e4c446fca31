// Traditional Chinese output: every Chinese text the tool prints converts, and no character with several forms is left to chance.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { AMBIGUOUS, CHARACTERS } from '../src/render/hant-table';
import { phraseCoverage, toHant } from '../src/render/hant';
import { langOf, pickOutLang } from '../src/render/i18n';
import { chineseTexts } from './support/zh-texts';
import { REPO } from './support/shared';

/**
 * Characters with several Traditional forms whose default form was checked to be the right one
 * wherever the tool's texts use them outside a phrase of the table (each with the reason).
 */
const REVIEWED: Record<string, string> = {
  后: '後: "after" (解码后, 释放后); the other form is "queen"',
  了: '了: the particle; 瞭 only in 了解-like words',
  果: '果: 如果, 结果',
  着: '著: the particle (带着, 意味着), Taiwan form',
  个: '個: the measure word',
  泄: '泄: 泄漏 is written so in Taiwan too',
  链: '鏈: 调用链, 通知链 (chains, not 鍊 "to refine")',
  回: '回: 回调 (callback), 返回; 迴 is "to circle"',
  并: '並: the conjunction (并且, 并确保); 併 is "to merge" (合并 is a phrase)',
  迹: '跡: 迹象',
  象: '象: 对象 (object), 迹象',
  当: '當: 当...时, 当内核',
  里: '裡: "in" (字段里, 中断里)',
  巨: '巨: 巨大',
  局: '局: 局部, 全局',
  修: '修: 修复, 修法',
  拿: '拿: 拿了这把锁',
  闲: '閒: 空闲',
  污: '汙: 污染 (taint), Taiwan form',
  于: '於: 位于, 发生于',
  板: '板: 板卡 (boards)',
  占: '佔: 占内存, 占用',
  表: '表: 页表 (page table); 錶 is a watch',
  据: '據: 根据, 据日志',
  只: '只: "only"; 隻 is the measure word for animals',
  适: '適: 适配器 (adapter), 合适',
  种: '種: the measure word (三种, 一种)',
  面: '面: 后面, 页面 (not 麵, noodles)',
  向: '向: "towards", 向核心注册',
  具: '具: 具体 (not 俱)',
  录: '錄: 记录',
};

const simplified = new Set<string>();
for (let i = 0; i + 1 < CHARACTERS.length; i += 2) simplified.add(CHARACTERS[i]);
const ambiguous = new Map(AMBIGUOUS.map((e) => [e[0], e.slice(1)]));

test('every Simplified character of the rules\' texts, labels and analyses in Chinese has its Traditional form', async () => {
  const left = new Map<string, string>();
  for (const text of await chineseTexts()) {
    // Outside the table's phrases (a phrase may keep a character as it is: 上游, 平台) every character converts.
    const covered = phraseCoverage(text);
    for (let i = 0; i < text.length; i++) if (!covered[i] && simplified.has(toHant(text[i]))) left.set(text[i], text.slice(Math.max(0, i - 6), i + 6));
  }
  assert.deepEqual([...left], [], 'characters left in Simplified form');
});

test('a character with several Traditional forms is converted by a phrase of the table or was reviewed', async () => {
  const unsure = new Map<string, string>();
  for (const text of await chineseTexts()) {
    const covered = phraseCoverage(text);
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (ambiguous.has(c) && !covered[i] && !(c in REVIEWED)) unsure.set(`${c} (${ambiguous.get(c)})`, text.slice(Math.max(0, i - 6), i + 6));
    }
  }
  assert.deepEqual([...unsure], [], 'add the phrase to the table (scripts/hant/make-table.js) or review the character');
});

test('Traditional Chinese is chosen by --lang zh-Hant, zh-TW, zh-HK and by LANG=zh_TW / zh_HK', () => {
  for (const v of ['zh-Hant', 'zh-TW', 'zh-HK', 'zh_TW.UTF-8', 'zh_HK.Big5', 'zh-Hant-TW']) assert.equal(langOf(v), 'zh-Hant', v);
  for (const v of ['zh', 'zh-CN', 'zh_CN.UTF-8', 'zh-Hans', 'zh_SG']) assert.equal(langOf(v), 'zh', v);
  assert.equal(pickOutLang(undefined, { LANG: 'zh_TW.UTF-8' }), 'zh-Hant');
  assert.equal(pickOutLang(undefined, { LANG: 'zh_HK.UTF-8' }), 'zh-Hant');
  assert.equal(pickOutLang(undefined, { LANG: 'de_DE.UTF-8' }), 'en');
  assert.equal(toHant('内核调用栈与系统日志：释放后使用，并带着计数返回'), '內核調用棧與系統日誌：釋放後使用，並帶著計數返回');
  assert.equal(toHant('布局里根本没有'), '佈局裡根本沒有', 'a name in the phrase table does not swallow two words');
});

test('ktriage explain and analyze print Traditional Chinese with --lang zh-TW, the quoted log lines unchanged', () => {
  const BIN = join(REPO, 'bin', 'ktriage');
  const ex = spawnSync(BIN, ['explain', 'KT-bh-leak-return-to-user', '--lang', 'zh-TW'], { encoding: 'utf8' });
  assert.equal(ex.status, 0, ex.stderr);
  assert.match(ex.stdout, /軟中斷/);
  assert.doesNotMatch(ex.stdout, /软中断/);
  const log = join(REPO, 'test', 'fixtures', 'qemu', 'bhleak.log');
  const an = spawnSync(BIN, ['analyze', '--format', 'json', log], { encoding: 'utf8', env: { ...process.env, LANG: 'zh_HK.UTF-8', LC_ALL: '' } });
  assert.equal(an.status, 0, an.stderr);
  const j = JSON.parse(an.stdout) as { findings: Array<{ summary: string; evidence: Array<{ text: string; note: string }> }> };
  assert.match(j.findings[0].summary, /返回了用戶態/);
  assert.ok(j.findings[0].evidence.some((e) => e.text.includes('scheduling while atomic')), 'log lines are quoted as they are');
  const text = spawnSync(BIN, ['analyze', '--lang', 'zh-Hant', log], { encoding: 'utf8' });
  assert.match(text.stdout, /診斷結論/);
  assert.match(text.stdout, /內核: 6\.1\.0-56-amd64/);
});
