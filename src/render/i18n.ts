// Labels of the rendered output in each language the tool speaks.

export type Lang = 'en' | 'zh';

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
  why: { en: 'Why', zh: '原因分析' },
  nextSteps: { en: 'Next steps', zh: '下一步' },
  diagnosis: { en: 'Diagnosis', zh: '诊断结论' },
  noFinding: { en: 'No diagnosis: nothing in this input matches a rule.', zh: '无诊断结论：输入中没有内容匹配任何规则。' },
  details: { en: 'Reports', zh: '报告详情' },
} as const;

export type Label = keyof typeof LABELS;

export function t(lang: Lang, label: Label): string {
  return LABELS[label][lang];
}

/** The language from --lang, else from LANG/LC_ALL/LC_MESSAGES, else English. */
export function pickLang(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Lang {
  if (flag === 'zh' || flag === 'en') return flag;
  const loc = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^zh/i.test(loc) ? 'zh' : 'en';
}

export const LANGS: readonly Lang[] = ['en', 'zh'];
