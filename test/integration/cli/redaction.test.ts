import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRawOutput, gitDirOf, loadOrCreateOutputKey, OUTPUT_KEY_FILE, outputKeyId } from '../../../main/evidence/outputKey';
import type { OutputHmac } from '../../../app/records';
import { declaration, jsonFile } from '../../support/cli';
import { allObjectsText, assertCliBuilt, gitx } from '../../support/lifecycleKit';
import { IS_ROOT, NEEDS_ROOT, operatorRepo, type OperatorRepo } from '../../support/namedUser';
import { CREDENTIAL_FORMATS, Rng, firstLeak, type Sample } from '../../support/redactionCorpus';

// Issue 13, end to end: secrets sent through the real CLI as a named non-root user — command
// output (`exec -- cat FILE`), command lines (argv) and notes — reach no git object and no file
// of the git dir; the action's output is authenticated under the host key, not hashed in the clear.

/** Every file under `dir`, as text (binary files too: a secret in them would still show). */
function filesText(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out += filesText(p);
    else if (st.isFile()) out += `\n${p}\n${readFileSync(p).toString('latin1')}`;
  }
  return out;
}

beforeAll(() => assertCliBuilt());

describe('redaction through the CLI, as a named user' + NEEDS_ROOT, () => {
  let op: OperatorRepo | undefined;
  let uid = 0;
  let gid = 0;
  let dir = '';
  let repo = '';
  const samples: Array<Sample & { name: string }> = CREDENTIAL_FORMATS.map((f, i) => ({ name: f.name, ...f.make(new Rng(77_000 + i)) }));
  const outputSamples = samples.filter((_, i) => i % 2 === 0);
  const noteSamples = samples.filter((_, i) => i % 2 === 1);
  const argvSamples = samples.filter((s) => s.argv[0] !== 'printf' && s.argv[0] !== 'curl').slice(0, 6);
  const asUser = (args: string[]) => op!.asUser(args);

  beforeAll(async () => {
    if (!IS_ROOT) return;
    op = await operatorRepo('bgredact');
    ({ dir, repo } = op);
    ({ uid, gid } = op.named);
  });

  afterAll(() => op?.remove());

  it.skipIf(!IS_ROOT)('leaves no secret in any git object or file of the git dir, and authenticates the output under the host key', async () => {
    const decl = jsonFile(dir, 'decl.json', declaration());
    const outFile = path.join(dir, 'output.txt');
    const output = outputSamples.map((s) => `### ${s.name}\n${s.text}\n`).join('');
    writeFileSync(outFile, output);
    spawnSync('chown', [`${uid}:${gid}`, decl, outFile]);

    const declared = await asUser(['--json', 'declare', '--file', decl]);
    expect(declared.code, declared.stderr).toBe(0);
    const { sessionId } = JSON.parse(declared.stdout) as { sessionId: string };
    // Command output: `exec -- cat FILE`.
    const cat = await asUser(['exec', '--', 'cat', outFile]);
    expect(cat.code, cat.stderr).toBe(0);
    expect(cat.stdout).toBe(output); // the operator sees the real output; only the record is redacted
    // Command lines: each argv printed on one line, so the output keeps the command's context too.
    for (const s of argvSamples) {
      const r = await asUser(['exec', '--', 'printf', '%s ', ...s.argv]);
      expect(r.code, `${s.name}: ${r.stderr}`).toBe(0);
    }
    // Notes, several formats each (a note holds up to 20,000 characters).
    for (let i = 0; i < noteSamples.length; i += 15) {
      const text = noteSamples.slice(i, i + 15).map((s) => `${s.name}: ${s.text}`).join('\n');
      const r = await asUser(['note', text]);
      expect(r.code, r.stderr).toBe(0);
    }

    const gitDir = gitDirOf(repo);
    const everything = `${allObjectsText(repo)}\n${filesText(gitDir)}\n${filesText(path.join(dir, 'data'))}`;
    const leaked = samples.filter((s) => [...outputSamples, ...noteSamples, ...argvSamples].includes(s)).map((s) => [s.name, firstLeak(everything, s.secrets)] as const).filter(([, l]) => l !== undefined);
    expect(leaked).toEqual([]);

    // The records say how many redactions of which kinds; the action proves its raw output only with the key.
    const log = JSON.parse((await asUser(['--json', 'log', '--session', sessionId])).stdout) as Array<{ type: string; record: { redactions: number; redactionKinds?: Record<string, number>; payload: { argv: string[]; outputSha256?: string; outputHmac: OutputHmac } } }>;
    const actions = log.filter((e) => e.type === 'action');
    expect(actions).toHaveLength(1 + argvSamples.length);
    const catRecord = actions[0]!.record;
    expect(catRecord.redactions).toBeGreaterThanOrEqual(outputSamples.length);
    expect(Object.values(catRecord.redactionKinds ?? {}).reduce((a, b) => a + b, 0)).toBe(catRecord.redactions);
    expect(catRecord.payload.outputSha256).toBeUndefined();
    const keyFile = path.join(gitDir, OUTPUT_KEY_FILE);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(keyFile).uid).toBe(uid);
    expect(gitx(repo, ['ls-tree', '-r', '--name-only', 'main'])).not.toContain(OUTPUT_KEY_FILE);
    const key = loadOrCreateOutputKey(gitDir);
    expect(catRecord.payload.outputHmac.keyId).toBe(outputKeyId(key));
    expect(everything).toContain(catRecord.payload.outputHmac.value); // the search does see the committed records
    expect(checkRawOutput(Buffer.from(output), catRecord.payload, key).result).toBe('match');
    expect(checkRawOutput(Buffer.from(`${output} `), catRecord.payload, key).result).toBe('mismatch');
    for (const a of actions.slice(1)) expect(a.record.redactions).toBeGreaterThanOrEqual(1);

    // The chain verifies with the new fields (they are part of each record, so the hash covers them).
    const verify = await asUser(['verify']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
