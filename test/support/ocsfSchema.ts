import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Checks an event against the OCSF 1.5.0 schema subset in test/fixtures (derived from the schema
 * repository, see its README): the class and its category, the activity, type_uid, every required
 * attribute, the class's constraints, that no attribute is one the class (or a profile the event
 * names) does not define, and the same for each object attribute it knows.
 */

interface Shape {
  required: string[];
  constraints: { at_least_one?: string[]; just_one?: string[] };
  attributes: string[];
  objects: Record<string, string>;
}

interface Subset {
  classes: Record<string, Shape & { name: string; category_uid: number; activities: Record<string, string> }>;
  objects: Record<string, Shape>;
  profiles: Record<string, string[]>;
  profileObjects: Record<string, string>;
}

const SUBSET = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/ocsf-1.5.0-subset.json', import.meta.url)), 'utf8')) as Subset;

function checkShape(value: Record<string, unknown>, shape: Shape, where: string, extraAttributes: readonly string[], problems: string[]): void {
  for (const r of shape.required) if (value[r] === undefined) problems.push(`${where}: required attribute ${r} is missing`);
  const present = (keys: string[] = []) => keys.filter((k) => value[k] !== undefined);
  if (shape.constraints.at_least_one && present(shape.constraints.at_least_one).length === 0) problems.push(`${where}: needs at least one of ${shape.constraints.at_least_one.join(', ')}`);
  if (shape.constraints.just_one && present(shape.constraints.just_one).length !== 1) problems.push(`${where}: needs exactly one of ${shape.constraints.just_one.join(', ')}`);
  const known = new Set([...shape.attributes, ...extraAttributes]);
  for (const [k, v] of Object.entries(value)) {
    if (!known.has(k)) {
      problems.push(`${where}: ${k} is not an attribute of it`);
      continue;
    }
    const type = shape.objects[k];
    const nested = type ? SUBSET.objects[type] : undefined;
    if (!nested || v === null || typeof v !== 'object') continue;
    for (const item of Array.isArray(v) ? v : [v]) checkShape(item as Record<string, unknown>, nested, `${where}.${k}`, [], problems);
  }
}

/** The problems of an event against OCSF 1.5.0 (empty when it conforms, as far as the subset says). */
export function ocsfProblems(event: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const cls = SUBSET.classes[String(event.class_uid)];
  if (!cls) return [`class_uid ${String(event.class_uid)} is not a class the subset knows`];
  if (event.category_uid !== cls.category_uid) problems.push(`category_uid ${String(event.category_uid)} is not ${cls.category_uid} (${cls.name})`);
  if (event.class_name !== cls.name) problems.push(`class_name ${String(event.class_name)} is not ${cls.name}`);
  const activity = String(event.activity_id);
  if (activity !== '99' && activity !== '0' && !(activity in cls.activities)) problems.push(`activity_id ${activity} is not an activity of ${cls.name}`);
  if (activity !== '99' && activity !== '0' && activity in cls.activities && event.activity_name !== cls.activities[activity]) problems.push(`activity_name ${String(event.activity_name)} is not ${cls.activities[activity]}`);
  if (event.type_uid !== Number(event.class_uid) * 100 + Number(event.activity_id)) problems.push(`type_uid ${String(event.type_uid)} is not class_uid * 100 + activity_id`);
  const profiles = ((event.metadata as { profiles?: string[] } | undefined)?.profiles ?? []);
  const fromProfiles = profiles.flatMap((p) => SUBSET.profiles[p] ?? []);
  checkShape(event, { ...cls, objects: { ...SUBSET.profileObjects, ...cls.objects } }, cls.name, fromProfiles, problems);
  return problems;
}
