import { promises as fs } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { BreakGlassError } from '../../app/errors';
import { TRIGGERS, TRIGGER_IDS, type Policy } from '../../app/policy';

/** What the CLI reads: JSON files (or stdin), the declaration asked field by field, and the example files. */

/** Reads and parses a JSON file (`-` for stdin); the error says how to get an example. */
export async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new BreakGlassError('invalid-input', `Cannot read the ${what} file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}. Print an example with --template.`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BreakGlassError('invalid-input', `The ${what} file ${file} is not valid JSON (${(e as Error).message}). Print an example with --template.`);
  }
}

/** Prints an example input file (`--template`), as the file options read it. */
export function printTemplate(template: unknown): void {
  process.stdout.write(`${JSON.stringify(template, null, 2)}\n`);
}

/**
 * The JSON input of `close` and `review`: the example printed instead (`--template`: undefined,
 * which no JSON file parses to, is returned and nothing else happens), or the `--file` read;
 * without either, an error saying both.
 */
export async function templateOrFile(o: { file?: string; template?: boolean }, template: unknown, what: string): Promise<unknown> {
  if (o.template) {
    printTemplate(template);
    return undefined;
  }
  if (!o.file) throw new BreakGlassError('invalid-input', `Give the ${what} with --file FILE (print an example with --template).`);
  return readJsonFile(o.file, what);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks each field of a declaration on the terminal (stderr), for `declare` without `--file`. */
export async function askDeclaration(policy: Policy): Promise<unknown> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const ask = async (q: string, def?: string) => {
      const a = (await rl.question(`${q}${def ? ` [${def}]` : ''}: `)).trim();
      return a || def || '';
    };
    process.stderr.write('Break-glass declaration. Every answer is recorded as evidence.\n');
    TRIGGER_IDS.forEach((t, i) => process.stderr.write(`  ${i + 1}. ${t}: ${TRIGGERS[t]}\n`));
    const tIdx = Number(await ask('Trigger (1-3)')) - 1;
    const paths: Array<{ path: string; failure: string }> = [];
    for (;;) {
      const p = await ask(`Governed access path tried #${paths.length + 1} (empty to finish)`);
      if (!p) break;
      paths.push({ path: p, failure: await ask(`  How did "${p}" fail`) });
    }
    const materialRisk = await ask('Material risk (customer, regulator, data integrity, availability)');
    const yes = async (q: string) => /^y(es)?$/i.test(await ask(`${q} (yes/no)`));
    const attestations = {
      notExpediency: await yes('I attest this is not for expediency'),
      notRoutineChange: await yes('I attest this is not a routine change'),
      notGovernanceAvoidance: await yes('I attest this is not to avoid governance'),
    };
    const incidentId = await ask(`Incident ID (e.g. ${policy.incidentIdPatterns.map((p) => p.example).join(', ')})`);
    const justification = await ask(`Justification (at least ${policy.justificationMinLength} characters)`);
    const environment = await ask(`Environment (${policy.environments.map((e) => e.id).join(', ')})`);
    const env = policy.environments.find((e) => e.id === environment);
    const scopes = (await ask(`Scopes, comma-separated (${env?.scopes.map((s) => s.id).join(', ') ?? ''})`)).split(',').map((s) => s.trim()).filter(Boolean);
    const durationMinutes = Number(await ask(`Duration in minutes (max ${policy.duration.maxMinutes})`, String(policy.duration.defaultMinutes)));
    const name = await ask('Your full name');
    const email = await ask('Your e-mail');
    return { trigger: TRIGGER_IDS[tIdx] ?? '', governedPathsTried: paths, materialRisk, attestations, incidentId, justification, environment, scopes, durationMinutes, operator: { name, email } };
  } finally {
    rl.close();
  }
}

/** `close --template`. */
export const CLOSURE_TEMPLATE = {
  summary: 'Released the stale state lock held by the crashed pipeline and re-ran the governed apply.',
  reversalSteps: ['Re-enabled the pipeline lock', 'Confirmed the governed pipeline applies cleanly'],
  controlsRestored: { signingKeys: 'not-applicable', backendLocks: 'yes', breakGlassCredentialsRotated: 'yes' },
  followUps: [{ action: 'Add lock-timeout alerting to the pipeline', owner: 'Grace Hopper', due: '2026-12-15' }],
};

/** `review --template`. */
export const REVIEW_TEMPLATE = {
  reviewer: { name: 'Grace Hopper', email: 'grace@example.com' },
  outcome: 'justified-with-findings',
  drill: false,
  findings: 'Break-glass was warranted; the lock-timeout alert would have caught this earlier.',
  followUps: [{ action: 'Add lock-timeout alerting', owner: 'Platform team', due: '2026-12-15' }],
};
