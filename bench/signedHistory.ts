import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { addCommitSignature, parseCatFileBatch, splitSignedCommit } from '../main/signing/commitSignature';
import { objectId } from '../main/signing/gitObjects';
import { softSign, type SoftKey } from '../test/support/softSsh';

/**
 * Benchmark fixture: a copy of a repository's history in which every commit is SSH-signed, made
 * fast. 100,000 signatures through ssh-keygen would take an hour, and fast-import cannot write
 * signed commits (git 2.39), so: the unsigned history (written by fast-import) is read with one
 * `cat-file --batch`; each commit is re-parented onto its already re-signed parent, signed
 * in-process with a software Ed25519 key (node:crypto — fine for a fixture, never for evidence),
 * and its id computed; all commits go into one packfile (gitformat-pack: undeltified objects)
 * that one `git index-pack --stdin` stores. Trees and blobs are shared with the original history.
 */

function run(cwd: string, args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const c = spawn('git', args, { cwd, stdio: ['pipe', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    c.stdout.on('data', (d: Buffer) => out.push(d));
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`git ${args[0]} exited ${code}`))));
    c.stdin.end(input ?? '');
  });
}

/** A pack entry header: type (commit = 1) and size, 4 bits then 7 bits a byte, little-endian (gitformat-pack). */
function entryHeader(type: number, size: number): Buffer {
  const bytes: number[] = [];
  let byte = (type << 4) | (size & 0x0f);
  size = Math.floor(size / 16);
  while (size > 0) {
    bytes.push(byte | 0x80);
    byte = size & 0x7f;
    size = Math.floor(size / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}

/** Writes every commit of `from` again, signed by `key`, under `to`; returns the new tip and the signed ids (oldest first). */
export async function writeSignedCopy(repo: string, from: string, to: string, key: SoftKey): Promise<{ tip: string; ids: string[] }> {
  const ids = (await run(repo, ['rev-list', '--reverse', '--topo-order', from])).toString('latin1').trim().split('\n');
  const objects = parseCatFileBatch(await run(repo, ['cat-file', '--batch'], Buffer.from(`${ids.join('\n')}\n`)));
  const renamed = new Map<string, string>();
  const header = Buffer.alloc(12);
  header.write('PACK', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(objects.length, 8);
  const parts: Buffer[] = [header];
  const signedIds: string[] = [];
  for (const o of objects) {
    // Commits already signed (the append benchmark's) lose their signature first: one signer per copy.
    const text = splitSignedCommit(o.body).payload.toString('latin1');
    const eoh = text.indexOf('\n\n');
    const headers = text.slice(0, eoh).replace(/^parent ([0-9a-f]{40})$/gm, (_m, p: string) => `parent ${renamed.get(p) ?? p}`);
    const payload = Buffer.from(headers + text.slice(eoh), 'latin1');
    const signed = addCommitSignature(payload, softSign(key, payload));
    const id = objectId('commit', signed, 'sha1');
    renamed.set(o.id, id);
    signedIds.push(id);
    parts.push(entryHeader(1, signed.length), deflateSync(signed, { level: 1 }));
  }
  const pack = Buffer.concat(parts);
  await run(repo, ['index-pack', '--stdin'], Buffer.concat([pack, createHash('sha1').update(pack).digest()]));
  const tip = signedIds[signedIds.length - 1]!;
  await run(repo, ['update-ref', to, tip]);
  return { tip, ids: signedIds };
}
