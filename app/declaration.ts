import { z } from 'zod';
import { PersonSchema, whyNotNamedHuman } from './identity';
import { findEnvironment, matchIncidentPattern, TRIGGER_IDS, TRIGGERS, type Policy } from './policy';

const text = (what: string, max: number) =>
  z.string({ error: `${what} is required.` }).trim().min(1, `${what} is required.`).max(max, `${what} is longer than ${max} characters.`);

/** A governed access path that was tried and how it failed (seed §2: all governed paths must have failed). */
export const GovernedPathSchema = z.object({
  path: text('The governed path', 200),
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
  incidentId: text('The incident ID', 500),
  justification: text('The justification', 8000),
  environment: text('The environment', 63),
  scopes: z.array(z.string().min(1), { error: 'Pick the scopes you need.' })
    .min(1, 'Pick at least one scope (least privilege: only what you need).'),
  durationMinutes: z.number({ error: 'Give the duration in whole minutes.' })
    .int('Give the duration in whole minutes.')
    .min(1, 'The duration must be at least 1 minute.'),
  operator: PersonSchema,
}).strict();

/** A structurally valid declaration. */
export type Declaration = z.infer<typeof DeclarationSchema>;

/** The declaration schema with the policy's rules (procedure.md §1–§4); the UI, CLI and service all use this one. */
export function declarationSchemaFor(policy: Policy) {
  return DeclarationSchema.superRefine((d, ctx) => {
    const env = findEnvironment(policy, d.environment);
    if (!env) {
      ctx.addIssue({
        code: 'custom', path: ['environment'],
        message: `Unknown environment "${d.environment}": pick one of ${policy.environments.map((e) => e.id).join(', ')}.`,
      });
    } else {
      const allowed = new Set(env.scopes.map((s) => s.id));
      d.scopes.forEach((s, i) => {
        if (!allowed.has(s)) {
          ctx.addIssue({
            code: 'custom', path: ['scopes', i],
            message: `Scope "${s}" is not available in ${env.id}: pick from ${[...allowed].join(', ')}.`,
          });
        }
      });
      if (new Set(d.scopes).size !== d.scopes.length) {
        ctx.addIssue({ code: 'custom', path: ['scopes'], message: 'A scope is listed twice: list each once.' });
      }
    }
    if (!matchIncidentPattern(policy, d.incidentId)) {
      ctx.addIssue({
        code: 'custom', path: ['incidentId'],
        message: `"${d.incidentId}" is not a recognised incident reference: use a ${policy.incidentIdPatterns.map((p) => `${p.name} like ${p.example}`).join(', or a ')}.`,
      });
    }
    if (d.justification.length < policy.justificationMinLength) {
      ctx.addIssue({
        code: 'custom', path: ['justification'],
        message: `The justification has ${d.justification.length} characters; the policy needs at least ${policy.justificationMinLength}. Say what is broken, why every governed path failed and what you will do.`,
      });
    }
    if (d.durationMinutes > policy.duration.maxMinutes) {
      ctx.addIssue({
        code: 'custom', path: ['durationMinutes'],
        message: `${d.durationMinutes} minutes is above the policy's maximum of ${policy.duration.maxMinutes}: ask for at most ${policy.duration.maxMinutes} and extend later if you must.`,
      });
    }
    const required = policy.requiredGovernedPaths[d.trigger] ?? [];
    const tried = new Set(d.governedPathsTried.map((p) => p.path.trim().toLowerCase()));
    for (const path of required) {
      if (!tried.has(path.trim().toLowerCase())) {
        ctx.addIssue({
          code: 'custom', path: ['governedPathsTried'],
          message: `For "${TRIGGERS[d.trigger]}" the policy requires trying "${path}" first: add it with how it failed.`,
        });
      }
    }
    const why = whyNotNamedHuman(d.operator, policy.refusedIdentities);
    if (why) ctx.addIssue({ code: 'custom', path: ['operator', 'name'], message: why });
  });
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
