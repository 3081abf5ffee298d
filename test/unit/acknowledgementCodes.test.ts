import { describe, expect, it } from 'vitest';
import { ackMessage, base32, challengeOf, CODE_ALPHABET, formatCode, responseOf, responseOfArmored, TypedCodeSchema } from '../../app/acknowledgement/codes';
import { DEFAULT_POLICY, PolicySchema } from '../../app/policy';

// Issue 16: the codes an operator reads aloud to the incident commander, and the commander back.

describe('acknowledgement codes', () => {
  it('the alphabet is Crockford base32: no I, L, O or U', () => {
    expect(CODE_ALPHABET).toHaveLength(32);
    expect(CODE_ALPHABET).not.toMatch(/[ILOU]/);
  });

  it('a challenge is the first 50 bits of the commit id, in base32, read in two groups of five', () => {
    // 0x00 0x44 0x32 0x14 0xc7 … : 00000 00001 00010 00011 00100 00101 00110 00111 …
    const commit = `00443214c74254b635cf${'0'.repeat(20)}`;
    expect(challengeOf(commit)).toBe('0123456789');
    expect(formatCode(challengeOf(commit))).toBe('01234-56789');
    expect(challengeOf('f'.repeat(64))).toBe('ZZZZZZZZZZ');
    expect(() => challengeOf('not-a-commit')).toThrow();
  });

  it('the response is base32 of SHA-256 over the signature bytes, from the armored form as from the bytes', () => {
    const bytes = new TextEncoder().encode('SSHSIG fake signature bytes');
    const armored = `-----BEGIN SSH SIGNATURE-----\n${Buffer.from(bytes).toString('base64')}\n-----END SSH SIGNATURE-----\n`;
    expect(responseOf(bytes)).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
    expect(responseOfArmored(armored)).toBe(responseOf(bytes));
    expect(responseOfArmored('not a signature')).toBeNull();
    expect(base32(new Uint8Array([0xff, 0xff]), 3)).toBe('ZZZ');
  });

  it('typed codes forgive case, spaces, dashes and the confusable letters; the error never repeats the typing', () => {
    expect(TypedCodeSchema.parse(' abcde-fghjk ')).toBe('ABCDEFGHJK');
    expect(TypedCodeSchema.parse('ABCDE FGHJK')).toBe('ABCDEFGHJK');
    expect(TypedCodeSchema.parse('o1i2l-34567')).toBe('0112134567');
    const short = TypedCodeSchema.safeParse('secret-AB');
    expect(short.success).toBe(false);
    expect(JSON.stringify(short.error)).not.toContain('secret');
    expect(TypedCodeSchema.safeParse('ABCDE-FGHJU').success).toBe(false);
  });

  it('the signed message names the version and the challenge', () => {
    expect(ackMessage('ABCDEFGHJK')).toBe('breakglass-ack-v1:ABCDEFGHJK');
  });
});

describe('the acknowledgement policy', () => {
  it('defaults to within 15 minutes, and bounds the window', () => {
    expect(DEFAULT_POLICY.acknowledgement).toEqual({ declared: 'within', withinMinutes: 15 });
    const { acknowledgement: _, ...rest } = DEFAULT_POLICY;
    expect(PolicySchema.safeParse({ ...rest, acknowledgement: { declared: 'within', withinMinutes: 10_000 } }).success).toBe(false);
    expect(PolicySchema.safeParse({ ...rest, acknowledgement: { declared: 'sometimes' } }).success).toBe(false);
    expect(PolicySchema.parse({ ...rest, acknowledgement: { declared: 'before-actions' } }).acknowledgement).toEqual({ declared: 'before-actions', withinMinutes: 15 });
  });
});
