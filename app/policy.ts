import { z } from 'zod';
import { stringify } from 'yaml';
import { formatYamlProblems, parseYamlWithSchema, type YamlProblem } from './yamlFile';
import { ForwardingSchema } from './forwarding/policy';

/** The three authorized triggers of seed §2, with the seed's own wording. */
export const TRIGGERS = {
  'signing-keys-unavailable': 'Loss or unavailability of cryptographic signing keys',
  'backend-lock-integrity': 'Backend lock integrity prevents recovery',
  'prolonged-outage': 'Prolonged system outage or imminent impact to customers or regulators',
} as const;

/** One of the three authorized trigger ids. */
export type TriggerId = keyof typeof TRIGGERS;

/**
 * Upper bounds on the policy's numbers (issues 12 item 9, 15): a policy — itself a file anyone with
 * write access can change — must not be able to allow a year-long session. A declaration lasts at
 * most a day; with extensions a session lasts at most a week.
 */
export const MAX_SESSION_MINUTES = 24 * 60;
/** The longest a session may run with every extension (one week). */
export const MAX_TOTAL_SESSION_MINUTES = 7 * 24 * 60;

/**
 * The most the wall clock may disagree with the boot clock before it counts as moved (issue 16):
 * a policy cannot make the check meaningless by allowing hours.
 */
export const MAX_CLOCK_SKEW_TOLERANCE_SECONDS = 600;

/** The longest a policy may let an acknowledgement wait (issue 16): a day. */
export const MAX_ACK_WITHIN_MINUTES = 24 * 60;

/** The trigger ids as a tuple for zod. */
export const TRIGGER_IDS = Object.keys(TRIGGERS) as [TriggerId, ...TriggerId[]];

const idPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;
const IdSchema = z.string().regex(idPattern, 'Use lower-case letters, digits and dashes (like "pre-production").');

/** A regular expression given as a string; compiled once to prove it is valid. */
const RegexSource = z.string().min(1).refine((s) => {
  try {
    new RegExp(s, 'u');
    return true;
  } catch {
    return false;
  }
}, 'Not a valid regular expression.');

const CredentialCheckSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('env'),
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'Not an environment variable name.'),
    pattern: RegexSource.optional(),
    description: z.string().optional(),
  }).strict(),
  z.object({
    kind: z.literal('file'),
    path: z.string().min(1),
    description: z.string().optional(),
  }).strict(),
]);

/** A credential check of procedure.md §3.2: an environment variable matching a pattern, or a file that must exist. */
export type CredentialCheck = z.infer<typeof CredentialCheckSchema>;

const ScopeSchema = z.object({ id: IdSchema, description: z.string().min(1) }).strict();

const EnvironmentSchema = z.object({
  id: IdSchema,
  description: z.string().optional(),
  scopes: z.array(ScopeSchema).min(1, 'An environment needs at least one scope.').max(100),
  credentialChecks: z.array(CredentialCheckSchema).max(50).default([]),
}).strict();

const IncidentPatternSchema = z.object({
  name: z.string().min(1),
  pattern: RegexSource,
  example: z.string().min(1),
}).strict();

/** The policy file's schema (procedure.md, "Policy file"). Unknown keys are refused so a typo cannot silently weaken it. */
export const PolicySchema = z.object({
  version: z.literal(1),
  environments: z.array(EnvironmentSchema).min(1).max(100),
  incidentIdPatterns: z.array(IncidentPatternSchema).min(1).max(50),
  // The declaration's justification holds at most 8,000 characters.
  justificationMinLength: z.number().int().min(1).max(2_000),
  duration: z.object({
    defaultMinutes: z.number().int().min(1).max(MAX_SESSION_MINUTES),
    maxMinutes: z.number().int().min(1).max(MAX_SESSION_MINUTES),
  }).strict(),
  extension: z.object({
    stepMinutes: z.number().int().min(1).max(MAX_SESSION_MINUTES),
    maxCount: z.number().int().min(0).max(20),
    maxTotalMinutes: z.number().int().min(1).max(MAX_TOTAL_SESSION_MINUTES),
  }).strict(),
  warningMinutes: z.array(z.number().int().min(1).max(MAX_SESSION_MINUTES)).min(1).max(10),
  reviewWindowDays: z.number().int().min(1).max(365),
  refusedIdentities: z.array(z.string().min(1).max(200)).max(1_000).default([]),
  allowRootOperator: z.boolean(),
  overdueReviewBlocksDeclaration: z.boolean(),
  requiredGovernedPaths: z.object({
    'signing-keys-unavailable': z.array(z.string().min(1)).default([]),
    'backend-lock-integrity': z.array(z.string().min(1)).default([]),
    'prolonged-outage': z.array(z.string().min(1)).default([]),
  }).strict().default({ 'signing-keys-unavailable': [], 'backend-lock-integrity': [], 'prolonged-outage': [] }),
  /** Where every record is forwarded (issue 19); absent: nowhere. */
  forwarding: ForwardingSchema.optional(),
  /**
   * Issue 17: when a governed shell's recording chunk cannot be committed, `strict` pauses the
   * shell until it can; `best-effort` keeps it running and records `recording-degraded`.
   */
  shellRecording: z.enum(['strict', 'best-effort']).default('strict'),
  /**
   * Issue 15: in a repository with a roster, what happens when the operator's roster key is not in
   * the ssh-agent (or no agent answers). `allow` (the default, because break-glass must work on the
   * worst day) records the operator's records unsigned: each is a finding `verify` names and the
   * review must address. `refuse` records nothing. A person the roster does not list as an
   * operator is refused either way.
   */
  unsignedDeclarations: z.enum(['allow', 'refuse']).default('allow'),
  /**
   * Issue 16: how far, in seconds, the wall clock's elapsed time may differ from the boot clock's
   * between two records of a chain before a `clock-skew` record is committed (and the session's
   * expiry follows the earlier of the two deadlines), and how far a declaration may be dated ahead
   * of this host's last record beyond the boot clock's elapsed time before it is refused.
   */
  clockSkewToleranceSeconds: z.number().int().min(1).max(MAX_CLOCK_SKEW_TOLERANCE_SECONDS).default(120),
  /**
   * Issue 16: the incident commander's acknowledgement of a declaration (app/acknowledgement/).
   * `within` (the default): expected within `withinMinutes` of the declaration — a warning in the
   * countdown while it is awaited, a verify finding after; never blocking, because the commander
   * may be unreachable. `before-actions`: no command or shell until the operator has recorded the
   * commander's response code. `optional`: shown, never a finding when missing.
   */
  acknowledgement: z.object({
    declared: z.enum(['before-actions', 'within', 'optional']).default('within'),
    withinMinutes: z.number().int().min(1).max(MAX_ACK_WITHIN_MINUTES).default(15),
  }).strict().default({ declared: 'within', withinMinutes: 15 }),
  /** How many distinct roster admins must sign a change of policy.yaml or roster.yaml (issue 15); absent: 2. */
  governanceApprovals: z.number().int().min(1).max(10).optional(),
}).strict().superRefine((p, ctx) => {
  if (p.duration.defaultMinutes > p.duration.maxMinutes) {
    ctx.addIssue({ code: 'custom', path: ['duration', 'defaultMinutes'], message: 'The default duration is above the maximum.' });
  }
  if (p.extension.maxTotalMinutes < p.duration.maxMinutes) {
    ctx.addIssue({ code: 'custom', path: ['extension', 'maxTotalMinutes'], message: 'The total cap is below the maximum initial duration.' });
  }
  const seen = new Set<string>();
  p.environments.forEach((env, i) => {
    if (seen.has(env.id)) ctx.addIssue({ code: 'custom', path: ['environments', i, 'id'], message: `Environment "${env.id}" is listed twice.` });
    seen.add(env.id);
  });
});

/** A validated policy. */
export type Policy = z.infer<typeof PolicySchema>;

const DEFAULT_SCOPES = [
  { id: 'diagnostics', description: 'Read-only diagnostics' },
  { id: 'state-lock', description: 'Backend lock repair' },
  { id: 'signing-keys', description: 'Signing key recovery or rotation' },
  { id: 'infrastructure-change', description: 'Infrastructure change' },
  { id: 'data-repair', description: 'Data repair' },
];

/** The built-in default policy of procedure.md, used when the evidence repository has no policy.yaml. */
export const DEFAULT_POLICY: Policy = PolicySchema.parse({
  version: 1,
  environments: [
    { id: 'production', description: 'Production systems', scopes: DEFAULT_SCOPES, credentialChecks: [] },
    { id: 'pre-production', description: 'Pre-production systems', scopes: DEFAULT_SCOPES, credentialChecks: [] },
  ],
  incidentIdPatterns: [
    { name: 'ticket key', pattern: '^[A-Z][A-Z0-9]+-[0-9]+$', example: 'INC-12345' },
    { name: 'pager ID', pattern: '^P[A-Z0-9]{5,}$', example: 'PX7Q2ZK' },
    { name: 'alert URL', pattern: '^https://\\S+$', example: 'https://alerts.example.com/a/12345' },
  ],
  justificationMinLength: 40,
  duration: { defaultMinutes: 30, maxMinutes: 60 },
  extension: { stepMinutes: 30, maxCount: 2, maxTotalMinutes: 240 },
  warningMinutes: [10, 5, 1],
  reviewWindowDays: 5,
  refusedIdentities: [],
  allowRootOperator: false,
  overdueReviewBlocksDeclaration: false,
  requiredGovernedPaths: {},
});

/** A problem in a policy file, located by file, field path and line. */
export type PolicyProblem = YamlProblem;

/** The result of loading a policy file: the policy, or every problem found. */
export type PolicyLoad = { ok: true; policy: Policy } | { ok: false; problems: PolicyProblem[] };

/** Parses and validates policy YAML text; every error names the file, the field and the line. */
export function parsePolicyYaml(text: string, file = 'policy.yaml'): PolicyLoad {
  const load = parseYamlWithSchema(text, file, PolicySchema);
  return load.ok ? { ok: true, policy: load.value } : load;
}

/** One line per problem: `policy.yaml:12: environments[0].scopes: …`. */
export function formatPolicyProblems(problems: PolicyProblem[]): string {
  return formatYamlProblems(problems);
}

/** The default policy as YAML, committed into every new evidence repository so organisations can edit it. */
export function defaultPolicyYaml(): string {
  return `# Break-Glass Console policy (procedure.md, "Policy file").
# Validated on every load; an invalid policy stops the console with the file, field and line.
${policyToYaml(DEFAULT_POLICY)}`;
}

/** Serialises a policy back to YAML (key order follows the schema, so diffs stay readable). */
export function policyToYaml(policy: Policy): string {
  return stringify(policy);
}

/** Finds an environment by id. */
export function findEnvironment(policy: Policy, id: string) {
  return policy.environments.find((e) => e.id === id);
}

/** Which incident-id pattern the id matches, or null. */
export function matchIncidentPattern(policy: Policy, incidentId: string) {
  return policy.incidentIdPatterns.find((p) => new RegExp(p.pattern, 'u').test(incidentId)) ?? null;
}
