import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { redactDeep, redactText } from '../../app/redact';

// Fake secrets are generated at run time in the right shape, so no token-shaped literal
// sits in the repository (and secret scanners on the remote stay quiet).
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const B64 = `${ALNUM}+/`;
const B64URL = `${ALNUM}-_`;
const HEX = '0123456789abcdef';
const DIGITS = '0123456789';

function fake(len: number, alphabet: string, seed: number): string {
  let x = seed >>> 0 || 1;
  let out = '';
  for (let i = 0; i < len; i++) {
    // xorshift32: deterministic, so a failing sample is reproducible.
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out += alphabet[x % alphabet.length];
  }
  return out;
}

function pemBody(seed: number, lines = 4): string[] {
  return Array.from({ length: lines }, (_, i) => fake(64, B64, seed * 100 + i));
}

function pem(label: string, seed: number, headers: string[] = []): { block: string; body: string[] } {
  const body = pemBody(seed);
  const block = [`-----BEGIN ${label}-----`, ...headers, ...body, `-----END ${label}-----`].join('\n');
  return { block, body };
}

interface Sample {
  name: string;
  input: string;
  secrets: string[]; // substrings that must not survive
  kinds: string[]; // markers that must appear
  count: number;
  expected?: string; // exact output, where keeping the surrounding text matters
}

// AWS's own documentation examples.
const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
// The jwt.io example token.
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

const stsAccessKey = `ASIA${fake(16, UPPER_ALNUM, 7)}`;
const stsSecret = fake(40, B64, 8);
const stsSession = fake(356, B64, 9);
const gcpKeyId = fake(40, HEX, 10);
const gcpBody = pemBody(11, 3);
const azureAccountKey = `${fake(86, B64, 12)}==`;
const azureSbKey = `${fake(43, B64, 13)}=`;
const azureSig = `${fake(43, B64URL, 14)}%3D`;
const ghTokens = ['ghp', 'gho', 'ghu', 'ghs', 'ghr'].map((p, i) => `${p}_${fake(36, ALNUM, 20 + i)}`);
const ghPat = `github_pat_${fake(22, ALNUM, 30)}_${fake(59, ALNUM, 31)}`;
const glpat = `glpat-${fake(20, B64URL.replace('-', ''), 32)}`;
const slackTokens = ['xoxb', 'xoxp', 'xoxa', 'xoxr', 'xoxs'].map(
  (p, i) => `${p}-${fake(12, DIGITS, 40 + i)}-${fake(13, DIGITS, 50 + i)}-${fake(24, ALNUM, 60 + i)}`,
);
const slackHookPath = `T${fake(8, UPPER_ALNUM, 70)}/B${fake(8, UPPER_ALNUM, 71)}/${fake(24, ALNUM, 72)}`;
const opaqueBearer = `9${fake(39, ALNUM, 80)}`;
const basicCreds = 'YWxhZGRpbjpvcGVuc2VzYW1l'; // base64("aladdin:opensesame"), the RFC 7617 example

const rsa = pem('RSA PRIVATE KEY', 1);
const rsaEncrypted = pem('RSA PRIVATE KEY', 2, ['Proc-Type: 4,ENCRYPTED', 'DEK-Info: AES-128-CBC,3F17F5316E2BAC89', '']);
const ec = pem('EC PRIVATE KEY', 3);
const openssh = pem('OPENSSH PRIVATE KEY', 4);
const pkcs8 = pem('PRIVATE KEY', 5);
const encryptedPkcs8 = pem('ENCRYPTED PRIVATE KEY', 6);

const CORPUS: Sample[] = [
  { name: 'AWS access key id (AKIA)', input: `aws_access_key_id = ${AWS_KEY_ID}`, secrets: [AWS_KEY_ID], kinds: ['aws-access-key'], count: 1,
    expected: 'aws_access_key_id = [REDACTED:aws-access-key]' },
  { name: 'AWS temporary key id (ASIA)', input: `AWS_ACCESS_KEY_ID=${stsAccessKey}`, secrets: [stsAccessKey], kinds: ['aws-access-key'], count: 1 },
  { name: 'AWS secret in credentials file', input: `[default]\naws_secret_access_key = ${AWS_SECRET}\n`, secrets: [AWS_SECRET], kinds: ['aws-secret-key'], count: 1,
    expected: '[default]\naws_secret_access_key = [REDACTED:aws-secret-key]\n' },
  { name: 'AWS secret in env export', input: `export AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`, secrets: [AWS_SECRET], kinds: ['aws-secret-key'], count: 1 },
  { name: 'AWS secret via aws configure set', input: `aws configure set aws_secret_access_key ${AWS_SECRET}`, secrets: [AWS_SECRET], kinds: ['aws-secret-key'], count: 1 },
  {
    name: 'AWS STS assume-role JSON',
    input: JSON.stringify({ Credentials: { AccessKeyId: stsAccessKey, SecretAccessKey: stsSecret, SessionToken: stsSession, Expiration: '2026-11-28T10:48:26Z' } }, null, 2),
    secrets: [stsAccessKey, stsSecret, stsSession],
    kinds: ['aws-access-key', 'aws-secret-key', 'aws-session-token'],
    count: 3,
  },
  {
    name: 'GCP service-account key JSON',
    input: JSON.stringify(
      {
        type: 'service_account',
        project_id: 'demo-project',
        private_key_id: gcpKeyId,
        private_key: `-----BEGIN PRIVATE KEY-----\n${gcpBody.join('\n')}\n-----END PRIVATE KEY-----\n`,
        client_email: 'breakglass@demo-project.iam.gserviceaccount.com',
        client_id: '114369418034237461234',
      },
      null,
      2,
    ),
    secrets: [gcpKeyId, ...gcpBody, 'BEGIN PRIVATE KEY'],
    kinds: ['gcp-service-account-key'],
    count: 2,
  },
  {
    name: 'Azure storage connection string',
    input: `DefaultEndpointsProtocol=https;AccountName=bgstorage;AccountKey=${azureAccountKey};EndpointSuffix=core.windows.net`,
    secrets: [azureAccountKey, azureAccountKey.slice(0, 20)],
    kinds: ['azure-connection-string'],
    count: 1,
    expected: 'DefaultEndpointsProtocol=https;AccountName=bgstorage;AccountKey=[REDACTED:azure-connection-string];EndpointSuffix=core.windows.net',
  },
  {
    name: 'Azure service-bus connection string',
    input: `Endpoint=sb://bg-ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${azureSbKey}`,
    secrets: [azureSbKey],
    kinds: ['azure-connection-string'],
    count: 1,
  },
  {
    name: 'Azure SAS URL',
    input: `https://bgstorage.blob.core.windows.net/c/dump.sql?sv=2022-11-02&sp=r&se=2026-12-01T00:00:00Z&spr=https&sig=${azureSig}`,
    secrets: [azureSig],
    kinds: ['azure-sas-token'],
    count: 1,
  },
  ...ghTokens.map((t): Sample => ({ name: `GitHub token ${t.slice(0, 4)}`, input: `remote: using ${t} for push`, secrets: [t], kinds: ['github-token'], count: 1 })),
  { name: 'GitHub fine-grained PAT', input: `GITHUB_TOKEN=${ghPat}`, secrets: [ghPat, ghPat.slice(11, 40)], kinds: ['github-token'], count: 1,
    expected: 'GITHUB_TOKEN=[REDACTED:github-token]' },
  { name: 'GitLab PAT', input: `git clone https://oauth2:${glpat}@gitlab.example.com/ops/infra.git`, secrets: [glpat], kinds: ['gitlab-token'], count: 1 },
  { name: 'GitLab PAT in header', input: `curl -H "PRIVATE-TOKEN: ${glpat}" https://gitlab.example.com/api/v4/projects`, secrets: [glpat], kinds: ['gitlab-token'], count: 1 },
  ...slackTokens.map((t): Sample => ({ name: `Slack token ${t.slice(0, 4)}`, input: `SLACK_BOT=${t}`, secrets: [t], kinds: ['slack-token'], count: 1 })),
  {
    name: 'Slack webhook URL',
    input: `curl -X POST https://hooks.slack.com/services/${slackHookPath} -d '{"text":"paged"}'`,
    secrets: [slackHookPath],
    kinds: ['slack-webhook'],
    count: 1,
    expected: `curl -X POST https://hooks.slack.com/services/[REDACTED:slack-webhook] -d '{"text":"paged"}'`,
  },
  { name: 'JWT', input: `id_token issued: ${JWT}`, secrets: [JWT, JWT.split('.')[2] ?? ''], kinds: ['jwt'], count: 1 },
  { name: 'Authorization: Bearer header', input: `> Authorization: Bearer ${opaqueBearer}\r\n> Accept: */*`, secrets: [opaqueBearer], kinds: ['bearer-token'], count: 1,
    expected: '> Authorization: Bearer [REDACTED:bearer-token]\r\n> Accept: */*' },
  { name: 'Bearer header in curl', input: `curl -sS -H 'authorization: bearer ${opaqueBearer}' https://api.internal/v1/locks`, secrets: [opaqueBearer], kinds: ['bearer-token'], count: 1 },
  { name: 'Bare Bearer token', input: `use Bearer ${opaqueBearer} for the API`, secrets: [opaqueBearer], kinds: ['bearer-token'], count: 1 },
  { name: 'Basic auth header', input: `Authorization: Basic ${basicCreds}`, secrets: [basicCreds], kinds: ['basic-auth'], count: 1 },
  { name: 'PEM RSA private key', input: `key:\n${rsa.block}\ndone`, secrets: [...rsa.body, 'BEGIN RSA PRIVATE KEY', 'END RSA'], kinds: ['private-key'], count: 1,
    expected: 'key:\n[REDACTED:private-key]\ndone' },
  { name: 'PEM encrypted RSA key with headers', input: rsaEncrypted.block, secrets: [...rsaEncrypted.body, 'DEK-Info'], kinds: ['private-key'], count: 1 },
  { name: 'PEM EC private key', input: ec.block, secrets: ec.body, kinds: ['private-key'], count: 1 },
  { name: 'PEM OpenSSH private key', input: `$ cat ~/.ssh/id_ed25519\n${openssh.block}\n$ `, secrets: openssh.body, kinds: ['private-key'], count: 1 },
  { name: 'PEM PKCS#8 private key', input: pkcs8.block, secrets: pkcs8.body, kinds: ['private-key'], count: 1 },
  { name: 'PEM encrypted PKCS#8 key', input: encryptedPkcs8.block, secrets: encryptedPkcs8.body, kinds: ['private-key'], count: 1 },
  {
    name: 'PEM key cut off before END',
    input: `-----BEGIN RSA PRIVATE KEY-----\n${rsa.body.slice(0, 2).join('\n')}\n[output truncated]`,
    secrets: rsa.body.slice(0, 2),
    kinds: ['private-key'],
    count: 1,
  },
  { name: 'PEM key JSON-escaped', input: JSON.stringify({ tls_key: pkcs8.block }), secrets: pkcs8.body, kinds: ['private-key'], count: 1 },
  { name: 'URL password (postgres)', input: 'DATABASE_URL=postgres://admin:S3cr3t-Pa55@db.internal:5432/app', secrets: ['S3cr3t-Pa55'], kinds: ['url-password'], count: 1,
    expected: 'DATABASE_URL=postgres://admin:[REDACTED:url-password]@db.internal:5432/app' },
  { name: 'URL password with unencoded @', input: 'mongodb://root:p@ss@w0rd@mongo-0:27017/', secrets: ['p@ss@w0rd', 'w0rd'], kinds: ['url-password'], count: 1,
    expected: 'mongodb://root:[REDACTED:url-password]@mongo-0:27017/' },
  { name: 'URL password, empty user (redis)', input: 'redis://:R3disPa55@cache-1:6379/0', secrets: ['R3disPa55'], kinds: ['url-password'], count: 1 },
  { name: 'assignment password=', input: 'password=hunter2x', secrets: ['hunter2x'], kinds: ['assignment'], count: 1, expected: 'password=[REDACTED:assignment]' },
  { name: 'assignment PASSWD: (YAML)', input: 'PASSWD: Tr0ub4dor&3', secrets: ['Tr0ub4dor', '&3'], kinds: ['assignment'], count: 1,
    expected: 'PASSWD: [REDACTED:assignment]' },
  { name: 'assignment pwd=', input: 'mysql pwd=s3cretpw1 host=db', secrets: ['s3cretpw1'], kinds: ['assignment'], count: 1, expected: 'mysql pwd=[REDACTED:assignment] host=db' },
  { name: 'assignment secret:', input: 'secret: "q9-VeryPrivate"', secrets: ['q9-VeryPrivate'], kinds: ['assignment'], count: 1, expected: 'secret: "[REDACTED:assignment]"' },
  { name: 'assignment token=', input: 'token=abc123def456', secrets: ['abc123def456'], kinds: ['assignment'], count: 1 },
  { name: 'assignment api_key=', input: "api_key='k-9f8e7d6c5b4a'", secrets: ['k-9f8e7d6c5b4a'], kinds: ['assignment'], count: 1, expected: "api_key='[REDACTED:assignment]'" },
  { name: 'assignment apikey:', input: 'apikey: 0f1e2d3c4b5a', secrets: ['0f1e2d3c4b5a'], kinds: ['assignment'], count: 1 },
  { name: 'assignment client_secret=', input: 'client_secret=Zx8~Q_secretvalue', secrets: ['Zx8~Q_secretvalue'], kinds: ['assignment'], count: 1 },
  { name: 'assignment env with prefix and quotes', input: 'export DB_PASSWORD="correct horse battery"', secrets: ['correct horse battery', 'battery'], kinds: ['assignment'], count: 1,
    expected: 'export DB_PASSWORD="[REDACTED:assignment]"' },
  { name: 'assignment JSON', input: '{"user":"ada","password":"pa$$w0rd!","port":5432}', secrets: ['pa$$w0rd!'], kinds: ['assignment'], count: 1,
    expected: '{"user":"ada","password":"[REDACTED:assignment]","port":5432}' },
  { name: 'assignment camelCase JSON', input: '{ "clientSecret": "cs-7781-abc" }', secrets: ['cs-7781-abc'], kinds: ['assignment'], count: 1 },
  { name: 'assignment --password value', input: 'vault login --method=userpass --password Sup3rS3cret --username ada', secrets: ['Sup3rS3cret'], kinds: ['assignment'], count: 1,
    expected: 'vault login --method=userpass --password [REDACTED:assignment] --username ada' },
  { name: 'assignment --password=value', input: 'psql --password=Sup3rS3cret -h db', secrets: ['Sup3rS3cret'], kinds: ['assignment'], count: 1 },
  { name: 'assignment --token "quoted"', input: 'cli --token "tk 123 456"', secrets: ['tk 123 456'], kinds: ['assignment'], count: 1 },
  { name: 'assignment header X-Api-Key', input: 'X-Api-Key: 5f4dcc3b5aa765d61d83', secrets: ['5f4dcc3b5aa765d61d83'], kinds: ['assignment'], count: 1 },
  { name: 'assignment query string', input: 'GET /callback?code=1&access_token=at-99881&state=x', secrets: ['at-99881'], kinds: ['assignment'], count: 1,
    expected: 'GET /callback?code=1&access_token=[REDACTED:assignment]&state=x' },
  { name: 'assignment SQL connection string', input: 'Server=db;User Id=sa;Password=Pa55;w0rd;Encrypt=true', secrets: ['Pa55', 'w0rd'], kinds: ['assignment'], count: 1,
    expected: 'Server=db;User Id=sa;Password=[REDACTED:assignment];Encrypt=true' },
  { name: 'assignment Go :=', input: 'apiToken := "tok-31337"', secrets: ['tok-31337'], kinds: ['assignment'], count: 1 },
];

const NEGATIVE: Array<{ name: string; input: string }> = [
  { name: 'git commit SHA', input: 'HEAD is now at 3f786850e387550fdab836ed7e6dc881de23001b Revert lock change' },
  { name: 'SHA-256 digest', input: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' },
  { name: 'UUID', input: 'session 0b6f3c1e-8d2a-4c7e-9f10-2a3b4c5d6e7f declared' },
  { name: 'incident id', input: 'INC-12345 opened by Ada Lovelace <ada@example.com>' },
  { name: 'prose', input: 'The backend lock was stale, so we rolled back the deploy and rotated nothing. Bearer bonds are not involved.' },
  { name: 'prose mentioning secrets', input: 'Reset the password for the token service and store the secret in the vault.' },
  { name: 'unix path', input: '/var/log/nginx/error.log and ./scripts/unlock-state.sh' },
  { name: 'windows path', input: 'C:\\Users\\ada\\secrets\\notes.txt' },
  { name: 'URL without password', input: 'https://console.example.com:8443/locks?id=42#top' },
  { name: 'ssh URL with user only', input: 'ssh://git@github.com/org/repo.git and git@github.com:org/repo.git' },
  { name: 'already redacted assignment', input: 'password: [REDACTED:assignment]' },
  { name: 'already redacted markers', input: 'postgres://u:[REDACTED:url-password]@h AKIA [REDACTED:aws-access-key] Authorization: Bearer [REDACTED:jwt]' },
  { name: 'shell working directory', input: 'PWD=/home/ada/infra\nOLDPWD=/home/ada' },
  { name: 'token_type field', input: '{"token_type": "Bearer", "expires_in": 3600, "max_tokens": 100}' },
  { name: 'placeholder values', input: 'password: null\ntoken: ********' },
  { name: 'short AKIA-like word', input: 'AKIA123 is not a key id' },
  { name: 'npm integrity', input: '"integrity": "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUR2C5c4="' },
  { name: 'private key path', input: 'private_key: /etc/ssl/private/host.key' },
  { name: 'flag without value', input: 'cli --token --verbose' },
];

describe('redactText: every kind of secret', () => {
  it.each(CORPUS.map((s) => [s.name, s] as const))('%s', (_name, sample) => {
    const r = redactText(sample.input);
    for (const secret of sample.secrets) expect(r.text).not.toContain(secret);
    for (const kind of sample.kinds) expect(r.text).toContain(`[REDACTED:${kind}]`);
    expect(r.count).toBe(sample.count);
    if (sample.expected !== undefined) expect(r.text).toBe(sample.expected);
  });

  it('keeps scheme, user and host of a URL and the key of an assignment', () => {
    expect(redactText('https://deploy:t0ps3cret@git.example.com/ops.git').text).toBe('https://deploy:[REDACTED:url-password]@git.example.com/ops.git');
    expect(redactText('DB_PASSWORD=x1 DB_USER=ada').text).toBe('DB_PASSWORD=[REDACTED:assignment] DB_USER=ada');
  });

  it('takes a PEM block whole, before the patterns that would match lines inside it', () => {
    const withInnerLines = `-----BEGIN RSA PRIVATE KEY-----\npassword=${rsa.body[0] ?? ''}\n${rsa.body[1] ?? ''}\n-----END RSA PRIVATE KEY-----`;
    const r = redactText(withInnerLines);
    expect(r).toEqual({ text: '[REDACTED:private-key]', count: 1, kinds: { 'private-key': 1 } });
  });

  it('counts several secrets in one text', () => {
    const text = `AKIA: ${AWS_KEY_ID}\npassword=x1y2\n${JWT}\npostgres://a:b1@h/db`;
    const r = redactText(text);
    expect(r.count).toBe(4);
    for (const kind of ['aws-access-key', 'assignment', 'jwt', 'url-password']) expect(r.text).toContain(`[REDACTED:${kind}]`);
  });

  it('refuses a non-string at run time', () => {
    expect(() => redactText(42 as unknown as string)).toThrow(TypeError);
  });
});

describe('redactText: ordinary text is left alone', () => {
  it.each(NEGATIVE.map((n) => [n.name, n.input] as const))('%s', (_name, input) => {
    expect(redactText(input)).toEqual({ text: input, count: 0, kinds: {} });
  });
});

describe('redactText: idempotence', () => {
  it.each(CORPUS.map((s) => [s.name, s] as const))('re-redacting %s changes nothing', (_name, sample) => {
    const once = redactText(sample.input).text;
    expect(redactText(once)).toEqual({ text: once, count: 0, kinds: {} });
  });

  it('holds for random mixtures of secret fragments and delimiters', () => {
    const pieces = [
      ...CORPUS.map((s) => s.input),
      'password', 'token', '=', ': ', '"', "'", '\\"', ' ', '\n', '-', '-----', '://', '@', ':', 'Bearer ', 'Authorization: ',
      '[REDACTED:x]', '[', ']', 'eyJ', '.', 'AKIA', '&sig=', ';', ',', '--password ', 'abc123', '/',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), (parts) => {
        const once = redactText(parts.join('')).text;
        const twice = redactText(once);
        expect(twice.count).toBe(0);
        expect(twice.text).toBe(once);
      }),
      { numRuns: 500 },
    );
  });
});

describe('redactText: a secret inserted into prose never survives', () => {
  const PROSE = ['the', 'lock', 'was', 'stale', 'so', 'we', 'restarted', 'the', 'primary', 'after', 'paging', 'on-call', 'INC-12345', '.', ',', '\n', '(see', 'runbook)', '/var/tmp/x'];
  const word = fc.oneof(fc.constantFrom(...PROSE), fc.stringMatching(/^[a-z]{1,10}$/));

  it('for every corpus sample at a random place', () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 40 }), fc.constantFrom(...CORPUS), fc.nat(), (words, sample, at) => {
        const i = at % (words.length + 1);
        const text = [...words.slice(0, i), sample.input, ...words.slice(i)].join(' ');
        const r = redactText(text);
        for (const secret of sample.secrets) expect(r.text).not.toContain(secret);
        expect(r.count).toBeGreaterThanOrEqual(sample.count);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('redactDeep', () => {
  it('redacts every string in nested objects and arrays, keeps keys, sums the count, does not mutate', () => {
    const input = {
      command: `aws sts get-caller-identity # key ${AWS_KEY_ID}`,
      exitCode: 0,
      ok: true,
      missing: null,
      at: new Date('2026-11-28T09:48:26Z'),
      password: 'not-a-secret-by-key-alone',
      output: {
        lines: ['all good', `export GITHUB_TOKEN=${ghTokens[0] ?? ''}`, { note: `password=hunter2x and ${JWT}` }],
        depth: [[[`Authorization: Bearer ${opaqueBearer}`]]],
      },
    };
    const snapshot = structuredClone(input);
    const { value, count } = redactDeep(input);

    expect(count).toBe(5);
    expect(input).toEqual(snapshot); // input untouched
    expect(value).not.toBe(input);
    expect(value.output).not.toBe(input.output);
    expect(Object.keys(value)).toEqual(Object.keys(input));
    expect(value.password).toBe('not-a-secret-by-key-alone'); // string content is judged, key names are not interpreted
    expect(value.exitCode).toBe(0);
    expect(value.missing).toBeNull();
    expect(value.at).toBe(input.at); // non-plain objects pass through
    expect(value.command).toBe('aws sts get-caller-identity # key [REDACTED:aws-access-key]');
    expect(value.output.lines[1]).toBe('export GITHUB_TOKEN=[REDACTED:github-token]');
    expect(value.output.lines[2]).toEqual({ note: 'password=[REDACTED:assignment] and [REDACTED:jwt]' });
    expect(value.output.depth).toEqual([[['Authorization: Bearer [REDACTED:bearer-token]']]]);
  });

  it('handles a bare string and values without strings', () => {
    expect(redactDeep(`token=${opaqueBearer}`)).toEqual({ value: 'token=[REDACTED:assignment]', count: 1, kinds: { assignment: 1 } });
    expect(redactDeep(42)).toEqual({ value: 42, count: 0, kinds: {} });
    expect(redactDeep([1, null, true])).toEqual({ value: [1, null, true], count: 0, kinds: {} });
  });

  it('keeps a "__proto__" key from parsed JSON as data, not as a prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"note": "password=s3cr3t-value"}, "a": 1}') as Record<string, unknown>;
    const { value, count } = redactDeep(parsed);
    expect(count).toBe(1);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'a']);
    expect(JSON.stringify(value)).toBe('{"__proto__":{"note":"password=[REDACTED:assignment]"},"a":1}');
  });

  it('refuses a cycle', () => {
    const a: Record<string, unknown> = { text: 'x' };
    a['self'] = a;
    expect(() => redactDeep(a)).toThrow(TypeError);
  });
});

describe('redactText: large input', () => {
  const MiB = 1 << 20;
  const fill = (unit: string): string => unit.repeat(Math.ceil(MiB / unit.length)).slice(0, MiB);

  it('redacts 1 MiB of command output with secrets sprinkled through it', () => {
    const line = `2026-11-28T09:48:26Z INFO lock=state/prod.tflock holder=ci-runner-7 sha=3f786850e387550fdab836ed7e6dc881de23001b path=/var/lib/app\n`;
    const secretLine = `2026-11-28T09:48:27Z DEBUG env AWS_ACCESS_KEY_ID=${AWS_KEY_ID} DB_PASSWORD=hunter2x url=postgres://app:pw9@db/app\n`;
    const chunk = line.repeat(9) + secretLine;
    const repeats = Math.ceil(MiB / chunk.length);
    const input = chunk.repeat(repeats);
    expect(input.length).toBeGreaterThanOrEqual(MiB);

    const r = redactText(input);
    expect(r.count).toBe(repeats * 3);
    expect(r.text).not.toContain(AWS_KEY_ID);
    expect(r.text).not.toContain('hunter2x');
    expect(r.text).not.toContain(':pw9@');
  });

  // Shapes that make naive patterns backtrack; each must simply finish.
  it.each([
    ['a run of one letter', fill('a')],
    ['key=key=…', fill('a=')],
    ['scheme://user:… without @', fill('a://b:c')],
    ['BEGIN lines without END', fill('-----BEGIN RSA PRIVATE KEY-----\n')],
    ['an unterminated PEM block', `-----BEGIN PRIVATE KEY-----\n${fill('MIIEabc+/=\n-')}`],
    ['dashes', fill('-')],
    ['password= repeated', fill('password=')],
    ['unterminated quotes with escapes', fill('token="\\')],
    ['Bearer repeated', fill('Bearer a')],
    ['JWT-like fragments', fill('eyJabcdef.')],
  ])('finishes on %s', (_name, input) => {
    const r = redactText(input);
    expect(typeof r.count).toBe('number');
  });
});
