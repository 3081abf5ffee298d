import { describe, expect, it } from 'vitest';
import { DeclarationSchema, declarationSchemaFor, declarationTemplate, type Declaration } from '../../app/declaration';
import { BreakGlassError } from '../../app/errors';
import { DEFAULT_POLICY, PolicySchema, type Policy } from '../../app/policy';
import { parseOrThrow, problemsFromZod } from '../../app/zodIssues';

// The rules below come from procedure.md §1–§4 and its table of defaults, not from the implementation.
const TRIGGERS_OF_THE_SEED = ['signing-keys-unavailable', 'backend-lock-integrity', 'prolonged-outage'];
const SHARED_NAMES = ['root', 'admin', 'Administrator', 'ops', 'operator', 'breakglass', 'shared', 'service', 'user', 'test'];

const schema = declarationSchemaFor(DEFAULT_POLICY);

/** A fresh, valid declaration (the template), with some fields replaced. */
function sample(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...structuredClone(declarationTemplate(DEFAULT_POLICY)), ...overrides };
}

/** Every problem the schema reports, as `{ path, message }` with the console's path format. */
function problems(input: unknown, s: { safeParse: typeof schema.safeParse } = schema) {
  const result = s.safeParse(input);
  return result.success ? [] : problemsFromZod(result.error);
}

/** The messages reported at exactly `path`; fails the test when the input is accepted. */
function refusedAt(input: unknown, path: string, s: { safeParse: typeof schema.safeParse } = schema): string[] {
  const all = problems(input, s);
  expect(all, `expected the input to be refused`).not.toEqual([]);
  const at = all.filter((p) => p.path === path).map((p) => p.message);
  expect(at, `expected a problem at "${path}", got ${JSON.stringify(all)}`).not.toEqual([]);
  return at;
}

function accepted(input: unknown, s: { safeParse: typeof schema.safeParse } = schema): void {
  expect(problems(input, s)).toEqual([]);
}

/** A policy derived from the default one (validated, so defaults apply as they would on load). */
function policyWith(changes: Record<string, unknown>): Policy {
  return PolicySchema.parse({ ...structuredClone(DEFAULT_POLICY), ...changes });
}

describe('declarationTemplate', () => {
  it('is a declaration the default policy accepts, unchanged by parsing', () => {
    const template = declarationTemplate(DEFAULT_POLICY);
    const parsed = schema.parse(template);
    expect(parsed).toEqual(template);
    expect(DeclarationSchema.safeParse(template).success).toBe(true);
  });

  it('follows the policy it is made for (environment, scope, incident example, default duration)', () => {
    const policy = policyWith({
      environments: [{ id: 'staging', scopes: [{ id: 'db-read', description: 'Read the database' }] }],
      incidentIdPatterns: [{ name: 'ops ticket', pattern: '^OPS-[0-9]+$', example: 'OPS-77' }],
      duration: { defaultMinutes: 15, maxMinutes: 20 },
    });
    const template = declarationTemplate(policy);
    expect(template).toMatchObject({ environment: 'staging', scopes: ['db-read'], incidentId: 'OPS-77', durationMinutes: 15 });
    accepted(template, declarationSchemaFor(policy));
  });
});

describe('trigger', () => {
  it.each(TRIGGERS_OF_THE_SEED)('accepts the authorized trigger %s', (trigger) => {
    accepted(sample({ trigger }));
  });

  it('refuses a trigger that is not authorized and lists the authorized ones', () => {
    const [message] = refusedAt(sample({ trigger: 'routine-maintenance' }), 'trigger');
    for (const id of TRIGGERS_OF_THE_SEED) expect(message).toContain(id);
  });

  it('refuses a missing trigger', () => {
    const { trigger: _omit, ...rest } = sample();
    expect(refusedAt(rest, 'trigger')[0]).toMatch(/trigger/i);
  });
});

describe('governedPathsTried', () => {
  it('refuses an empty list: every governed path must have been tried first', () => {
    expect(refusedAt(sample({ governedPathsTried: [] }), 'governedPathsTried')[0]).toMatch(/at least one governed access path/i);
  });

  it('refuses a path without how it failed, at the failing entry', () => {
    const input = sample({ governedPathsTried: [{ path: 'CI/CD pipeline', failure: 'timed out' }, { path: 'Vault approle' }] });
    expect(refusedAt(input, 'governedPathsTried[1].failure')[0]).toMatch(/how the path failed/i);
  });

  it('refuses a failure that is only blanks', () => {
    refusedAt(sample({ governedPathsTried: [{ path: 'CI/CD pipeline', failure: '   ' }] }), 'governedPathsTried[0].failure');
  });

  it('accepts one path tried with its failure', () => {
    accepted(sample({ governedPathsTried: [{ path: 'CI/CD pipeline', failure: 'Runner pool down' }] }));
  });
});

describe('materialRisk', () => {
  it.each(['', '  \n '])('refuses an empty material risk (%j)', (materialRisk) => {
    expect(refusedAt(sample({ materialRisk }), 'materialRisk')[0]).toMatch(/material risk is required/i);
  });
});

describe('attestations', () => {
  const names = ['notExpediency', 'notRoutineChange', 'notGovernanceAvoidance'] as const;

  it.each(names)('refuses %s = false, naming the attestation', (name) => {
    const attestations = { notExpediency: true, notRoutineChange: true, notGovernanceAvoidance: true, [name]: false };
    expect(refusedAt(sample({ attestations }), `attestations.${name}`)[0]).toMatch(/^Attest that this use is not/);
  });

  it.each(names)('refuses a missing %s', (name) => {
    const attestations: Record<string, boolean> = { notExpediency: true, notRoutineChange: true, notGovernanceAvoidance: true };
    delete attestations[name];
    refusedAt(sample({ attestations }), `attestations.${name}`);
  });

  it('refuses a truthy value that is not an explicit tick', () => {
    refusedAt(sample({ attestations: { notExpediency: 'yes', notRoutineChange: true, notGovernanceAvoidance: true } }), 'attestations.notExpediency');
  });

  it('refuses a declaration with no attestations at all', () => {
    const { attestations: _omit, ...rest } = sample();
    expect(refusedAt(rest, 'attestations')[0]).toMatch(/attestations are required/i);
  });
});

describe('incidentId', () => {
  it.each(['INC-12345', 'PX7Q2ZK', 'https://alerts.example.com/a/1'])('accepts %s (ticket, pager, alert)', (incidentId) => {
    accepted(sample({ incidentId }));
  });

  it.each(['inc 12', '12345', ''])('refuses %j with a message that shows an accepted example', (incidentId) => {
    const messages = refusedAt(sample({ incidentId }), 'incidentId');
    expect(messages.some((m) => m.includes('INC-12345'))).toBe(true);
  });

  it('trims the id before matching, so a pasted id with blanks still matches', () => {
    expect(schema.parse(sample({ incidentId: '  INC-12345 ' })).incidentId).toBe('INC-12345');
  });
});

describe('justification', () => {
  const fortyChars = 'Lock held by a crashed job blocks apply.';

  it('accepts a justification of exactly the policy minimum (40 characters)', () => {
    expect(fortyChars).toHaveLength(40);
    accepted(sample({ justification: fortyChars }));
  });

  it('refuses 39 characters, saying how many there are and how many are needed', () => {
    const [message] = refusedAt(sample({ justification: fortyChars.slice(0, 39) }), 'justification');
    expect(message).toContain('39 characters');
    expect(message).toContain('at least 40');
  });

  it('does not count surrounding blanks toward the minimum', () => {
    const [message] = refusedAt(sample({ justification: `   ${fortyChars.slice(0, 38)}     ` }), 'justification');
    expect(message).toContain('38 characters');
  });

  it('uses the minimum of the policy in force', () => {
    const policy = policyWith({ justificationMinLength: 60 });
    expect(refusedAt(sample({ justification: fortyChars }), 'justification', declarationSchemaFor(policy))[0]).toContain('at least 60');
  });
});

describe('environment', () => {
  it('accepts each environment of the default policy', () => {
    accepted(sample({ environment: 'production' }));
    accepted(sample({ environment: 'pre-production' }));
  });

  it('refuses an unknown environment and lists the valid ones', () => {
    const [message] = refusedAt(sample({ environment: 'staging' }), 'environment');
    expect(message).toContain('"staging"');
    expect(message).toContain('production');
    expect(message).toContain('pre-production');
  });
});

describe('scopes', () => {
  it('accepts several distinct scopes of the environment', () => {
    accepted(sample({ scopes: ['diagnostics', 'state-lock', 'signing-keys', 'infrastructure-change', 'data-repair'] }));
  });

  it('refuses an empty list (least privilege still needs a scope)', () => {
    expect(refusedAt(sample({ scopes: [] }), 'scopes')[0]).toMatch(/at least one scope/i);
  });

  it('refuses a scope that is not offered, at its index, listing the ones that are', () => {
    const [message] = refusedAt(sample({ scopes: ['diagnostics', 'root-shell'] }), 'scopes[1]');
    expect(message).toContain('"root-shell"');
    expect(message).toContain('diagnostics');
    expect(problems(sample({ scopes: ['diagnostics', 'root-shell'] })).some((p) => p.path === 'scopes[0]')).toBe(false);
  });

  it('checks scopes against the chosen environment, not against every environment', () => {
    const policy = policyWith({
      environments: [
        DEFAULT_POLICY.environments[0],
        { id: 'pre-production', scopes: [{ id: 'diagnostics', description: 'Read-only diagnostics' }] },
      ],
    });
    const s = declarationSchemaFor(policy);
    accepted(sample({ environment: 'production', scopes: ['data-repair'] }), s);
    expect(refusedAt(sample({ environment: 'pre-production', scopes: ['data-repair'] }), 'scopes[0]', s)[0]).toContain('pre-production');
  });

  it('refuses a scope listed twice', () => {
    expect(refusedAt(sample({ scopes: ['diagnostics', 'state-lock', 'diagnostics'] }), 'scopes')[0]).toMatch(/twice/);
  });
});

describe('durationMinutes', () => {
  it.each([1, 30, 60])('accepts %d minutes (policy maximum 60)', (durationMinutes) => {
    accepted(sample({ durationMinutes }));
  });

  it('refuses 0 minutes', () => {
    expect(refusedAt(sample({ durationMinutes: 0 }), 'durationMinutes')[0]).toMatch(/at least 1 minute/);
  });

  it('refuses a fractional duration', () => {
    expect(refusedAt(sample({ durationMinutes: 1.5 }), 'durationMinutes')[0]).toMatch(/whole minutes/);
  });

  it('refuses 61 minutes, naming the maximum and what to do', () => {
    const [message] = refusedAt(sample({ durationMinutes: 61 }), 'durationMinutes');
    expect(message).toContain('maximum of 60');
    expect(message).toMatch(/extend later/);
  });

  it('refuses a duration given as text', () => {
    refusedAt(sample({ durationMinutes: '30' }), 'durationMinutes');
  });
});

describe('operator', () => {
  it('accepts a named human', () => {
    accepted(sample({ operator: { name: 'Ada Lovelace', email: 'ada@example.com' } }));
  });

  it.each(SHARED_NAMES)('refuses the shared identity %j at operator.name', (name) => {
    const [message] = refusedAt(sample({ operator: { name, email: 'ada@example.com' } }), 'operator.name');
    expect(message).toMatch(/named human/);
  });

  it('refuses a shared mailbox even with a personal name', () => {
    const messages = problems(sample({ operator: { name: 'Ada Lovelace', email: 'admin@example.com' } }));
    expect(messages).toHaveLength(1);
    expect(messages[0]!.path).toMatch(/^operator\./);
    expect(messages[0]!.message).toContain('admin@example.com');
    expect(messages[0]!.message).toMatch(/personal e-mail/);
  });

  it('refuses names the policy adds to the refused identities', () => {
    const oncall = { operator: { name: 'oncall', email: 'rota@example.com' } };
    accepted(sample(oncall));
    const policy = policyWith({ refusedIdentities: ['oncall'] });
    expect(refusedAt(sample(oncall), 'operator.name', declarationSchemaFor(policy))[0]).toMatch(/named human/);
  });

  it('refuses an invalid e-mail address with an example', () => {
    expect(refusedAt(sample({ operator: { name: 'Ada Lovelace', email: 'ada at example' } }), 'operator.email')[0]).toContain('ada@example.com');
  });
});

describe('unknown fields', () => {
  it('refuses an unknown top-level field, naming it', () => {
    const all = problems(sample({ reason: 'typo of justification' }));
    expect(all).toHaveLength(1);
    expect(all[0]!.path).toBe('reason');
    expect(all[0]!.message).toContain('"reason"');
    expect(all[0]!.message).toMatch(/remove it/);
  });

  it('refuses an unknown nested field with its full path', () => {
    const input = sample({ attestations: { notExpediency: true, notRoutineChange: true, notGovernanceAvoidance: true, notLazy: true } });
    expect(problems(input).map((p) => p.path)).toEqual(['attestations.notLazy']);
  });
});

describe('required governed paths per trigger', () => {
  const policy = policyWith({ requiredGovernedPaths: { 'backend-lock-integrity': ['Platform force-unlock runbook'] } });
  const s = declarationSchemaFor(policy);
  const tried = (path: string) => [{ path, failure: 'Runbook job cannot reach the backend' }];

  it('refuses a declaration for that trigger that does not list the required path, naming it', () => {
    const [message] = refusedAt(sample({ trigger: 'backend-lock-integrity', governedPathsTried: tried('CI/CD pipeline') }), 'governedPathsTried', s);
    expect(message).toContain('"Platform force-unlock runbook"');
    expect(message).toMatch(/add it/);
  });

  it('accepts the required path whatever its case and surrounding blanks', () => {
    accepted(sample({ trigger: 'backend-lock-integrity', governedPathsTried: tried('  platform FORCE-UNLOCK runbook ') }), s);
  });

  it('does not require it for another trigger', () => {
    accepted(sample({ trigger: 'prolonged-outage', governedPathsTried: tried('CI/CD pipeline') }), s);
  });
});

describe('parseOrThrow with the declaration schema', () => {
  function thrownBy(input: unknown): BreakGlassError {
    try {
      parseOrThrow(schema, input, 'declaration');
    } catch (e) {
      expect(e).toBeInstanceOf(BreakGlassError);
      return e as BreakGlassError;
    }
    throw new Error('expected parseOrThrow to throw');
  }

  it('returns the parsed declaration when it is valid', () => {
    const d: Declaration = parseOrThrow(schema, sample({ incidentId: ' INC-1 ' }), 'declaration');
    expect(d.incidentId).toBe('INC-1');
  });

  it('throws invalid-input naming the field and what to do', () => {
    const e = thrownBy(sample({ durationMinutes: 61 }));
    expect(e.code).toBe('invalid-input');
    expect(e.field).toBe('durationMinutes');
    expect(e.message).toMatch(/^Invalid declaration: durationMinutes: /);
    expect(e.message).toContain('maximum of 60');
  });

  it('names the path of a nested field', () => {
    const e = thrownBy(sample({ attestations: { notExpediency: true, notRoutineChange: false, notGovernanceAvoidance: true } }));
    expect(e.field).toBe('attestations.notRoutineChange');
    expect(e.message).toContain('attestations.notRoutineChange: Attest that this use is not a routine change');
  });

  it('names an unknown field in the message', () => {
    const e = thrownBy(sample({ reason: 'x' }));
    expect(e.field).toBe('reason');
    expect(e.message).toContain('Unknown field "reason"');
  });

  it('reports the first problem and counts the others, keeping them all', () => {
    const e = thrownBy(sample({ durationMinutes: 0, scopes: ['nope'], incidentId: 'inc 12' }));
    // The first problem is the first field in the declaration's own order (incidentId comes before durationMinutes).
    expect(e.field).toBe('incidentId');
    expect(e.message).toMatch(/^Invalid declaration: incidentId: .*\(and 2 more problems\)$/);
    expect(e.problems.map((p) => p.path).sort()).toEqual(['durationMinutes', 'incidentId', 'scopes[0]']);
  });
});
