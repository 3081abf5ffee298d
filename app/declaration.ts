import { z } from 'zod';
import { PersonSchema, whyNotNamedHuman } from './identity';
import { findEnvironment, matchIncidentPattern, MAX_SESSION_MINUTES, TRIGGER_IDS, TRIGGERS, type Policy } from './policy';
import { lineSchema, textSchema } from './text';

// Free text allows line breaks; identifiers and names are single lines. Both refuse control
// characters and lone surrogates (issue 12, items 12 and 13), naming the field.
const text = textSchema;
const line = lineSchema;

/** A governed access path that was tried and how it failed (seed §2: all governed paths must have failed). */
export const GovernedPathSchema = z.object({
  path: line('The governed path', 200),
  failure: text('How the path failed', 2000),
}).strict();

const mustAttest = (what: string) =>
  z.literal(true, { error: `Attest that this use is ${what}: break-glass may not be used otherwise (seed §2).` });

/** The three attestations of seed §2 ("MUST NOT be used for"), each its own explicit tick. */
export const AttestationsSchema = z.object({
  notExpediency: mustAttest('not for expediency'),
  notRoutineChange: mustAttest('not a routine change'),
  notGovernanceAvoidance: mustAttest('not to avoid governance'),
}, { error: 'The three attestations are required.' }).strict();

/** Each attestation as a reader of the evidence names it (the session page, the report). */
export const ATTESTATION_TEXT: Readonly<Record<keyof z.infer<typeof AttestationsSchema>, string>> = {
  notExpediency: 'Not for expediency',
  notRoutineChange: 'Not a routine change',
  notGovernanceAvoidance: 'Not to avoid governance',
};

/**
 * The declaration as an operator submits it (file format of `breakglass declare --file`, and the
 * wizard's draft). Structure only; `declarationSchemaFor` adds the rules of the policy in force.
 */
export const DeclarationSchema = z.object({
  trigger: z.enum(TRIGGER_IDS, {
    error: `Pick one authorized trigger: ${TRIGGER_IDS.join(', ')}.`,
  }),
  governedPathsTried: z.array(GovernedPathSchema, { error: 'List the governed access paths you tried.' })
    .min(1, 'List at least one governed access path you tried and how it failed.')
    .max(50),
  materialRisk: text('The material risk', 4000),
  attestations: AttestationsSchema,
  incidentId: line('The incident ID', 500),
  justification: text('The justification', 8000),
  environment: line('The environment', 63),
  scopes: z.array(line('A scope', 63), { error: 'Pick the scopes you need.' })
    .min(1, 'Pick at least one scope (least privilege: only what you need).')
    .max(100),
  durationMinutes: z.number({ error: 'Give the duration in whole minutes.' })
    .int('Give the duration in whole minutes.')
    .min(1, 'The duration must be at least 1 minute.')
    .max(MAX_SESSION_MINUTES, `A session lasts at most ${MAX_SESSION_MINUTES} minutes (one day).`),
  operator: PersonSchema,
}).strict();

/** A structurally valid declaration. */
export type Declaration = z.infer<typeof DeclarationSchema>;

/**
 * The declaration schema with the policy's rules (procedure.md §1–§4); the UI, CLI and service all
 * use this one. Rules about one field sit on that field, so a half-filled wizard already gets
 * them; rules across fields run even when other fields still have problems (zod's `when`).
 */
export function declarationSchemaFor(policy: Policy) {
  const shape = DeclarationSchema.shape;
  return DeclarationSchema.extend({
    incidentId: shape.incidentId.refine((id) => matchIncidentPattern(policy, id) !== null, {
      error: (iss) => `"${String(iss.input)}" is not a recognised incident reference: use a ${policy.incidentIdPatterns.map((p) => `${p.name} like ${p.example}`).join(', or a ')}.`,
    }),
    justification: shape.justification.refine((j) => j.length >= policy.justificationMinLength, {
      error: (iss) => `The justification has ${String(iss.input).trim().length} characters; the policy needs at least ${policy.justificationMinLength}. Say what is broken, why every governed path failed and what you will do.`,
    }),
    durationMinutes: shape.durationMinutes.max(policy.duration.maxMinutes, {
      error: (iss) => `${String(iss.input)} minutes is above the policy's maximum of ${policy.duration.maxMinutes}: ask for at most ${policy.duration.maxMinutes} and extend later if you must.`,
    }),
    environment: shape.environment.refine((e) => findEnvironment(policy, e) !== undefined, {
      error: (iss) => `Unknown environment "${String(iss.input)}": pick one of ${policy.environments.map((e) => e.id).join(', ')}.`,
    }),
    operator: PersonSchema.superRefine((person, ctx) => {
      const why = whyNotNamedHuman(person, policy.refusedIdentities);
      if (why) ctx.addIssue({ code: 'custom', path: ['name'], message: why });
    }),
  }).superRefine((d, ctx) => {
    // Cross-field rules: read what is there, skip what is not yet valid (its own field says why).
    const env = typeof d.environment === 'string' ? findEnvironment(policy, d.environment) : undefined;
    if (env && Array.isArray(d.scopes)) {
      const allowed = new Set(env.scopes.map((s) => s.id));
      d.scopes.forEach((s, i) => {
        if (!allowed.has(s)) {
          ctx.addIssue({ code: 'custom', path: ['scopes', i], message: `Scope "${s}" is not available in ${env.id}: pick from ${[...allowed].join(', ')}.` });
        }
      });
      if (new Set(d.scopes).size !== d.scopes.length) {
        ctx.addIssue({ code: 'custom', path: ['scopes'], message: 'A scope is listed twice: list each once.' });
      }
    }
    const trigger = d.trigger as keyof typeof TRIGGERS;
    if (trigger in TRIGGERS && Array.isArray(d.governedPathsTried)) {
      const required = policy.requiredGovernedPaths[trigger] ?? [];
      const tried = new Set(d.governedPathsTried.map((p) => (typeof p?.path === 'string' ? p.path.trim().toLowerCase() : '')));
      for (const path of required) {
        if (!tried.has(path.trim().toLowerCase())) {
          ctx.addIssue({ code: 'custom', path: ['governedPathsTried'], message: `For "${TRIGGERS[trigger]}" the policy requires trying "${path}" first: add it with how it failed.` });
        }
      }
    }
  }, { when: (payload) => typeof payload.value === 'object' && payload.value !== null });
}

/** An example declaration, printed by `breakglass declare --template`. */
export function declarationTemplate(policy: Policy): Declaration {
  const env = policy.environments[0]!;
  return {
    trigger: 'backend-lock-integrity',
    governedPathsTried: [
      { path: 'CI/CD pipeline apply', failure: 'Pipeline fails: state lock held by a crashed job (lock ID 7f3c…)' },
      { path: 'Platform team on-call force-unlock', failure: 'Force-unlock job needs the same backend, which is unreachable' },
    ],
    materialRisk: 'Customer-facing API degraded; SLA breach in 45 minutes.',
    attestations: { notExpediency: true, notRoutineChange: true, notGovernanceAvoidance: true },
    incidentId: policy.incidentIdPatterns[0]?.example ?? 'INC-12345',
    justification: 'State lock held by a crashed pipeline blocks every governed apply; manual lock repair is the only path to restore service.',
    environment: env.id,
    scopes: [env.scopes[0]!.id],
    durationMinutes: policy.duration.defaultMinutes,
    operator: { name: 'Ada Lovelace', email: 'ada@example.com' },
  };
}
