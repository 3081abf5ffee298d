import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type BreakGlassEnv,
  envVariables,
  formatSeedTimestamp,
  renderEnvExport,
  renderEnvInactive,
  shellQuote,
} from '../../app/envExport';

const NAMES = [
  'GOVERNED_BREAK_GLASS',
  'BREAK_GLASS_REASON',
  'BREAK_GLASS_TIMESTAMP',
  'BREAK_GLASS_INCIDENT_ID',
  'BREAK_GLASS_OPERATOR',
  'BREAK_GLASS_ENVIRONMENT',
  'BREAK_GLASS_TRIGGER',
  'BREAK_GLASS_EXPIRES_AT',
  'BREAK_GLASS_SESSION_ID',
  'BREAK_GLASS_EVIDENCE_COMMIT',
];

const BASE: BreakGlassEnv = {
  reason: 'Terraform state lock held by a dead CI runner; production deploy blocked.',
  timestamp: new Date('2026-11-28T09:48:26.731Z'),
  incidentId: 'INC-12345',
  operator: 'Ada Lovelace <ada@example.com>',
  environment: 'production',
  trigger: 'backend-lock-integrity',
  expiresAt: new Date('2026-11-28T10:18:26Z'),
  sessionId: '0b6f3c1e-8d2a-4c7e-9f10-2a3b4c5d6e7f',
  evidenceCommit: '3f786850e387550fdab836ed7e6dc881de23001b',
};

// Every command below runs with this directory as cwd, so a relative `touch pwned`
// that escaped its quotes would leave the marker here.
const workdir = mkdtempSync(join(tmpdir(), 'bg-envexport-'));
const marker = join(workdir, 'pwned');
afterAll(() => rmSync(workdir, { recursive: true, force: true }));
beforeEach(() => rmSync(marker, { force: true }));

const SHELLS: Array<{ name: string; bin: string; present: boolean }> = [
  { name: 'bash', bin: 'bash', present: spawnSync('bash', ['-c', 'true']).status === 0 },
  { name: 'sh (dash)', bin: '/bin/sh', present: existsSync('/bin/sh') },
];

// The caller's environment (as an operator's shell would have), minus the variables that
// make a non-interactive shell run a startup file, so the test runs only what it says.
function shellEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env['BASH_ENV'];
  delete env['ENV'];
  return env;
}

/** Runs `eval "$BLOCK"; <script>` in the given shell, the block passed through the environment, and returns stdout bytes. */
function evalBlock(bin: string, block: string, script: string): Buffer {
  const r = spawnSync(bin, ['-c', `eval "$BLOCK"; ${script}`], { cwd: workdir, env: shellEnv({ BLOCK: block }) });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${bin} exited ${String(r.status)}: ${r.stderr.toString()}`);
  return r.stdout;
}

const HOSTILE_REASONS: Array<[string, string]> = [
  ['single quotes', "it's the operator's call, isn't it'"],
  ['only a single quote', "'"],
  ['quote-escape attempt', `'; touch ${marker}; echo '`],
  ['double quotes', 'the "lock" is "stale"'],
  ['double-quote escape attempt', `"; touch ${marker}; echo "`],
  ['command substitution', `$(touch ${marker})`],
  ['command substitution from the brief', '$(touch /tmp/pwned) and $(touch pwned)'],
  ['backticks', `\`touch ${marker}\` and \`touch pwned\``],
  ['variable expansion', '$HOME ${HOME} ${PATH:-x} $((1+1)) $0 $@ $$'],
  ['newlines', `line one\nline two\n\nexport GOVERNED_BREAK_GLASS=false\ntouch ${marker}\n`],
  ['carriage return and tabs', 'col1\tcol2\r\ncol3\t'],
  ['backslashes', 'C:\\temp\\new \\n \\\\ \\\' \\'],
  ['non-ASCII', 'café déjà vu, 日本語の理由, emoji 🔥🚒 and ZWJ 👩‍🚒'],
  ['leading dashes', '-n -e --help'],
  ['only dashes', '--'],
  ['shell operators', '; && || | > /dev/null < x & ! # comment { } ( ) [ ] * ? ~'],
  ['heredoc-looking', "<<'EOF'\nEOF\n"],
  ['percent signs (printf format)', '%s %d %n %%'],
  ['control characters', '\u0001\u0007\u001b[31mred\u001b[0m\u007f'],
  ['empty string', ''],
  ['spaces only', '   '],
];

describe('formatSeedTimestamp', () => {
  it('is UTC, seconds precision, Z suffix, milliseconds truncated', () => {
    expect(formatSeedTimestamp(new Date('2026-11-28T09:48:26.999Z'))).toBe('2026-11-28T09:48:26Z');
    expect(formatSeedTimestamp(new Date('2026-11-28T11:48:26+02:00'))).toBe('2026-11-28T09:48:26Z');
    expect(formatSeedTimestamp(new Date(0))).toBe('1970-01-01T00:00:00Z');
    expect(formatSeedTimestamp(new Date('2024-02-29T23:59:59.5Z'))).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  const gnuDate = spawnSync('date', ['-u', '-d', '@0', '+%Y-%m-%dT%H:%M:%SZ']).stdout?.toString().trim() === '1970-01-01T00:00:00Z';
  it.skipIf(!gnuDate)('matches `date -u +%Y-%m-%dT%H:%M:%SZ`', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253402300799 }), fc.integer({ min: 0, max: 999 }), (seconds, ms) => {
        const expected = spawnSync('date', ['-u', '-d', `@${seconds}`, '+%Y-%m-%dT%H:%M:%SZ']).stdout.toString().trim();
        expect(formatSeedTimestamp(new Date(seconds * 1000 + ms))).toBe(expected);
      }),
      { numRuns: 40 },
    );
  });

  it('refuses an invalid date and years the format cannot express', () => {
    expect(() => formatSeedTimestamp(new Date('not a date'))).toThrow(TypeError);
    expect(() => formatSeedTimestamp(new Date('+010000-01-01T00:00:00Z'))).toThrow(RangeError);
  });
});

describe('shellQuote', () => {
  it('single-quotes and writes each quote as \'\\\'\'', () => {
    expect(shellQuote('plain')).toBe("'plain'");
    expect(shellQuote('')).toBe("''");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it('refuses NUL with a TypeError that says why', () => {
    expect(() => shellQuote('a\0b')).toThrow(TypeError);
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });

  it('refuses an unpaired surrogate, which cannot reach the shell unchanged', () => {
    expect(() => shellQuote('x\uD800y')).toThrow(TypeError);
    expect(shellQuote('\uD83D\uDD25')).toBe("'🔥'");
  });
});

describe('renderEnvExport', () => {
  it('renders the ten variables, in order, as export lines', () => {
    expect(renderEnvExport(BASE)).toBe(
      [
        'export GOVERNED_BREAK_GLASS=true',
        "export BREAK_GLASS_REASON='Terraform state lock held by a dead CI runner; production deploy blocked.'",
        "export BREAK_GLASS_TIMESTAMP='2026-11-28T09:48:26Z'",
        "export BREAK_GLASS_INCIDENT_ID='INC-12345'",
        "export BREAK_GLASS_OPERATOR='Ada Lovelace <ada@example.com>'",
        "export BREAK_GLASS_ENVIRONMENT='production'",
        "export BREAK_GLASS_TRIGGER='backend-lock-integrity'",
        "export BREAK_GLASS_EXPIRES_AT='2026-11-28T10:18:26Z'",
        "export BREAK_GLASS_SESSION_ID='0b6f3c1e-8d2a-4c7e-9f10-2a3b4c5d6e7f'",
        "export BREAK_GLASS_EVIDENCE_COMMIT='3f786850e387550fdab836ed7e6dc881de23001b'",
        '',
      ].join('\n'),
    );
  });

  it('names the variables exactly and in procedure.md §4 order, one per line', () => {
    const block = renderEnvExport({ ...BASE, reason: 'multi\nline' });
    expect(block.endsWith('\n')).toBe(true);
    const names = [...block.matchAll(/^export ([A-Z_]+)=/gm)].map((m) => m[1]);
    expect(names).toEqual(NAMES);
    expect(Object.keys(envVariables(BASE))).toEqual(NAMES);
  });

  it('refuses a NUL in any field', () => {
    expect(() => renderEnvExport({ ...BASE, reason: 'stop\0here' })).toThrow(TypeError);
    expect(() => renderEnvExport({ ...BASE, operator: '\0' })).toThrow(/BREAK_GLASS_OPERATOR.*NUL/);
    expect(() => envVariables({ ...BASE, sessionId: 'a\0' })).toThrow(TypeError);
  });
});

describe('envVariables', () => {
  it('gives the same values unquoted', () => {
    expect(envVariables({ ...BASE, reason: "it's $(x)" })).toEqual({
      GOVERNED_BREAK_GLASS: 'true',
      BREAK_GLASS_REASON: "it's $(x)",
      BREAK_GLASS_TIMESTAMP: '2026-11-28T09:48:26Z',
      BREAK_GLASS_INCIDENT_ID: 'INC-12345',
      BREAK_GLASS_OPERATOR: 'Ada Lovelace <ada@example.com>',
      BREAK_GLASS_ENVIRONMENT: 'production',
      BREAK_GLASS_TRIGGER: 'backend-lock-integrity',
      BREAK_GLASS_EXPIRES_AT: '2026-11-28T10:18:26Z',
      BREAK_GLASS_SESSION_ID: '0b6f3c1e-8d2a-4c7e-9f10-2a3b4c5d6e7f',
      BREAK_GLASS_EVIDENCE_COMMIT: '3f786850e387550fdab836ed7e6dc881de23001b',
    });
  });
});

describe('renderEnvInactive', () => {
  it('is the single line that turns the flag off', () => {
    expect(renderEnvInactive()).toBe('export GOVERNED_BREAK_GLASS=false\n');
  });
});

for (const shell of SHELLS) {
  describe.skipIf(!shell.present)(`eval in ${shell.name}`, () => {
    it.each(HOSTILE_REASONS)('reason with %s comes back byte for byte and runs nothing', (_label, reason) => {
      const out = evalBlock(shell.bin, renderEnvExport({ ...BASE, reason }), 'printf %s "$BREAK_GLASS_REASON"');
      expect(out.equals(Buffer.from(reason, 'utf8'))).toBe(true);
      expect(existsSync(marker)).toBe(false);
      expect(readdirSync(workdir)).toEqual([]); // nothing created, not even a relative `pwned`
    });

    it('sets all ten variables to exactly envVariables()', () => {
      const env: BreakGlassEnv = { ...BASE, reason: "mixed 'q' \"d\" $(x) `y` \n é", operator: "O'Brien <ob@example.com>" };
      const out = evalBlock(shell.bin, renderEnvExport(env), `printf '%s\\0' ${NAMES.map((n) => `"$${n}"`).join(' ')}`);
      const values = out.toString('utf8').split('\0').slice(0, -1);
      expect(values).toEqual(Object.values(envVariables(env)));
      expect(values[0]).toBe('true');
    });

    it('exports the variables to child processes', () => {
      const out = evalBlock(shell.bin, renderEnvExport(BASE), `${shell.bin} -c 'printf %s "$BREAK_GLASS_INCIDENT_ID:$GOVERNED_BREAK_GLASS"'`);
      expect(out.toString()).toBe('INC-12345:true');
    });

    it('works when session.env is sourced as a file, and the inactive line turns the flag off', () => {
      const file = join(workdir, 'session.env');
      writeFileSync(file, renderEnvExport({ ...BASE, reason: `$(touch ${marker})'"` }));
      const r = spawnSync(shell.bin, ['-c', `. "$F"; printf '%s|' "$GOVERNED_BREAK_GLASS" "$BREAK_GLASS_REASON"`], {
        cwd: workdir,
        env: shellEnv({ F: file }),
      });
      expect(r.stdout.toString()).toBe(`true|$(touch ${marker})'"|`);
      writeFileSync(file, renderEnvInactive());
      const after = spawnSync(shell.bin, ['-c', `. "$F"; printf %s "$GOVERNED_BREAK_GLASS"`], { cwd: workdir, env: shellEnv({ F: file }) });
      expect(after.stdout.toString()).toBe('false');
      rmSync(file);
      expect(existsSync(marker)).toBe(false);
    });
  });
}

describe('eval property', () => {
  // Any code point except NUL (fast-check's 'binary' unit never yields a lone surrogate).
  const reasonArb = fc.string({ unit: 'binary', maxLength: 60 }).filter((s) => !s.includes('\0'));

  for (const shell of SHELLS) {
    it.skipIf(!shell.present)(`arbitrary unicode reasons survive eval in ${shell.name}`, () => {
      fc.assert(
        fc.property(reasonArb, (reason) => {
          const out = evalBlock(shell.bin, renderEnvExport({ ...BASE, reason }), 'printf %s "$BREAK_GLASS_REASON"');
          expect(out.equals(Buffer.from(reason, 'utf8'))).toBe(true);
        }),
        { numRuns: shell.bin === 'bash' ? 150 : 60 },
      );
      expect(readdirSync(workdir)).toEqual([]);
    });
  }

  it('shellQuote refuses exactly the strings containing NUL', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 20 }), (s) => {
        if (s.includes('\0')) expect(() => shellQuote(s)).toThrow(TypeError);
        else expect(shellQuote(s).startsWith("'")).toBe(true);
      }),
    );
  });
});
