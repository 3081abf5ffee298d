import { describe, expect, it } from 'vitest';
import { SshFormatError, SshWireReader } from '../../../app/roster/sshKey';
import { committerSeconds } from '../../../main/signing/commitSignature';
import { dearmorSshSignature } from '../../../main/signing/sshsig';

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
    }
  });

  it('SshWireReader.text: printable ASCII only', () => {
    const field = (s: number[]) => new Uint8Array([0, 0, 0, s.length, ...s]);
    expect(new SshWireReader(field([0x67, 0x69, 0x74])).text()).toBe('git');
    expect(new SshWireReader(field([])).text()).toBe('');
    for (const bad of [0x1f, 0x7f, 0x80, 0xff, 0x0a]) expect(() => new SshWireReader(field([0x67, bad])).text()).toThrow(SshFormatError);
  });
});
