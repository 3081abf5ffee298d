import { afterAll, describe, expect, it } from 'vitest';
import { prepareSshSignature, runSignatureCheck, type SignatureCheckJob } from '../../../main/signing/sshsig';
import { SignatureCheckPool } from '../../../main/signing/verifyPool';
import { softKey, softSign } from '../../support/softSsh';

// The worker-thread signature checks give exactly the answers of the in-thread check.

const pool = new SignatureCheckPool(2);
afterAll(() => pool.close());

describe('SignatureCheckPool', () => {
  it('answers like runSignatureCheck for every key type, good and bad, in job order', async () => {
    const keys = (['ssh-ed25519', 'ecdsa-sha2-nistp256', 'sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com'] as const).map((t) => softKey(t));
    const jobs: SignatureCheckJob[] = [];
    for (let i = 0; i < 400; i++) {
      const key = keys[i % keys.length]!;
      const message = Buffer.from(`commit ${i}\n`);
      const armored = softSign(key, message);
      // Every third job checks the signature against another message: must be false.
      const prepared = prepareSshSignature(armored, i % 3 === 0 ? Buffer.from(`other ${i}\n`) : message, 'git');
      if (!prepared.ok) throw new Error('prepare failed');
      jobs.push(prepared.job);
    }
    const inThread = jobs.map(runSignatureCheck);
    expect(inThread.filter((g) => !g)).toHaveLength(134);
    expect(await pool.run(jobs)).toEqual(inThread);
    expect(await pool.run([])).toEqual([]);
  });
});
