// Recognises the `crash> CMD` prompts of a paste, through the bullets and stray marks web pages leave.

/** A prompt line split into its command, verb and arguments. */
export interface CrashPromptLine {
  command: string;
  verb: string;
  args: string;
}

// Bullets, quote marks and the `?` a page left for a non-breaking space may stand before the prompt.
const PROMPT = /^[\s•·*?>-]{0,16}crash(?:64)?>[ ?]{0,4}(.{0,2000})$/;
const VERB = /^([A-Za-z_!][A-Za-z0-9_.-]{0,63}|!)/;

/** The command of a prompt line, or null when the line is no prompt. */
export function readPrompt(text: string): CrashPromptLine | null {
  const m = PROMPT.exec(text);
  if (!m) return null;
  const command = m[1].trim();
  const verb = VERB.exec(command)?.[1] ?? '';
  // Options come before a pipe or a redirection: `ps -m | grep UN`.
  const args = command.slice(verb.length).split(/[|>]/, 1)[0].trim();
  return { command, verb, args };
}
