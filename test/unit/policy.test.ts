import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY,
  defaultPolicyYaml,
  findEnvironment,
  formatPolicyProblems,
  matchIncidentPattern,
  parsePolicyYaml,
  policyToYaml,
  PolicySchema,
  type PolicyProblem,
} from '../../app/policy';

const DEFAULT_YAML = defaultPolicyYaml();

/** The 1-based line of the only line of `text` that contains `needle` (found in the text, not by the parser). */
function lineContaining(text: string, needle: string): number {
  const lines = text.split('\n');
  const hits = lines.flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  expect(hits, `"${needle}" should be on exactly one line`).toHaveLength(1);
  return hits[0]!;
}

/** The default policy YAML with one exact piece of text replaced (the piece must be there exactly once). */
function edited(from: string, to: string): string {
  expect(DEFAULT_YAML.split(from)).toHaveLength(2);
  return DEFAULT_YAML.replace(from, to);
}

function problemsOf(text: string, file?: string): PolicyProblem[] {
  const result = parsePolicyYaml(text, file);
  if (result.ok) throw new Error('expected the policy to be refused');
  return result.problems;
}

/** The one problem reported for `field`. */
function problemAt(text: string, field: string): PolicyProblem {
  const all = problemsOf(text);
  const at = all.filter((p) => p.field === field);
  expect(at, `expected one problem at "${field}", got ${JSON.stringify(all)}`).toHaveLength(1);
  return at[0]!;
}

describe('DEFAULT_POLICY (procedure.md, "The built-in default")', () => {
  const FIVE_SCOPES = ['diagnostics', 'state-lock', 'signing-keys', 'infrastructure-change', 'data-repair'];

  it('has the environments production and pre-production, each with the five scopes and no credential checks', () => {
    expect(DEFAULT_POLICY.environments.map((e) => e.id)).toEqual(['production', 'pre-production']);
    for (const env of DEFAULT_POLICY.environments) {
      expect(env.scopes.map((s) => s.id)).toEqual(FIVE_SCOPES);
      expect(env.credentialChecks).toEqual([]);
    }
  });

  it('describes the diagnostics scope as read-only', () => {
    expect(DEFAULT_POLICY.environments[0]!.scopes[0]!.description).toMatch(/read-only/i);
  });

  it('accepts ticket keys, pager IDs and alert URLs, with the patterns of the table', () => {
    expect(DEFAULT_POLICY.incidentIdPatterns.map((p) => p.pattern)).toEqual(['^[A-Z][A-Z0-9]+-[0-9]+$', '^P[A-Z0-9]{5,}$', '^https://\\S+$']);
  });

  it('gives for each incident pattern an example that the pattern itself accepts', () => {
    for (const p of DEFAULT_POLICY.incidentIdPatterns) {
      expect(new RegExp(p.pattern, 'u').test(p.example), `${p.name}: ${p.example}`).toBe(true);
    }
  });

  it('has the durations, caps, warnings and review window of the table', () => {
    expect(DEFAULT_POLICY.justificationMinLength).toBe(40);
    expect(DEFAULT_POLICY.duration).toEqual({ defaultMinutes: 30, maxMinutes: 60 });
    expect(DEFAULT_POLICY.extension).toEqual({ stepMinutes: 30, maxCount: 2, maxTotalMinutes: 4 * 60 });
    expect(DEFAULT_POLICY.warningMinutes).toEqual([10, 5, 1]);
    expect(DEFAULT_POLICY.reviewWindowDays).toBe(5);
  });

  it('does not let uid 0 declare, and an overdue review does not block the next declaration', () => {
    expect(DEFAULT_POLICY.allowRootOperator).toBe(false);
    expect(DEFAULT_POLICY.overdueReviewBlocksDeclaration).toBe(false);
  });

  it('adds no refused identities and requires no particular governed path', () => {
    expect(DEFAULT_POLICY.refusedIdentities).toEqual([]);
    expect(Object.values(DEFAULT_POLICY.requiredGovernedPaths).flat()).toEqual([]);
  });
});

describe('defaultPolicyYaml / policyToYaml', () => {
  it('parses back to the default policy', () => {
    const loaded = parsePolicyYaml(DEFAULT_YAML);
    expect(loaded).toEqual({ ok: true, policy: DEFAULT_POLICY });
  });

  it('starts with a comment that says what the file is', () => {
    expect(DEFAULT_YAML.split('\n')[0]).toMatch(/^# .*policy/i);
  });

  it('round-trips an edited policy', () => {
    const policy = PolicySchema.parse({
      ...structuredClone(DEFAULT_POLICY),
      refusedIdentities: ['oncall'],
      requiredGovernedPaths: { 'signing-keys-unavailable': ['HSM quorum recovery'] },
      environments: [{ id: 'prod', scopes: [{ id: 'diagnostics', description: 'Read-only' }], credentialChecks: [{ kind: 'env', name: 'AWS_PROFILE', pattern: '^prod-breakglass$' }] }],
    });
    expect(parsePolicyYaml(policyToYaml(policy))).toEqual({ ok: true, policy });
  });
});

describe('parsePolicyYaml errors: file, field and line', () => {
  it('refuses a YAML syntax error, naming the file', () => {
    const problems = problemsOf('version: 1\nduration:\n  defaultMinutes: 30\n maxMinutes: 60\n', 'evidence/policy.yaml');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.file).toBe('evidence/policy.yaml');
    expect(problems[0]!.message).toMatch(/^YAML syntax: /);
  });

  it('gives the line of a YAML syntax error', () => {
    const text = 'version: 1\nduration:\n  defaultMinutes: 30\n maxMinutes: 60\n';
    const [first] = problemsOf(text);
    expect(first!.line).toBe(lineContaining(text, ' maxMinutes: 60'));
    expect(formatPolicyProblems([first!])).toMatch(/^policy\.yaml:4: YAML syntax: /);
  });

  it('refuses a key given twice', () => {
    expect(problemsOf('version: 1\nversion: 1\n')[0]!.message).toMatch(/YAML syntax: .*unique/i);
  });

  it('refuses an unknown top-level key at its line', () => {
    const text = edited('reviewWindowDays: 5\n', 'reviewWindowDays: 5\nreviewWindowDayz: 7\n');
    const p = problemAt(text, 'reviewWindowDayz');
    expect(p.line).toBe(lineContaining(text, 'reviewWindowDayz'));
    expect(p.message).toContain('unknown field "reviewWindowDayz"');
    expect(p.file).toBe('policy.yaml');
  });

  it('refuses a typo in a nested key (duration.maxMinutse) at the line of that key', () => {
    const text = edited('  maxMinutes: 60', '  maxMinutse: 60');
    const p = problemAt(text, 'duration.maxMinutse');
    expect(p.line).toBe(lineContaining(text, 'maxMinutse'));
    expect(p.message).toContain('unknown field "maxMinutse"');
  });

  it('refuses an unknown key with a block value at the line of that key', () => {
    const text = edited('requiredGovernedPaths:', 'requiredGovernedPath:');
    const p = problemAt(text, 'requiredGovernedPath');
    expect(p.line).toBe(lineContaining(text, 'requiredGovernedPath:'));
  });

  it('refuses a wrong type at the line of the value (justificationMinLength: "forty")', () => {
    const text = edited('justificationMinLength: 40', 'justificationMinLength: "forty"');
    const p = problemAt(text, 'justificationMinLength');
    expect(p.line).toBe(lineContaining(text, 'justificationMinLength'));
    expect(p.message).toMatch(/expected number/);
  });

  it('writes unsignedDeclarations: allow into a new repository\'s policy, and refuses any value but allow or refuse at its line (issue 15)', () => {
    expect(DEFAULT_YAML).toContain('unsignedDeclarations: allow');
    const refuse = parsePolicyYaml(edited('unsignedDeclarations: allow', 'unsignedDeclarations: refuse'));
    expect(refuse.ok && refuse.policy.unsignedDeclarations).toBe('refuse');
    const text = edited('unsignedDeclarations: allow', 'unsignedDeclarations: sometimes');
    const p = problemAt(text, 'unsignedDeclarations');
    expect(p.line).toBe(lineContaining(text, 'unsignedDeclarations'));
  });

  it('refuses an invalid regular expression in incidentIdPatterns at its line', () => {
    const text = edited('pattern: ^P[A-Z0-9]{5,}$', 'pattern: "^P[A-Z0-9"');
    const p = problemAt(text, 'incidentIdPatterns[1].pattern');
    expect(p.line).toBe(lineContaining(text, '"^P[A-Z0-9"'));
    expect(p.message).toMatch(/not a valid regular expression/i);
  });

  it('refuses a default duration above the maximum, at the default', () => {
    const text = edited('defaultMinutes: 30', 'defaultMinutes: 90');
    const p = problemAt(text, 'duration.defaultMinutes');
    expect(p.line).toBe(lineContaining(text, 'defaultMinutes'));
    expect(p.message).toMatch(/above the maximum/);
  });

  it('refuses a total extension cap below the maximum duration', () => {
    const text = edited('maxTotalMinutes: 240', 'maxTotalMinutes: 45');
    const p = problemAt(text, 'extension.maxTotalMinutes');
    expect(p.line).toBe(lineContaining(text, 'maxTotalMinutes'));
    expect(p.message).toMatch(/below the maximum/);
  });

  it('refuses an environment listed twice, at the second one', () => {
    const text = edited('- id: pre-production', '- id: production');
    const p = problemAt(text, 'environments[1].id');
    const lines = text.split('\n');
    const second = lines.map((l, i) => (l.includes('- id: production') ? i + 1 : 0)).filter(Boolean)[1];
    expect(p.line).toBe(second);
    expect(p.message).toContain('"production" is listed twice');
  });

  it('refuses an environment id that is not lower-case letters, digits and dashes, with an example', () => {
    const text = edited('- id: pre-production', '- id: Pre Production');
    const p = problemAt(text, 'environments[1].id');
    expect(p.line).toBe(lineContaining(text, 'Pre Production'));
    expect(p.message).toContain('"pre-production"');
  });

  it('refuses an empty file', () => {
    expect(problemsOf('').length).toBeGreaterThan(0);
  });

  it('reports every problem, not only the first', () => {
    const text = edited('justificationMinLength: 40', 'justificationMinLength: "forty"').replace('reviewWindowDays: 5', 'reviewWindowDays: 0');
    expect(problemsOf(text).map((p) => p.field).sort()).toEqual(['justificationMinLength', 'reviewWindowDays']);
  });
});

describe('formatPolicyProblems', () => {
  it('prints policy.yaml:<line>: <field>: <message>, one problem a line', () => {
    const text = edited('justificationMinLength: 40', 'justificationMinLength: "forty"').replace('  maxMinutes: 60', '  maxMinutse: 60');
    const problems = problemsOf(text).filter((p) => p.field === 'justificationMinLength' || p.field === 'duration.maxMinutse');
    const printed = formatPolicyProblems(problems).split('\n');
    expect(printed).toHaveLength(2);
    expect(printed).toContain(`policy.yaml:${lineContaining(text, 'justificationMinLength')}: justificationMinLength: ${problemAt(text, 'justificationMinLength').message}`);
    expect(printed).toContain(`policy.yaml:${lineContaining(text, 'maxMinutse')}: duration.maxMinutse: unknown field "maxMinutse"`);
  });

  it('leaves out the line or the field when it is not known', () => {
    expect(formatPolicyProblems([{ file: 'policy.yaml', field: 'duration', line: null, message: 'm' }])).toBe('policy.yaml: duration: m');
    expect(formatPolicyProblems([{ file: 'policy.yaml', field: '', line: 3, message: 'YAML syntax: x' }])).toBe('policy.yaml:3: YAML syntax: x');
  });
});

describe('matchIncidentPattern', () => {
  it.each([
    ['INC-12345', 'ticket'],
    ['OPS-7', 'ticket'],
    ['PX7Q2ZK', 'pager'],
    ['https://alerts.example.com/a/1', 'alert'],
  ])('recognises %s as a %s reference', (id, kind) => {
    expect(matchIncidentPattern(DEFAULT_POLICY, id)?.name).toMatch(new RegExp(kind, 'i'));
  });

  it.each(['inc-12345', 'INC 12345', 'INC-12345 and more', '12345', 'P12', 'http://alerts.example.com/a/1', 'https://', ''])(
    'does not recognise %j',
    (id) => {
      expect(matchIncidentPattern(DEFAULT_POLICY, id)).toBeNull();
    },
  );

  it('uses the patterns of the policy in force', () => {
    const policy = PolicySchema.parse({ ...structuredClone(DEFAULT_POLICY), incidentIdPatterns: [{ name: 'sev', pattern: '^SEV[1-3]-\\d{3}$', example: 'SEV1-042' }] });
    expect(matchIncidentPattern(policy, 'SEV1-042')?.example).toBe('SEV1-042');
    expect(matchIncidentPattern(policy, 'INC-12345')).toBeNull();
  });
});

describe('findEnvironment', () => {
  it('finds an environment by its exact id, with its scopes', () => {
    expect(findEnvironment(DEFAULT_POLICY, 'pre-production')?.scopes.map((s) => s.id)).toContain('state-lock');
  });

  it.each(['staging', 'Production', ' production', ''])('finds nothing for %j', (id) => {
    expect(findEnvironment(DEFAULT_POLICY, id)).toBeUndefined();
  });
});
