import { describe, expect, it } from 'vitest';
import { SshFormatError, SshWireReader } from '../../../app/roster/sshKey';
import { committerSeconds, splitSignedCommit, splitSignedCommitByLines } from '../../../main/signing/commitSignature';
import { dearmorSshSignature, dearmorSshSignatureBytes } from '../../../main/signing/sshsig';

// The verify hot path reads these without regular expressions (issue 15 throughput); each must
// answer exactly as the regular expression it replaced, on ordinary and hostile input alike.

const committerLine = (raw: Buffer): number | null => {
  const eoh = raw.indexOf('\n\n');
  const at = raw.indexOf('\ncommitter ');
  if (at === -1 || (eoh !== -1 && at > eoh)) return null;
  const end = raw.indexOf(0x0a, at + 1);
  const m = /> (\d+) [+-]\d{4}$/.exec(raw.subarray(at + 1, end === -1 ? raw.length : end).toString('utf8'));
  return m ? Number(m[1]) : null;
};

const oldDearmor = (armored: string): Buffer | 'refused' => {
  const text = armored.replace(/\r\n/g, '\n').trim();
  const [begin, end] = ['-----BEGIN SSH SIGNATURE-----', '-----END SSH SIGNATURE-----'];
  if (!text.startsWith(begin) || !text.endsWith(end)) return 'refused';
  const body = text.slice(begin.length, text.length - end.length).replace(/\n/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) return 'refused';
  return Buffer.from(body, 'base64');
};

describe('hot-path parsing agrees with the regular expressions it replaced', () => {
  it('committerSeconds', () => {
    const tails = [
      'Ada <ada@example.com> 1780000000 +0000', 'Ada <ada@example.com> 1780000000 -0130', 'Ada <ada@example.com> 0 +0000',
      'Ada <ada@example.com> 1780000000 +000', 'Ada <ada@example.com> 1780000000 *0000', 'Ada <ada@example.com>1780000000 +0000',
      'Ada <ada@example.com> +0000', 'Ada <ada@example.com>  +0000', 'Ada <ada@example.com> 17x0 +0000', 'Ada <ada@example.com> 1780000000 +0000\r',
      'Ada <ada@example.com> 1780000000 +0000 ', '> 1 +0000', '1 +0000', '+0000', '', 'Ada \u00e9\u2603 <a@b> 99999999999999999999 +1200',
      'Ada <a@b> 12 +1200 > 34 +0000', 'Ada <a@b>> 5 +0000', 'Ada <a@b> 5 5 +0000',
    ];
    for (const tail of tails) {
      for (const body of [`tree x\nauthor A <a> 1 +0000\ncommitter ${tail}\n\nmessage\n`, `tree x\ncommitter ${tail}`, `tree x\n\ncommitter ${tail}\n`]) {
        const raw = Buffer.from(body, 'utf8');
        expect({ body, got: committerSeconds(raw) }).toEqual({ body, got: committerLine(raw) });
      }
    }
    const invalidUtf8 = Buffer.concat([Buffer.from('tree x\ncommitter A <a>'), Buffer.from([0xe2, 0x3e]), Buffer.from(' 42 +0000\n\n')]);
    expect(committerSeconds(invalidUtf8)).toBe(committerLine(invalidUtf8));
  });

  it('dearmorSshSignature', () => {
    const wrap = (body: string, eol = '\n') => `-----BEGIN SSH SIGNATURE-----${eol}${body}${eol}-----END SSH SIGNATURE-----${eol}`;
    const inputs = [
      wrap('U1NIU0lHAAAAAQ=='), wrap('U1NIU0lHAAAAAQ==', '\r\n'), wrap('U1NI\nU0lH\nAAAA\nAQ=='), wrap('U1NIU0lHAAAAAQ='), wrap('U1NIU0lHAAAAAQ'),
      wrap('U1NIU0lHAAAAA==='), wrap('===='), wrap(''), wrap('U1NI U0lH'), wrap('U1NI\rU0lH'), wrap('U1=IU0lH'), wrap('U1NIU0l-'),
      wrap('U1NIU0lHAAAAAQ=\n='), `  ${wrap('U1NIU0lH')}\t\n`, wrap('U1NIU0lH').replace('BEGIN', 'START'), wrap('U1NIU0lH').trimEnd().slice(0, -1),
      wrap('abcd\u00e9fgh'), wrap('QUJD\n\nREVG'),
    ];
    for (const armored of inputs) {
      let got: Buffer | 'refused';
      try {
        got = dearmorSshSignature(armored);
      } catch (e) {
        expect(e).toBeInstanceOf(SshFormatError);
        got = 'refused';
      }
      expect({ armored, got }).toEqual({ armored, got: oldDearmor(armored) });
      // The bytes path (the verifier's: a commit's signature header) answers alike.
      let fromBytes: Buffer | 'refused';
      try {
        fromBytes = dearmorSshSignatureBytes(Buffer.from(armored, 'utf8'));
      } catch (e) {
        expect(e).toBeInstanceOf(SshFormatError);
        fromBytes = 'refused';
      }
      expect({ armored, fromBytes }).toEqual({ armored, fromBytes: oldDearmor(armored) });
    }
  });

  it('dearmorSshSignatureBytes: every wrapping and padding of real-sized bodies', () => {
    const blob = Buffer.from(Array.from({ length: 83 }, (_, i) => (i * 37 + 11) & 0xff));
    for (const cut of [0, 1, 2, 3]) {
      const b64 = blob.subarray(0, blob.length - cut).toString('base64');
      for (const width of [1, 3, 4, 70, 76, 1000]) {
        const lines = b64.match(new RegExp(`.{1,${width}}`, 'g'))!.join('\n');
        for (const tail of ['\n', '', '\n\n', ' \n']) {
          const armored = `-----BEGIN SSH SIGNATURE-----\n${lines}\n-----END SSH SIGNATURE-----${tail}`;
          expect({ armored, got: dearmorSshSignatureBytes(Buffer.from(armored)).toString('hex') }).toEqual({ armored, got: (oldDearmor(armored) as Buffer).toString('hex') });
        }
      }
    }
  });

  it('splitSignedCommit: its one-header path splits as the line walk does', () => {
    const sig = (h: string) => `${h} -----BEGIN SSH SIGNATURE-----\n U1NI\n U0lH\n -----END SSH SIGNATURE-----\n`;
    const head = 'tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n';
    const who = 'author A <a@b> 1 +0000\ncommitter A <a@b> 1 +0000\n';
    const commits = [
      `${head}${who}${sig('gpgsig')}\nmessage\n`, `${head}${sig('gpgsig')}${who}\nmessage\n`, `${sig('gpgsig')}${head}${who}\nm\n`,
      `${head}${who}${sig('gpgsig')}`, `${head}${who}${sig('gpgsig').trimEnd()}`, `${head}${who}${sig('gpgsig')}\ngpgsig in the message\n`,
      `${head}${who}${sig('gpgsig-sha256')}\nm\n`, `${head}${who}${sig('gpgsig')}${sig('gpgsig-sha256')}\nm\n`, `${head}${who}${sig('gpgsig')}${sig('gpgsig')}\nm\n`,
      `${head}author gpgsig <a@b> 1 +0000\n${sig('gpgsig')}\nm\n`, `${head}${who}gpgsigx value\n${sig('gpgsig')}\nm\n`, `${head}${who}mergetag x\n gpgsig inside\n${sig('gpgsig')}\nm\n`,
      `${head}${who}${sig('gpgsig')} trailing continuation\n\nm\n`, `${head}${who}\n${sig('gpgsig')}`, `${head}${who}${sig('gpgsig ')}\nm\n`, `${head}${who}gpgsig\n\nm\n`,
    ];
    for (const text of commits) {
      for (const format of ['sha1', 'sha256'] as const) {
        const raw = Buffer.from(text, 'utf8');
        const a = splitSignedCommit(raw, format);
        const b = splitSignedCommitByLines(raw, format);
        expect({ text, format, payload: a.payload.toString('latin1'), signature: a.signature?.toString('latin1') ?? null }).toEqual({ text, format, payload: b.payload.toString('latin1'), signature: b.signature?.toString('latin1') ?? null });
      }
    }
  });

  it('SshWireReader.text: printable ASCII only', () => {
    const field = (s: number[]) => new Uint8Array([0, 0, 0, s.length, ...s]);
    expect(new SshWireReader(field([0x67, 0x69, 0x74])).text()).toBe('git');
    expect(new SshWireReader(field([])).text()).toBe('');
    for (const bad of [0x1f, 0x7f, 0x80, 0xff, 0x0a]) expect(() => new SshWireReader(field([0x67, bad])).text()).toThrow(SshFormatError);
  });
});
