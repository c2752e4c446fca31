// Labels of the rendered output in each language the tool speaks, and the choice of language.

import { toHant } from './hant';

/** The languages the rules write: English and (Simplified) Chinese. */
export type Lang = 'en' | 'zh';
/** The languages of the output: Traditional Chinese is converted from the Simplified texts at render time. */
export type OutLang = Lang | 'zh-Hant';

/** The language the rules are asked for, for an output language. */
export function ruleLang(lang: OutLang): Lang {
  return lang === 'en' ? 'en' : 'zh';
}

/** One of a pair of texts in the output language. */
export function pick(text: { en: string; zh: string }, lang: OutLang): string {
  if (lang === 'en') return text.en;
  return lang === 'zh-Hant' ? toHant(text.zh) : text.zh;
}

/** A Simplified Chinese text in the output language (unchanged unless Traditional is asked for). */
export function script(text: string, lang: OutLang): string {
  return lang === 'zh-Hant' ? toHant(text) : text;
}

const LABELS = {
  noReport: { en: 'No crash report found.', zh: '未发现内核崩溃报告。' },
  lines: { en: 'lines', zh: '行' },
  kernel: { en: 'Kernel', zh: '内核' },
  unknown: { en: 'unknown', zh: '未知' },
  taint: { en: 'taint', zh: '污染标记' },
  notTainted: { en: 'not tainted', zh: '未污染' },
  report: { en: 'Report', zh: '报告' },
  of: { en: 'of', zh: '/' },
  type: { en: 'type', zh: '类型' },
  corrupted: { en: 'corrupted', zh: '报告不完整' },
  guiltyFrame: { en: 'guilty frame', zh: '嫌疑函数' },
  guiltyFile: { en: 'guilty file', zh: '嫌疑源文件' },
  task: { en: 'task', zh: '任务' },
  onCpu: { en: 'on CPU', zh: 'CPU' },
  hardware: { en: 'hardware', zh: '硬件' },
  ip: { en: 'faulting IP', zh: '出错指令地址' },
  instruction: { en: 'faulting instruction', zh: '出错指令' },
  modules: { en: 'modules', zh: '模块' },
  lastUnloaded: { en: 'last unloaded', zh: '最后卸载' },
  trace: { en: 'call trace', zh: '调用栈' },
  unreliable: { en: 'unreliable', zh: '不可靠' },
  exceptionAt: { en: 'exception at', zh: '异常发生于' },
  backtraces: { en: 'Backtraces outside any report', zh: '报告之外的调用栈' },
  machine: { en: 'The machine (every CPU the input shows)', zh: '整机状态（输入中出现的每个 CPU）' },
  investigation: { en: 'Investigation in the dump (crash, the findings\' next steps)', zh: '在 dump 中的调查（crash，按诊断的下一步执行）' },
  round: { en: 'round', zh: '轮次' },
  answerLine: { en: 'line', zh: '行' },
  moreAnswer: { en: 'more lines', zh: '行未显示' },
  machineCpu: { en: 'CPU', zh: 'CPU' },
  machineTask: { en: 'task', zh: '任务' },
  machineContexts: { en: 'contexts (outermost first)', zh: '上下文（由外到内）' },
  machineDoing: { en: 'doing', zh: '在做什么' },
  machineLock: { en: 'lock', zh: '锁' },
  machineWaiters: { en: 'waited for by', zh: '等待者' },
  machineHolders: { en: 'held by', zh: '持有者' },
  machineWaitsCol: { en: 'waits for', zh: '等待' },
  machineWaitsFor: { en: 'Wait-for', zh: '等待链' },
  machineEdge: { en: '{w} waits for {l} held by {h}', zh: '{w} 在等 {h} 持有的 {l}' },
  machineEdgeSignal: { en: '{w} waits for {h} to finish ({l})', zh: '{w} 在等 {h} 完成（{l}）' },
  machineCycle: { en: 'Deadlock ring', zh: '死锁环' },
  machineBlocked: { en: 'blocked task', zh: '阻塞任务' },
  machineRcu: { en: 'RCU grace period held up by', zh: 'RCU 宽限期被拖住' },
  machineWork: { en: 'work in flight', zh: '正在执行的工作项' },
  machineNoHolder: { en: 'holder not shown', zh: '持有者未知' },
  notes: { en: 'note', zh: '说明' },
  line: { en: 'line', zh: '行' },
  findings: { en: 'Findings', zh: '诊断' },
  ctx_task: { en: 'task context', zh: '进程上下文' },
  ctx_irq: { en: 'hard IRQ', zh: '硬中断' },
  ctx_softirq: { en: 'softirq', zh: '软中断' },
  ctx_nmi: { en: 'NMI', zh: 'NMI' },
  ctx_exception: { en: 'exception', zh: '异常' },
  ctx_unknown: { en: 'unknown context', zh: '未知上下文' },
  more: { en: 'more', zh: '更多' },
  culprit: { en: 'culprit', zh: '嫌疑' },
  confidence: { en: 'confidence', zh: '置信度' },
  evidence: { en: 'Evidence', zh: '证据' },
  inSource: { en: 'In the source', zh: '源码中' },
  candidate: { en: 'a candidate: of the crash\'s kind, in a function the crash does not name', zh: '候选：与崩溃同类，但不在崩溃所涉及的函数中' },
  definedAt: { en: 'is defined at', zh: '定义于' },
  noSourceFinding: { en: 'no check finding there explains this crash', zh: '源码检查没有发现能解释此次崩溃的问题' },
  why: { en: 'Why', zh: '原因分析' },
  nextSteps: { en: 'Next steps', zh: '下一步' },
  diagnosis: { en: 'Diagnosis', zh: '诊断结论' },
  noFinding: { en: 'No diagnosis: nothing in this input matches a rule.', zh: '无诊断结论：输入中没有内容匹配任何规则。' },
  details: { en: 'Reports', zh: '报告详情' },
  repeated: { en: 'x', zh: '共' },
  times: { en: '', zh: '次' },
  lineRange: { en: 'lines', zh: '行' },
  cpus: { en: 'CPUs', zh: 'CPU' },
  tasks: { en: 'tasks', zh: '任务' },
  andOthers: { en: 'and others', zh: '等' },
  sameTitleAs: { en: 'same title as report', zh: '与报告标题相同：报告' },
  notRepeated: { en: 'its details are not repeated', zh: '细节不再重复' },
  moreReports: { en: 'more reports, counted by title (every one is listed by --format json)', zh: '个报告未逐一列出，按标题计数如下（--format json 列出全部报告）' },
  moreTitles: { en: 'more titles', zh: '个其他标题' },
  otherTitles: { en: '(other titles)', zh: '（其他标题）' },
  eraInferred: { en: 'inferred from the trace format', zh: '根据日志格式推断' },
  releaseUnknown: { en: 'release not printed', zh: '未打印版本号' },
  contents: { en: 'Inputs', zh: '输入' },
  noReportShort: { en: 'no crash report', zh: '无崩溃报告' },
  reportsShort: { en: 'reports', zh: '个报告' },
} as const;

export type Label = keyof typeof LABELS;

/** Every label in one language (for checks over all the output's texts). */
export function allLabels(lang: Lang): string[] {
  return Object.values(LABELS).map((l) => l[lang]);
}

export function t(lang: OutLang, label: Label): string {
  return pick(LABELS[label], lang);
}

/**
 * The output language for a `--lang` value or a locale name (`zh_TW.UTF-8`, `zh-Hant`, `en_US`):
 * Traditional Chinese for the Hant script and for Taiwan, Hong Kong and Macau, Simplified for
 * other Chinese, English otherwise; null when the value names no language we speak.
 */
export function langOf(value: string): OutLang | null {
  const v = value.trim().replace(/[.@].*$/, '').replace(/_/g, '-').toLowerCase();
  if (v === 'en' || v.startsWith('en-') || v === 'c' || v === 'posix') return 'en';
  if (v !== 'zh' && !v.startsWith('zh-')) return null;
  if (/^zh-(?:hant|tw|hk|mo)(?:-|$)/.test(v)) return 'zh-Hant';
  return 'zh';
}

/** The output language from --lang, else from LC_ALL/LC_MESSAGES/LANG, else English. */
export function pickOutLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): OutLang {
  if (flag) return langOf(flag) ?? 'en';
  return langOf(env.LC_ALL || env.LC_MESSAGES || env.LANG || '') ?? 'en';
}

/** The language of the rules' texts for --lang or the locale (Chinese of either script reads the Chinese texts). */
export function pickLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  return ruleLang(pickOutLang(flag, env));
}

/** The `--lang` values the command line accepts. */
export const LANG_CHOICES: readonly string[] = ['en', 'zh', 'zh-Hans', 'zh-CN', 'zh-Hant', 'zh-TW', 'zh-HK'];

export const LANGS: readonly OutLang[] = ['en', 'zh', 'zh-Hant'];
