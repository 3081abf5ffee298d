import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keyAt } from '../app/roster/lookup';
import { parseRosterYaml, type Roster } from '../app/roster/schema';
import type { SshPublicKey } from '../app/roster/sshKey';
import { Git } from '../main/git';
import { addCommitSignature, verifyCommitSignatures } from '../main/signing/commitSignature';
import { RecordCommitter } from '../main/signing/recordCommit';
import { prepareSshSignature, runSignatureCheck } from '../main/signing/sshsig';
import { agentSigner } from '../main/signing/signer';
import { runSshTool } from '../main/signing/sshTools';
import { makeKey, startAgent } from '../test/support/sshAgent';
import { softKey, softSign } from '../test/support/softSsh';
import { generateLedger } from './generate';
import { sealRecord } from '../app/ledger';
import { GitEvidenceStore } from '../main/evidence/store';
import { verifyRepository } from '../main/evidence/verify';
import { writeSignedCopy } from './signedHistory';
import { report, summarise } from './stats';

/**
 * Signed evidence benchmarks (issue 15), each figure beside a baseline from the same run:
 *   1. appending one signed record with RecordCommitter (agent key, real ssh-agent) vs a raw
 *      signed plumbing commit in the same repository — `hash-object` + `mktree` + `commit-tree -S`
 *      (agent key) + `update-ref` — at 1,000 and 100,000 records; goal ≤ 1.5×. A third line does
 *      the raw commit with `ssh-keygen -Y sign` + `hash-object -t commit` instead of
 *      `commit-tree -S`, the two ways of signing the brief asked to compare. Interleaved so drift
 *      on a shared machine hits all alike. Every call goes through main/git.ts.
 *   2. verifying 100,000 signed commits read with `cat-file --batch` (signature + roster
 *      lookup, in-process) vs reading them without verifying (the I/O floor) and vs plain
 *      `git verify-commit` per commit (sampled); goal ≥ 10,000 commits/s.
 * BENCH_SIGNING_SESSIONS (default 10,000 sessions = 100,000 records), BENCH_SIGNING_REPS (30).
 */
const SESSIONS = Number(process.env.BENCH_SIGNING_SESSIONS ?? 10_000);
const REPS = Number(process.env.BENCH_SIGNING_REPS ?? 30);
const ACTOR = { name: 'Ada Lovelace', email: 'ada@example.com' };

interface Agent { socket: string; stop(): void; key: SshPublicKey; keyFile: string }

/** A real ssh-agent holding Ada's key; the private key file is removed once the agent has it, as an operator's would be on a security key. */
async function startBenchAgent(dir: string): Promise<Agent> {
  const agent = await startAgent(dir);
  const key = makeKey(dir, 'ada');
  agent.add(key.privatePath);
  rmSync(key.privatePath);
  return { socket: agent.socket, stop: agent.stop, key: key.publicKey, keyFile: `${key.privatePath}.pub` };
}

function gitSigned(repo: string, socket: string, args: string[]): string {
  const r = spawnSync('git', args, { cwd: repo, env: { ...process.env, SSH_AUTH_SOCK: socket }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git commit-tree -S: ${r.stderr}`);
  return r.stdout.trim();
}

async function appendBench(dir: string, sessions: number, agent: Agent): Promise<string> {
  const repo = path.join(dir, `repo-${sessions}`);
  const { head, records } = await generateLedger(repo, { sessions });
  const git = new Git(repo, { SSH_AUTH_SOCK: agent.socket });
  // Each series on a branch of its own at the generated tip: the records live on a host's ref (issue 14), not on main.
  await git.text('ours-branch', ['update-ref', 'refs/heads/bench-ours', head]);
  await git.text('raw-branch', ['update-ref', 'refs/heads/bench-raw', head]);
  await git.text('raw-branch-2', ['update-ref', 'refs/heads/bench-keygen', head]);
  const committer = await RecordCommitter.open(git);
  const signer = agentSigner(agent.key, { agentSocket: agent.socket });
  const now = Math.floor(Date.now() / 1000);
  let tip = head;
  let rawTip = head;
  let keygenTip = head;
  const ours: number[] = [];
  const raw: number[] = [];
  const keygen: number[] = [];
  const signing = ['-c', 'gpg.format=ssh', '-c', `user.signingKey=key::${agent.key.line}`, '-c', 'user.name=Ada Lovelace', '-c', 'user.email=ada@example.com'];
  for (let i = -2; i < REPS; i++) {
    const body = `${JSON.stringify({ bench: i, text: 'Checked state lock: still held.' }, null, 2)}\n`;
    // The record path of a new session declared now: sessions/<YYYY>/<MM>/<id>/000001-declared.json.
    const sessionId = `bg-20261201-000000-${(0xb0000000 + i + 2).toString(16)}`;
    let t = performance.now();
    tip = (await committer.append({ ref: 'refs/heads/bench-ours', parent: tip, path: `sessions/2026/12/${sessionId}/000001-declared.json`, content: body, message: `breakglass(${sessionId}): declared\n`, author: { ...ACTOR, seconds: now }, committer: { ...ACTOR, seconds: now } }, signer)).commit;
    const a = performance.now() - t;

    t = performance.now();
    const blob = await git.text('raw-blob', ['hash-object', '-w', '--stdin'], { input: body });
    const tree = await git.text('raw-tree', ['mktree'], { input: `100644 blob ${blob}\t${i}.json\n` });
    // main/git.ts refuses caller -c settings that name programs (gpg.*), so the baseline runs git itself.
    const commit = gitSigned(repo, agent.socket, [...signing, 'commit-tree', '-S', tree, '-p', rawTip, '-m', `raw ${i}`]);
    await git.updateRefs('raw-ref', [{ ref: 'refs/heads/bench-raw', next: commit, old: rawTip }]);
    rawTip = commit;
    const b = performance.now() - t;

    t = performance.now();
    const blob2 = await git.text('keygen-blob', ['hash-object', '-w', '--stdin'], { input: body });
    const tree2 = await git.text('keygen-tree', ['mktree'], { input: `100644 blob ${blob2}\t${i}.json\n` });
    const payload = Buffer.from(`tree ${tree2}\nparent ${keygenTip}\nauthor Ada Lovelace <ada@example.com> ${now} +0000\ncommitter Ada Lovelace <ada@example.com> ${now} +0000\n\nkeygen ${i}\n`);
    const { stdout } = await runSshTool('bench-sign', 'ssh-keygen', ['-Y', 'sign', '-n', 'git', '-U', '-f', agent.keyFile], { input: payload, agentSocket: agent.socket });
    const commit2 = await git.text('keygen-commit', ['hash-object', '-t', 'commit', '-w', '--stdin'], { input: addCommitSignature(payload, stdout.toString('utf8')) });
    await git.updateRefs('keygen-ref', [{ ref: 'refs/heads/bench-keygen', next: commit2, old: keygenTip }]);
    keygenTip = commit2;
    const c = performance.now() - t;
    if (i >= 0) {
      ours.push(a);
      raw.push(b);
      keygen.push(c);
    }
  }
  const baseline = summarise(raw);
  report(`append signed record (RecordCommitter), ${records} records`, summarise(ours), baseline, '≤ 1.5× raw signed plumbing');
  report(`  raw plumbing, ssh-keygen -Y sign + hash-object, ${records}`, summarise(keygen), baseline, 'which signing is faster');
  const fsck = spawnSync('git', ['fsck', '--no-dangling', '--connectivity-only'], { cwd: repo, encoding: 'utf8' });
  if (fsck.status !== 0) throw new Error(`fsck after the append bench: ${fsck.stderr}`);
  return repo;
}

async function verifyBench(repo: string): Promise<void> {
  const key = softKey('ssh-ed25519');
  let t = performance.now();
  const { ids } = await writeSignedCopy(repo, 'refs/heads/bench-ours', 'refs/heads/signed', key);
  const generated = performance.now() - t;
  console.log(`  (fixture: ${ids.length} commits re-signed in-process and stored with one index-pack in ${(generated / 1000).toFixed(1)} s)`);
  const load = parseRosterYaml(`version: 1\npeople:\n  - id: ada\n    name: Ada Lovelace\n    email: ada@example.com\n    roles: [operator, roster-admin]\n    keys:\n      - key: ${key.publicKey.line}\n`);
  if (!load.ok) throw new Error('bench roster');
  const roster: Roster = load.roster;
  const git = new Git(repo);
  const runs = Number(process.env.BENCH_SIGNING_VERIFY_REPS ?? 3);
  const verifyAll = async (pool?: null) => {
    const results = await verifyCommitSignatures(git, ids, pool === null ? { pool: null } : {});
    let good = 0;
    for (const { check } of results) if (check.status === 'valid' && keyAt(roster, check.key.fingerprint, (check.committerSeconds ?? 0) * 1000)?.status === 'valid') good++;
    if (good !== ids.length) throw new Error(`only ${good} of ${ids.length} signed commits verified`);
  };
  const verifyMs: number[] = [];
  const verifyCpu: number[] = [];
  const singleMs: number[] = [];
  const readMs: number[] = [];
  const cpuMs = (since: NodeJS.CpuUsage) => {
    const d = process.cpuUsage(since);
    return (d.user + d.system) / 1000;
  };
  for (let r = 0; r < runs; r++) {
    const c = process.cpuUsage();
    t = performance.now();
    await verifyAll();
    verifyMs.push(performance.now() - t);
    verifyCpu.push(cpuMs(c));
    t = performance.now();
    for (let i = 0; i < ids.length; i += 5000) await git.run('bench-read', ['cat-file', '--batch'], { input: `${ids.slice(i, i + 5000).join('\n')}\n` });
    readMs.push(performance.now() - t);
  }
  t = performance.now();
  await verifyAll(null);
  singleMs.push(performance.now() - t);
  // The primitive's own ceiling, same run, same key: node:crypto Ed25519 verify in a tight loop, one thread.
  const message = Buffer.from('tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\nceiling\n');
  const prepared = prepareSshSignature(softSign(key, message), message, 'git');
  if (!prepared.ok) throw new Error('ceiling job');
  const n = Math.min(20_000, ids.length);
  const c0 = process.cpuUsage();
  t = performance.now();
  for (let i = 0; i < n; i++) runSignatureCheck(prepared.job);
  const ceilingWall = performance.now() - t;
  const ceilingCpu = cpuMs(c0);
  const v = summarise(verifyMs);
  const rate = (count: number, ms: number) => Math.round((count / ms) * 1000).toLocaleString('en-US');
  report(`verify ${ids.length} signed commits (cat-file + SSHSIG + roster)`, v, summarise(readMs), '≥ 10,000 commits/s');
  console.log(`  = ${rate(ids.length, v.median)} commits/s wall on ${os.availableParallelism()} threads (${rate(ids.length, summarise(verifyCpu).median)} per CPU-second); in one thread ${rate(ids.length, singleMs[0]!)} commits/s; reading alone ${rate(ids.length, summarise(readMs).median)} commits/s`);
  console.log(`  ceiling: bare Ed25519 verify (node:crypto, OpenSSL ${process.versions.openssl}) ${rate(n, ceilingWall)}/s wall, ${rate(n, ceilingCpu)} per CPU-second, one thread; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  // Plain git, one verify-commit (and ssh-keygen) per commit, on a sample.
  const signers = path.join(repo, 'allowed_signers');
  spawnSync('sh', ['-c', `printf 'ada@example.com namespaces="git" %s\\n' "${key.publicKey.line}" > ${signers}`]);
  const sample = ids.slice(-50);
  t = performance.now();
  for (const id of sample) {
    const r = spawnSync('git', ['-c', 'gpg.format=ssh', '-c', `gpg.ssh.allowedSignersFile=${signers}`, 'verify-commit', id], { cwd: repo });
    if (r.status !== 0) throw new Error('git verify-commit refused a fixture commit');
  }
  const each = (performance.now() - t) / sample.length;
  console.log(`  plain git verify-commit: ${each.toFixed(1)} ms per commit = ${Math.round(1000 / each).toLocaleString('en-US')} commits/s (sample of ${sample.length})`);
}

/**
 * The product's path (issue 15 wiring): a note appended through GitEvidenceStore in a repository
 * with a roster (signed through the agent, RecordCommitter) vs one without (unsigned, fast-import),
 * same size, interleaved; then `verify` of each (the signed one also checks every signature).
 */
async function storeBench(dir: string, sessions: number, agent: Agent): Promise<void> {
  const open = async (name: string, roster: boolean) => {
    const repo = path.join(dir, `${name}-${sessions}`);
    await generateLedger(repo, { sessions });
    const store = await GitEvidenceStore.open(repo, { signing: { agentSocket: agent.socket } });
    if (roster) {
      const text = `version: 1\npeople:\n  - id: ada\n    name: Ada Lovelace\n    email: ada@example.com\n    roles: [operator, roster-admin]\n    keys:\n      - key: ${agent.key.line}\n`;
      await store.commitGovernance({ path: 'roster.yaml', content: text, message: 'roster\n', who: ACTOR }, agentSigner(agent.key, { agentSocket: agent.socket }));
    }
    return store;
  };
  const signed = await open('store-signed', true);
  const unsigned = await open('store-unsigned', false);
  const sessionId = 'bg-20261201-000000-b1000000';
  const note = (store: GitEvidenceStore, i: number) => store.write(async (view, append) => append(sealRecord(view.sessions.get(sessionId), {
    sessionId, type: 'note', at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), host: { id: 'bench-host', name: 'bench-host' }, actor: ACTOR, redactions: 0, payload: { text: `note ${i}` },
  } as Parameters<typeof sealRecord>[1]), null));
  const a: number[] = [];
  const b: number[] = [];
  for (let i = -2; i < REPS; i++) {
    let t = performance.now();
    await note(signed, i);
    const x = performance.now() - t;
    t = performance.now();
    await note(unsigned, i);
    const y = performance.now() - t;
    if (i >= 0) {
      a.push(x);
      b.push(y);
    }
  }
  report(`append a record through the store, signed (roster), ${sessions * 10} records`, summarise(a), summarise(b), 'vs unsigned (no roster)');
  const vs: number[] = [];
  const vu: number[] = [];
  let proven = 0;
  for (let r = 0; r < 2; r++) {
    let t = performance.now();
    const result = await verifyRepository(signed);
    vs.push(performance.now() - t);
    proven = result.signatures?.proven ?? 0;
    // The bench's notes sit in a session without a declaration (verify names that); every signature must hold.
    if (result.signatures?.invalid !== 0 || proven !== REPS + 2) throw new Error(`verify of the signed store: ${proven} proven, ${result.signatures?.invalid} invalid`);
    t = performance.now();
    await verifyRepository(unsigned);
    vu.push(performance.now() - t);
  }
  report(`verify, signed store (${proven} signed + ${sessions * 10} claimed)`, summarise(vs), summarise(vu), 'vs verify of the unsigned store');
}

/** Runs the signing benchmarks. */
export async function signingBenchmarks(): Promise<void> {
  console.log(`# Signed evidence (git ${spawnSync('git', ['--version'], { encoding: 'utf8' }).stdout.trim()}, ${spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr.trim()}, ${os.cpus().length} cores)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'breakglass-signing-bench-'));
  const agent = await startBenchAgent(dir);
  try {
    await storeBench(dir, Math.max(1, Math.round(SESSIONS / 100)), agent);
    const small = await appendBench(dir, Math.max(1, Math.round(SESSIONS / 100)), agent);
    rmSync(small, { recursive: true, force: true });
    const big = await appendBench(dir, SESSIONS, agent);
    await verifyBench(big);
  } finally {
    agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
