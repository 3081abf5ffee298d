import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { allowedSignersFor } from '../../app/roster/allowedSigners';
import { parseRosterYaml, type Roster } from '../../app/roster/schema';
import { keyAt } from '../../app/roster/lookup';
import { verifyCommitSignature, type ObjectFormat } from '../../main/signing/commitSignature';
import { makeKey, startAgent, type TestAgent, type TestKey } from './sshAgent';

/** Three people with real ssh-keygen keys, each with their own real ssh-agent holding only their key. */
export interface People {
  ada: { key: TestKey; agent: TestAgent };
  grace: { key: TestKey; agent: TestAgent };
  /** Listed in no roster: an outsider's key. */
  mallory: { key: TestKey; agent: TestAgent };
  stop(): void;
}

/** Starts one agent per person (sub-folders of `dir`) and loads their key. */
/**
 * A test file's own temporary folder and its people (their keys in their ssh-agents), made before
 * the file's tests and stopped and removed after them. Call at module level; read the two fields
 * inside tests (they are set once the file starts).
 */
export function peoplePerFile(prefix: string): { dir: string; people: People } {
  const kit = {} as { dir: string; people: People };
  beforeAll(async () => {
    kit.dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    kit.people = await startPeople(kit.dir);
  });
  afterAll(() => {
    kit.people?.stop();
    if (kit.dir) rmSync(kit.dir, { recursive: true, force: true });
  });
  return kit;
}

export async function startPeople(dir: string): Promise<People> {
  const person = async (name: string, type: 'ed25519' | 'ecdsa') => {
    const home = path.join(dir, name);
    spawnSync('mkdir', ['-p', home]);
    const key = makeKey(home, name, type);
    const agent = await startAgent(home);
    agent.add(key.privatePath);
    return { key, agent };
  };
  const ada = await person('ada', 'ed25519');
  const grace = await person('grace', 'ecdsa');
  const mallory = await person('mallory', 'ed25519');
  return { ada, grace, mallory, stop: () => [ada, grace, mallory].forEach((p) => p.agent.stop()) };
}

/** The roster of these people as YAML text: Ada operates, Grace reviews; `adaKey` adds fields to Ada's key (a window, a revocation). */
export function rosterYaml(people: People, adaKey: Record<string, unknown> = {}, hosts = ''): string {
  const extra = Object.entries(adaKey).map(([k, v]) => (typeof v === 'object' ? `        ${k}:\n${Object.entries(v as object).map(([a, b]) => `          ${a}: "${String(b)}"`).join('\n')}` : `        ${k}: "${String(v)}"`)).join('\n');
  return `version: 1
people:
  - id: ada
    name: Ada Lovelace
    email: ada@example.com
    roles: [operator, roster-admin]
    accounts: [ada]
    keys:
      - key: ${people.ada.key.line}
${extra}
  - id: grace
    name: Grace Hopper
    email: grace@example.com
    roles: [reviewer, commander]
    keys:
      - key: ${people.grace.key.line}
${hosts}`;
}

/** Parses roster YAML or throws with its problems. */
export function mustParseRoster(text: string): Roster {
  const load = parseRosterYaml(text);
  if (!load.ok) throw new Error(load.problems.map((p) => `${p.line}: ${p.field}: ${p.message}`).join('\n'));
  return load.roster;
}

/** Writes the roster's allowed_signers file and returns its path. */
export function writeAllowedSigners(dir: string, roster: Roster, name = 'allowed_signers'): string {
  const file = path.join(dir, name);
  writeFileSync(file, allowedSignersFor(roster));
  return file;
}

/** Plain git, as an auditor runs it: `git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=F verify-commit C`. */
export function gitVerifyCommit(repo: string, commit: string, allowedSigners: string): { ok: boolean; output: string } {
  const r = spawnSync('git', ['-c', 'gpg.format=ssh', '-c', `gpg.ssh.allowedSignersFile=${allowedSigners}`, 'verify-commit', '-v', commit], { cwd: repo, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

/** A commit object's raw bytes. */
export function rawCommit(repo: string, commit: string): Buffer {
  const r = spawnSync('git', ['cat-file', 'commit', commit], { cwd: repo });
  if (r.status !== 0) throw new Error(`cat-file ${commit}: ${r.stderr}`);
  return r.stdout;
}

/** Runs git and returns trimmed stdout, throwing on failure. */
export function git(repo: string, args: string[], input?: string | Buffer, env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync('git', args, { cwd: repo, input, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * The question `git verify-commit` answers, asked in-process: a good signature in namespace git
 * by a key the roster (its allowed_signers) lists, inside the key's window at the committer time.
 */
export function inProcessVerdict(raw: Buffer, roster: Roster, format: ObjectFormat = 'sha1'): boolean {
  const check = verifyCommitSignature(raw, { format });
  if (check.status !== 'valid' || check.committerSeconds === null) return false;
  return keyAt(roster, check.key.fingerprint, check.committerSeconds * 1000)?.status === 'valid';
}
