import type { InputHTMLAttributes } from 'react';

/** A one-line input for machine words (a command line, a path, a URL, a branch): monospace, never autocompleted or spell-checked. */
export function MachineInput({ className, ...props }: InputHTMLAttributes<HTMLInputElement>) {
  return <input type="text" autoComplete="off" spellCheck={false} {...props} className={`control mono${className ? ` ${className}` : ''}`} />;
}
