import { describe, expect, it } from 'vitest';
import { defaultPolicyYaml, parsePolicyYaml, type PolicyProblem } from '../../app/policy';
import { destinationFingerprint, destinationHostProblems, destinationRequirements, destinationTarget, ForwardingSchema } from '../../app/forwarding/policy';

const SECTION = `forwarding:
  checkpointMinutes: 30
  destinations:
    - id: siem
      kind: syslog
      host: siem.example.com
      caFile: /etc/breakglass/siem-ca.pem
      clientCertFile: /etc/breakglass/client.pem
      clientKeyFile: /etc/breakglass/client-key.pem
    - id: alerts
      kind: webhook
      url: https://hooks.example.com/breakglass?team=sec
      secret: { env: BREAKGLASS_WEBHOOK_SECRET }
    - id: splunk
      kind: splunk-hec
      url: https://splunk.example.com:8088
      token: { file: /etc/breakglass/hec-token }
      indexerAcknowledgement: true
`;

function withSection(section: string): string {
  return `${defaultPolicyYaml()}${section}`;
}

function problems(section: string): PolicyProblem[] {
  const r = parsePolicyYaml(withSection(section));
  if (r.ok) throw new Error('expected the policy to be refused');
  return r.problems;
}

/** The section with one line replaced (the line must be there exactly once). */
function edited(from: string, to: string): string {
  expect(SECTION.split(from)).toHaveLength(2);
  return SECTION.replace(from, to);
}

describe('policy: forwarding destinations (issue 19)', () => {
  it('is optional: the default policy has none and still loads unchanged', () => {
    expect(defaultPolicyYaml()).not.toMatch(/forwarding/);
    const r = parsePolicyYaml(defaultPolicyYaml());
    expect(r.ok && r.policy.forwarding).toBeUndefined();
  });

  it('loads syslog over TLS, a signed webhook and Splunk HEC, with defaults filled in', () => {
    const r = parsePolicyYaml(withSection(SECTION));
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const [siem, alerts, splunk] = r.policy.forwarding!.destinations;
    expect(siem).toMatchObject({ kind: 'syslog', port: 6514, facility: 'authpriv', appName: 'breakglass', timeoutSeconds: 10 });
    expect(siem).not.toHaveProperty('insecurePlainTcp');
    expect(alerts).toMatchObject({ kind: 'webhook', secret: { env: 'BREAKGLASS_WEBHOOK_SECRET' }, signatureHeader: 'X-Breakglass-Signature', timestampHeader: 'X-Breakglass-Timestamp' });
    expect(splunk).toMatchObject({ kind: 'splunk-hec', indexerAcknowledgement: true, ackTimeoutSeconds: 60, sourcetype: 'ocsf:breakglass' });
    expect(r.policy.forwarding!.checkpointMinutes).toBe(30);
  });

  it('refuses a secret written into the policy, naming the field and line', () => {
    const section = edited('      secret: { env: BREAKGLASS_WEBHOOK_SECRET }', '      secret: "s3cr3t-value"');
    const line = withSection(section).split('\n').findIndex((l) => l.includes('s3cr3t-value')) + 1;
    const p = problems(section);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ field: 'forwarding.destinations[1].secret', line });
    expect(p[0]!.message).toMatch(/never the secret itself/);
    expect(JSON.stringify(p)).not.toContain('s3cr3t-value');
    expect(problems(edited('      token: { file: /etc/breakglass/hec-token }', '      token: { env: HEC, file: /x }'))[0]!.message).toBe('Give exactly one of env or file.');
  });

  it('refuses credentials in a URL, and plain http', () => {
    expect(problems(edited('https://hooks.example.com/breakglass?team=sec', 'https://bot:hunter2@hooks.example.com/x'))[0]!.message).toMatch(/may not carry a user name or password/);
    expect(problems(edited('https://splunk.example.com:8088', 'http://splunk.example.com:8088'))[0]!.message).toBe('Give an https:// URL.');
  });

  it('takes plain TCP only when insecurePlainTcp is true, and then no TLS settings', () => {
    expect(problems(edited('      host: siem.example.com\n', '      host: siem.example.com\n      insecurePlainTcp: false\n'))[0]!.message).toMatch(/can only be true/);
    const plain = problems(edited('      host: siem.example.com\n', '      host: siem.example.com\n      insecurePlainTcp: true\n'));
    expect(plain.map((x) => x.field).sort()).toEqual(['forwarding.destinations[0].caFile', 'forwarding.destinations[0].clientCertFile', 'forwarding.destinations[0].clientKeyFile']);
  });

  it('needs the client certificate and its key together, and absolute paths', () => {
    expect(problems(edited('      clientKeyFile: /etc/breakglass/client-key.pem\n', ''))[0]).toMatchObject({ field: 'forwarding.destinations[0].clientKeyFile', message: 'Give the client certificate and its key together.' });
    expect(problems(edited('caFile: /etc/breakglass/siem-ca.pem', 'caFile: siem-ca.pem'))[0]!.message).toMatch(/absolute path/);
  });

  it('bounds every number', () => {
    const bad: Array<[string, string, string]> = [
      ['  checkpointMinutes: 30', '  checkpointMinutes: 100000', 'forwarding.checkpointMinutes'],
      ['  checkpointMinutes: 30', '  checkpointMinutes: 0', 'forwarding.checkpointMinutes'],
      ['      host: siem.example.com\n', '      host: siem.example.com\n      port: 70000\n', 'forwarding.destinations[0].port'],
      ['      host: siem.example.com\n', '      host: siem.example.com\n      timeoutSeconds: 3600\n', 'forwarding.destinations[0].timeoutSeconds'],
      ['      indexerAcknowledgement: true\n', '      indexerAcknowledgement: true\n      ackTimeoutSeconds: 100000\n', 'forwarding.destinations[2].ackTimeoutSeconds'],
    ];
    for (const [from, to, field] of bad) expect(problems(edited(from, to)).map((x) => x.field)).toEqual([field]);
    const nine = Array.from({ length: 9 }, (_, i) => `    - { id: s${i}, kind: syslog, host: h${i}.example.com }`).join('\n');
    expect(problems(`forwarding:\n  destinations:\n${nine}\n`)[0]).toMatchObject({ field: 'forwarding.destinations', message: 'At most 8 destinations.' });
  });

  it('refuses a destination listed twice, an unknown kind and an unknown field', () => {
    expect(problems(edited('    - id: alerts', '    - id: siem'))[0]).toMatchObject({ field: 'forwarding.destinations[1].id', message: 'Destination "siem" is listed twice.' });
    expect(problems(edited('      kind: webhook', '      kind: email'))[0]!.message).toMatch(/syslog, webhook or splunk-hec/);
    expect(problems(edited('      host: siem.example.com\n', '      host: siem.example.com\n      verify: false\n'))[0]).toMatchObject({ field: 'forwarding.destinations[0].verify', message: 'unknown field "verify"' });
  });

  it('names targets without query strings or secrets, and what the host must hold', () => {
    const f = ForwardingSchema.parse((parsePolicyYaml(withSection(SECTION)) as { ok: true; policy: { forwarding: unknown } }).policy.forwarding);
    expect(f.destinations.map(destinationTarget)).toEqual(['tls://siem.example.com:6514', 'https://hooks.example.com/breakglass', 'https://splunk.example.com:8088']);
    expect(destinationRequirements(f.destinations[0]!).files.map((x) => x.field)).toEqual(['caFile', 'clientCertFile', 'clientKeyFile']);
    expect(destinationRequirements(f.destinations[1]!).env).toEqual([{ field: 'secret', name: 'BREAKGLASS_WEBHOOK_SECRET' }]);
    expect(destinationRequirements(f.destinations[2]!).files).toEqual([{ field: 'token', path: '/etc/breakglass/hec-token' }]);
    const moved = { ...f.destinations[0]!, host: 'siem2.example.com' };
    expect(destinationFingerprint(moved)).not.toBe(destinationFingerprint(f.destinations[0]!));
    expect(destinationFingerprint({ ...f.destinations[0]!, timeoutSeconds: 30 } as typeof moved)).toBe(destinationFingerprint(f.destinations[0]!));
  });

  it('says what this host lacks for each destination, never a value', () => {
    const f = ForwardingSchema.parse((parsePolicyYaml(withSection(SECTION)) as { ok: true; policy: { forwarding: unknown } }).policy.forwarding);
    const host = { env: (n: string) => (n === 'PRESENT' ? 'value' : undefined), fileExists: (p: string) => p === '/etc/breakglass/siem-ca.pem' };
    expect(destinationHostProblems(f.destinations[0]!, host)).toEqual([
      'Forwarding to siem: the file /etc/breakglass/client.pem named by clientCertFile is not on this host.',
      'Forwarding to siem: the file /etc/breakglass/client-key.pem named by clientKeyFile is not on this host.',
    ]);
    expect(destinationHostProblems(f.destinations[1]!, host)).toEqual(['Forwarding to alerts: the environment variable BREAKGLASS_WEBHOOK_SECRET named by secret is not set.']);
    expect(destinationHostProblems(f.destinations[1]!, { ...host, env: () => 'set' })).toEqual([]);
  });
});
