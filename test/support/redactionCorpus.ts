// The credential corpus of issue 13: over 100 formats, each built from its provider's documented
// shape with random values from a seeded generator at test time (never a real credential, and no
// token-shaped literal in the repository for a secret scanner on the remote to trip over).
// Each sample is the text as a tool prints it, the secrets that must not survive, and the argv
// that would carry it on a command line.

/** A deterministic random source (mulberry32), so a failing sample is reproducible from its seed. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  of(alphabet: string, n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const LOWNUM = LOWER + DIGITS;
const UPNUM = UPPER + DIGITS;
const HEX = '0123456789abcdef';
const B64 = `${ALNUM}+/`;
const B64URL = `${ALNUM}-_`;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const BECH32 = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L';

/** One generated sample: what a tool prints, what must disappear, and a command line carrying it. */
export interface Sample {
  readonly text: string;
  readonly secrets: readonly string[];
  readonly argv: readonly string[];
}

/** A credential format: its name and how to make a sample of it. */
export interface Format {
  readonly name: string;
  make(r: Rng): Sample;
}

const b64 = (s: string): string => btoa(s);
const uuid = (r: Rng): string => `${r.of(HEX, 8)}-${r.of(HEX, 4)}-4${r.of(HEX, 3)}-a${r.of(HEX, 3)}-${r.of(HEX, 12)}`;
const pw = (r: Rng): string => `${r.of(UPPER, 2)}${r.of(LOWER, 4)}${r.of(DIGITS, 3)}!${r.of(ALNUM, 5)}`;
const jwtPart = (o: unknown): string => b64(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
const jwt = (r: Rng): string =>
  `${jwtPart({ alg: 'RS256', typ: 'JWT', kid: r.of(ALNUM, 8) })}.${jwtPart({ sub: `system:serviceaccount:ops:${r.of(LOWER, 6)}`, iat: 1764323306, exp: 1764326906, jti: uuid(r) })}.${r.of(B64URL, 86)}`;
const pemBody = (r: Rng, lines: number): string[] => Array.from({ length: lines }, () => r.of(B64, 64));
const pem = (label: string, body: string[]): string => [`-----BEGIN ${label}-----`, ...body, `-----END ${label}-----`].join('\n');

/** A bare token printed by a tool (`gh auth token`, a portal's copy box): the hardest case. */
const bare = (name: string, token: (r: Rng) => string, context: (t: string) => string = (t) => `${t}\n`): Format => ({
  name,
  make(r) {
    const t = token(r);
    return { text: context(t), secrets: [t], argv: ['curl', '-sS', '-H', `Authorization: Bearer ${t}`, 'https://api.internal.example/v1/whoami'] };
  },
});

/** A text with several secrets in it; argv defaults to printf of the text. */
const text = (name: string, make: (r: Rng) => { text: string; secrets: string[]; argv?: string[] }): Format => ({
  name,
  make(r) {
    const s = make(r);
    return { text: s.text, secrets: s.secrets, argv: s.argv ?? ['printf', '%s\n', s.text] };
  },
});

/** A command line: printed as typed (shell history, `set -x`), and as the argv itself. */
const command = (name: string, make: (r: Rng) => { argv: string[]; secrets: string[] }): Format => ({
  name,
  make(r) {
    const s = make(r);
    return { text: `+ ${s.argv.join(' ')}\n`, secrets: s.secrets, argv: s.argv };
  },
});

const VENDOR_TOKENS: readonly Format[] = [
  bare('GitHub classic PAT (ghp_)', (r) => `ghp_${r.of(ALNUM, 36)}`),
  bare('GitHub OAuth token (gho_)', (r) => `gho_${r.of(ALNUM, 36)}`, (t) => `github.com\n  ✓ Logged in to github.com account ada (keyring)\n  - Token: ${t}\n`),
  bare('GitHub user-to-server token (ghu_)', (r) => `ghu_${r.of(ALNUM, 36)}`),
  bare('GitHub server-to-server token (ghs_)', (r) => `ghs_${r.of(ALNUM, 36)}`, (t) => `{"token":"${t}","expires_at":"2026-11-28T10:48:26Z"}\n`),
  bare('GitHub refresh token (ghr_)', (r) => `ghr_${r.of(ALNUM, 76)}`),
  bare('GitHub fine-grained PAT', (r) => `github_pat_${r.of(ALNUM, 22)}_${r.of(ALNUM, 59)}`),
  bare('GitLab PAT', (r) => `glpat-${r.of(B64URL, 20)}`),
  bare('GitLab routable PAT', (r) => `glpat-${r.of(ALNUM, 36)}.01.${r.of(LOWNUM, 9)}`),
  bare('GitLab deploy token', (r) => `gldt-${r.of(ALNUM, 20)}`),
  bare('GitLab runner token', (r) => `glrt-${r.of(ALNUM, 20)}`, (t) => `Runner registered successfully. Token: ${t}\n`),
  bare('GitLab CI job token', (r) => `glcbt-${r.of(ALNUM, 2)}_${r.of(ALNUM, 20)}`),
  bare('Slack bot token', (r) => `xoxb-${r.of(DIGITS, 12)}-${r.of(DIGITS, 13)}-${r.of(ALNUM, 24)}`),
  bare('Slack user token', (r) => `xoxp-${r.of(DIGITS, 12)}-${r.of(DIGITS, 12)}-${r.of(DIGITS, 13)}-${r.of(HEX, 32)}`),
  bare('Slack app-level token', (r) => `xapp-1-A${r.of(UPNUM, 10)}-${r.of(DIGITS, 13)}-${r.of(HEX, 64)}`),
  bare('AWS access key id (AKIA)', (r) => `AKIA${r.of(BASE32, 16)}`, (t) => `Access key ID: ${t}\n`),
  bare('GCP API key', (r) => `AIza${r.of(B64URL, 35)}`, (t) => `keyString: ${t}\nname: projects/123/locations/global/keys/ops\n`),
  bare('Google OAuth access token (gcloud auth print-access-token)', (r) => `ya29.a0${r.of(B64URL, 140)}`),
  bare('Google OAuth client secret', (r) => `GOCSPX-${r.of(B64URL, 28)}`),
  bare('Azure AD client secret', (r) => `${r.of(ALNUM, 3)}8Q~${r.of(`${ALNUM}_~.-`, 34)}`, (t) => `Secret value: ${t}\n`),
  bare('Stripe live secret key', (r) => `sk_live_${r.of(ALNUM, 24)}`),
  bare('Stripe restricted key', (r) => `rk_live_${r.of(ALNUM, 99)}`),
  bare('Stripe webhook signing secret', (r) => `whsec_${r.of(ALNUM, 32)}`, (t) => `Ready! Your webhook signing secret is ${t} (^C to quit)\n`),
  bare('Twilio API key', (r) => `SK${r.of(HEX, 32)}`),
  bare('SendGrid API key', (r) => `SG.${r.of(B64URL, 22)}.${r.of(B64URL, 43)}`),
  bare('Mailchimp API key', (r) => `${r.of(HEX, 32)}-us${r.int(1, 21)}`),
  bare('npm access token', (r) => `npm_${r.of(ALNUM, 36)}`, (t) => `┌────────┬──────────────────────────────────────────┐\n│ token  │ ${t} │\n│ cidr   │ 10.0.0.0/8                               │\n└────────┴──────────────────────────────────────────┘\n`),
  bare('PyPI upload token', (r) => `pypi-AgEIcHlwaS5vcmc${r.of(B64URL, 70)}`),
  bare('RubyGems API key', (r) => `rubygems_${r.of(HEX, 48)}`),
  bare('NuGet API key', (r) => `oy2${r.of(LOWNUM, 43)}`),
  bare('Docker Hub personal access token', (r) => `dckr_pat_${r.of(B64URL, 27)}`),
  bare('HashiCorp Vault service token', (r) => `hvs.${r.of(ALNUM, 24)}`, (t) => `Success! You are now authenticated.\n\nKey                  Value\n---                  -----\ntoken                ${t}\ntoken_accessor       ${r0(t)}\ntoken_duration       768h\n`),
  bare('HashiCorp Vault batch token', (r) => `hvb.AAAAAQ${r.of(B64URL, 150)}`),
  bare('Terraform Cloud API token', (r) => `${r.of(LOWNUM, 14)}.atlasv1.${r.of(B64URL, 67)}`),
  bare('Doppler personal token', (r) => `dp.pt.${r.of(ALNUM, 43)}`),
  bare('Pulumi access token', (r) => `pul-${r.of(HEX, 40)}`),
  bare('Databricks PAT', (r) => `dapi${r.of(HEX, 32)}`),
  bare('Shopify admin access token', (r) => `shpat_${r.of(HEX, 32)}`),
  bare('Shopify shared secret', (r) => `shpss_${r.of(HEX, 32)}`),
  bare('Square access token', (r) => `EAAA${r.of(B64URL, 60)}`),
  bare('Square OAuth secret', (r) => `sq0csp-${r.of(B64URL, 43)}`),
  bare('Braintree/PayPal access token', (r) => `access_token$production$${r.of(LOWNUM, 16)}$${r.of(HEX, 32)}`),
  bare('OpenAI project key', (r) => `sk-proj-${r.of(B64URL, 74)}T3BlbkFJ${r.of(B64URL, 74)}`),
  bare('OpenAI legacy key', (r) => `sk-${r.of(ALNUM, 20)}T3BlbkFJ${r.of(ALNUM, 20)}`),
  bare('Anthropic API key', (r) => `sk-ant-api03-${r.of(B64URL, 93)}AA`),
  bare('Hugging Face token', (r) => `hf_${r.of(UPPER + LOWER, 34)}`),
  bare('Groq API key', (r) => `gsk_${r.of(ALNUM, 52)}`),
  bare('Perplexity API key', (r) => `pplx-${r.of(ALNUM, 48)}`),
  bare('Replicate API token', (r) => `r8_${r.of(ALNUM, 37)}`),
  bare('xAI API key', (r) => `xai-${r.of(ALNUM, 80)}`),
  bare('Notion integration token', (r) => `ntn_${r.of(DIGITS, 11)}${r.of(ALNUM, 35)}`),
  bare('Linear API key', (r) => `lin_api_${r.of(ALNUM, 40)}`),
  bare('Atlassian API token', (r) => `ATATT3xFfGF0${r.of(B64URL, 171)}=${r.of(HEX, 8).toUpperCase()}`),
  bare('Bitbucket app password', (r) => `ATBB${r.of(ALNUM, 32)}${r.of(HEX, 8).toUpperCase()}`),
  bare('Postman API key', (r) => `PMAK-${r.of(HEX, 24)}-${r.of(HEX, 34)}`),
  bare('Sentry user auth token', (r) => `sntryu_${r.of(HEX, 64)}`),
  bare('Sentry org auth token', (r) => `sntrys_eyJpYXQiO${r.of(B64, 30)}LCJyZWdpb25fdXJs${r.of(B64, 40)}=_${r.of(B64, 43)}`),
  bare('Grafana service account token', (r) => `glsa_${r.of(ALNUM, 32)}_${r.of(HEX, 8)}`),
  bare('Grafana Cloud token', (r) => `glc_${r.of(B64, 80)}`),
  bare('New Relic user API key', (r) => `NRAK-${r.of(UPNUM, 27)}`),
  bare('Dynatrace API token', (r) => `dt0c01.${r.of(UPNUM, 24)}.${r.of(UPNUM, 64)}`),
  bare('PlanetScale token', (r) => `pscale_tkn_${r.of(B64URL, 43)}`),
  bare('Fly.io token', (r) => `fo1_${r.of(B64URL, 43)}`),
  bare('DigitalOcean PAT', (r) => `dop_v1_${r.of(HEX, 64)}`),
  bare('Heroku API key v2', (r) => `HRKU-AA${r.of(B64URL, 58)}`),
  bare('age secret key', (r) => `AGE-SECRET-KEY-1${r.of(BECH32, 58)}`, (t) => `# created: 2026-11-28T09:48:26Z\n# public key: age1${r0(t).toLowerCase()}\n${t}\n`),
  bare('1Password service account token', (r) => `ops_eyJ${r.of(B64, 300)}`),
  bare('Tailscale auth key', (r) => `tskey-auth-k${r.of(ALNUM, 10)}CNTRL-${r.of(ALNUM, 32)}`),
  bare('Cloudflare origin CA key', (r) => `v1.0-${r.of(HEX, 24)}-${r.of(HEX, 146)}`),
  bare('Alibaba Cloud AccessKey id', (r) => `LTAI${r.of(ALNUM, 20)}`),
  bare('Tencent Cloud SecretId', (r) => `AKID${r.of(ALNUM, 32)}`),
  bare('Telegram bot token', (r) => `${r.int(100000000, 999999999)}:AA${r.of(B64URL, 33)}`),
  bare('CircleCI personal token', (r) => `CCIPAT_${r.of(ALNUM, 22)}_${r.of(HEX, 40)}`),
  bare('Buildkite API token', (r) => `bkua_${r.of(HEX, 40)}`),
  bare('Figma personal access token', (r) => `figd_${r.of(B64URL, 40)}`),
  bare('Supabase access token', (r) => `sbp_${r.of(HEX, 40)}`),
  bare('Rancher API token', (r) => `token-${r.of(LOWNUM, 5)}:${r.of(LOWNUM, 54)}`),
  bare('Firebase Cloud Messaging server key', (r) => `AAAA${r.of(B64URL, 7)}:APA91b${r.of(B64URL, 134)}`),
  bare('JSON Web Token', jwt, (t) => `id_token issued, expires in 3600s: ${t}\n`),
];

// A deterministic but unrelated string derived from a token (an accessor, a public key): not secret.
function r0(t: string): string {
  let h = 0;
  for (let i = 0; i < t.length; i++) h = (Math.imul(h, 31) + t.charCodeAt(i)) >>> 0;
  return new Rng(h).of(LOWNUM, 24);
}

export { r0 as derivedNonSecret };

const CLOUD_AND_FILES: readonly Format[] = [
  text('AWS credentials file', (r) => {
    const id = `AKIA${r.of(BASE32, 16)}`;
    const secret = r.of(B64.replace('+', ''), 40);
    return { text: `[default]\naws_access_key_id = ${id}\naws_secret_access_key = ${secret}\nregion = eu-west-1\n`, secrets: [id, secret] };
  }),
  text('AWS STS assume-role JSON', (r) => {
    const id = `ASIA${r.of(BASE32, 16)}`;
    const secret = r.of(B64, 40);
    const token = `IQoJb3JpZ2luX2Vj${r.of(B64, 300)}`;
    return { text: JSON.stringify({ Credentials: { AccessKeyId: id, SecretAccessKey: secret, SessionToken: token, Expiration: '2026-11-28T10:48:26+00:00' }, AssumedRoleUser: { AssumedRoleId: `AROA${r.of(UPNUM, 17)}:breakglass`, Arn: 'arn:aws:sts::123456789012:assumed-role/BreakGlass/breakglass' } }, null, 4), secrets: [id, secret, token] };
  }),
  text('AWS secret key in env export', (r) => {
    const secret = r.of(B64, 40);
    return { text: `export AWS_SECRET_ACCESS_KEY=${secret}\n`, secrets: [secret] };
  }),
  text('AWS presigned S3 URL', (r) => {
    const sig = r.of(HEX, 64);
    return { text: `https://evidence-dumps.s3.eu-west-1.amazonaws.com/db.sql.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261128T094826Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=${sig}\n`, secrets: [sig] };
  }),
  text('GCP service-account key JSON', (r) => {
    const id = r.of(HEX, 40);
    const body = pemBody(r, 26);
    return {
      text: JSON.stringify({ type: 'service_account', project_id: 'ops-prod', private_key_id: id, private_key: `${pem('PRIVATE KEY', body)}\n`, client_email: 'breakglass@ops-prod.iam.gserviceaccount.com', client_id: r.of(DIGITS, 21) }, null, 2),
      secrets: [id, ...body],
    };
  }),
  text('Azure storage connection string', (r) => {
    const key = `${r.of(B64, 86)}==`;
    return { text: `DefaultEndpointsProtocol=https;AccountName=opsdumps;AccountKey=${key};EndpointSuffix=core.windows.net\n`, secrets: [key] };
  }),
  text('Azure Service Bus connection string', (r) => {
    const key = `${r.of(B64, 43)}=`;
    return { text: `Endpoint=sb://ops-bus.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${key}\n`, secrets: [key] };
  }),
  text('Azure SAS URL', (r) => {
    const sig = `${r.of(B64URL, 43)}%3D`;
    return { text: `https://opsdumps.blob.core.windows.net/db/dump.bak?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-11-29T00:00:00Z&sig=${sig}\n`, secrets: [sig] };
  }),
  text('Azure service principal JSON (az ad sp create-for-rbac)', (r) => {
    const secret = `${r.of(ALNUM, 3)}8Q~${r.of(ALNUM, 34)}`;
    return { text: JSON.stringify({ appId: uuid(r), displayName: 'breakglass-sp', password: secret, tenant: uuid(r) }, null, 2), secrets: [secret] };
  }),
  text('Kubernetes service-account token in a kubeconfig', (r) => {
    const t = jwt(r);
    return { text: `users:\n- name: breakglass\n  user:\n    token: ${t}\n`, secrets: [t] };
  }),
];

const KEYS_AND_HASHES: readonly Format[] = [
  ...['RSA PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'DSA PRIVATE KEY', 'PGP PRIVATE KEY BLOCK'].map((label) =>
    text(`PEM ${label}`, (r) => {
      const body = pemBody(r, label === 'EC PRIVATE KEY' ? 3 : 12);
      return { text: `$ cat key.pem\n${pem(label, body)}\n$ `, secrets: body };
    }),
  ),
  text('PEM key cut off before its END line', (r) => {
    const body = pemBody(r, 6);
    return { text: `-----BEGIN RSA PRIVATE KEY-----\n${body.join('\n')}\n[output truncated at 64 KiB]\n`, secrets: body };
  }),
  text('OpenSSH key JSON-escaped', (r) => {
    const body = pemBody(r, 7);
    return { text: `${JSON.stringify({ deploy_key: pem('OPENSSH PRIVATE KEY', body) })}\n`, secrets: body };
  }),
  text('PuTTY private key (.ppk)', (r) => {
    const priv = pemBody(r, 4);
    const mac = r.of(HEX, 64);
    return { text: `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: ops@jump\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAIN${r.of(B64, 40)}\n${r.of(B64, 20)}\nPrivate-Lines: 4\n${priv.join('\n')}\nPrivate-MAC: ${mac}\n`, secrets: [...priv, mac] };
  }),
  text('OpenVPN static key', (r) => {
    const lines = Array.from({ length: 16 }, () => r.of(HEX, 32));
    return { text: `#\n# 2048 bit OpenVPN static key\n#\n-----BEGIN OpenVPN Static key V1-----\n${lines.join('\n')}\n-----END OpenVPN Static key V1-----\n`, secrets: lines };
  }),
  text('WireGuard configuration', (r) => {
    const key = `${r.of(B64, 43)}=`;
    const psk = `${r.of(B64, 43)}=`;
    return { text: `[Interface]\nAddress = 10.8.0.2/24\nPrivateKey = ${key}\n\n[Peer]\nPublicKey = ${r.of(B64, 43)}=\nPresharedKey = ${psk}\nEndpoint = vpn.example.com:51820\n`, secrets: [key, psk] };
  }),
  text('/etc/shadow entry (sha512-crypt)', (r) => {
    const hash = `$6$${r.of(`${ALNUM}./`, 16)}$${r.of(`${ALNUM}./`, 86)}`;
    return { text: `root:${hash}:20050:0:99999:7:::\n`, secrets: [hash] };
  }),
  text('.htpasswd entry (bcrypt)', (r) => {
    const hash = `$2y$10$${r.of(`${ALNUM}./`, 53)}`;
    return { text: `ada:${hash}\n`, secrets: [hash] };
  }),
  text('LDIF userPassword {SSHA}', (r) => {
    const hash = `{SSHA}${r.of(B64, 32)}`;
    return { text: `dn: uid=ada,ou=people,dc=example,dc=com\nuserPassword: ${hash}\n`, secrets: [hash] };
  }),
];

const HTTP_AND_URLS: readonly Format[] = [
  text('Authorization: Basic in curl -v', (r) => {
    const cred = b64(`ada:${pw(r)}`);
    return { text: `> GET /v1/locks HTTP/2\n> Host: api.internal.example\n> Authorization: Basic ${cred}\n> User-Agent: curl/8.5.0\n`, secrets: [cred] };
  }),
  text('Authorization: Bearer in curl -v', (r) => {
    const t = r.of(ALNUM, 48);
    return { text: `> Authorization: Bearer ${t}\n> Accept: */*\n`, secrets: [t] };
  }),
  text('Basic credential outside a header', (r) => {
    const cred = b64(`svc-backup:${pw(r)}`);
    return { text: `2026-11-28T09:48:26Z proxy upstream=backup.internal auth basic ${cred} status=200\n`, secrets: [cred] };
  }),
  text('X-API-Key header', (r) => {
    const k = r.of(HEX, 40);
    return { text: `curl -s -H "X-API-Key: ${k}" https://metrics.internal.example/api/v1/query\n`, secrets: [k] };
  }),
  text('Cookie and Set-Cookie headers', (r) => {
    const a = r.of(B64URL, 40);
    const b = r.of(HEX, 32);
    return { text: `< set-cookie: _session_id=${a}; Path=/; HttpOnly; Secure\n> Cookie: csrftoken=${b}; theme=dark\n`, secrets: [a, b] };
  }),
  text('PostgreSQL URL with password', (r) => {
    const p = pw(r);
    return { text: `DATABASE_URL=postgres://app:${p}@db-primary.internal:5432/orders?sslmode=require\n`, secrets: [p] };
  }),
  text('MongoDB SRV URL with password', (r) => {
    const p = pw(r);
    return { text: `mongodb+srv://ops-admin:${p}@cluster0.ab1cd.mongodb.net/?retryWrites=true&w=majority\n`, secrets: [p] };
  }),
  text('Redis URL with password only', (r) => {
    const p = r.of(ALNUM, 32);
    return { text: `REDIS_URL=redis://:${p}@cache-1.internal:6379/0\n`, secrets: [p] };
  }),
  text('AMQP URL with password', (r) => {
    const p = pw(r);
    return { text: `amqps://orders:${p}@mq.internal.example:5671/%2Fprod\n`, secrets: [p] };
  }),
  text('git credential store line', (r) => {
    const t = `ghp_${r.of(ALNUM, 36)}`;
    return { text: `https://ada:${t}@github.com\n`, secrets: [t] };
  }),
  text('JDBC URL with password parameter', (r) => {
    const p = pw(r);
    return { text: `spring.datasource.url=jdbc:postgresql://db.internal:5432/app?user=app&password=${p}&ssl=true\n`, secrets: [p] };
  }),
  text('Oracle thin JDBC URL', (r) => {
    const p = pw(r);
    return { text: `jdbc:oracle:thin:scott/${p}@db-ora.internal:1521:ORCL\n`, secrets: [p] };
  }),
  text('Go MySQL DSN', (r) => {
    const p = pw(r);
    return { text: `dsn: app:${p}@tcp(mysql.internal:3306)/orders?parseTime=true\n`, secrets: [p] };
  }),
  text('SQL Server connection string', (r) => {
    const p = `${pw(r)};x`;
    return { text: `Server=tcp:sql.internal,1433;Database=orders;User Id=app;Password=${p};Encrypt=True;\n`, secrets: [p] };
  }),
  text('Slack incoming webhook', (r) => {
    const path = `T${r.of(UPNUM, 10)}/B${r.of(UPNUM, 10)}/${r.of(ALNUM, 24)}`;
    return { text: `curl -X POST -d '{"text":"paged"}' https://hooks.slack.com/services/${path}\n`, secrets: [path] };
  }),
  text('Discord webhook', (r) => {
    const path = `${r.of(DIGITS, 18)}/${r.of(B64URL, 68)}`;
    return { text: `https://discord.com/api/webhooks/${path}\n`, secrets: [path.split('/')[1] as string] };
  }),
  text('Microsoft Teams webhook', (r) => {
    const tail = `${r.of(LOWNUM, 32)}/${uuid(r)}`;
    return { text: `https://contoso.webhook.office.com/webhookb2/${uuid(r)}@${uuid(r)}/IncomingWebhook/${tail}\n`, secrets: [tail] };
  }),
];

const FLAGS: readonly Format[] = [
  command('mysql -pSECRET', (r) => {
    const p = pw(r);
    return { argv: ['mysql', '-h', 'db.internal', '-u', 'root', `-p${p}`, 'orders'], secrets: [p] };
  }),
  command('mysql -p SECRET', (r) => {
    const p = r.of(ALNUM, 16);
    return { argv: ['mysql', '-u', 'root', '-p', p, '-e', 'SHOW PROCESSLIST'], secrets: [p] };
  }),
  command('mysqldump --password=SECRET', (r) => {
    const p = pw(r);
    return { argv: ['mysqldump', '--user=backup', `--password=${p}`, '--single-transaction', 'orders'], secrets: [p] };
  }),
  command('sshpass -p SECRET', (r) => {
    const p = pw(r);
    return { argv: ['sshpass', '-p', p, 'ssh', 'ops@bastion.internal'], secrets: [p] };
  }),
  command('docker login -p SECRET', (r) => {
    const p = r.of(ALNUM, 20);
    return { argv: ['docker', 'login', '-u', 'ci-bot', '-p', p, 'registry.internal.example'], secrets: [p] };
  }),
  command('helm registry login --password SECRET', (r) => {
    const p = r.of(ALNUM, 24);
    return { argv: ['helm', 'registry', 'login', 'registry.internal.example', '--username', 'ci', '--password', p], secrets: [p] };
  }),
  command('curl -u user:password', (r) => {
    const p = pw(r);
    return { argv: ['curl', '-u', `admin:${p}`, 'https://jenkins.internal.example/api/json'], secrets: [p] };
  }),
  command('curl --user=user:password', (r) => {
    const p = r.of(ALNUM, 18);
    return { argv: ['curl', '-sS', `--user=deploy:${p}`, '-X', 'POST', 'https://nexus.internal.example/service/rest/v1/components'], secrets: [p] };
  }),
  command('smbclient -U user%password', (r) => {
    const p = pw(r);
    return { argv: ['smbclient', '//fs01/backup', '-U', `CORP\\svc-backup%${p}`, '-c', 'ls'], secrets: [p] };
  }),
  command('openssl -passout pass:SECRET', (r) => {
    const p = r.of(ALNUM, 20);
    return { argv: ['openssl', 'pkcs12', '-export', '-in', 'tls.crt', '-inkey', 'tls.key', '-out', 'tls.p12', '-passout', `pass:${p}`], secrets: [p] };
  }),
  command('htpasswd -b FILE USER SECRET', (r) => {
    const p = pw(r);
    return { argv: ['htpasswd', '-bB', '/etc/nginx/.htpasswd', 'ada', p], secrets: [p] };
  }),
  command('redis-cli -a SECRET', (r) => {
    const p = r.of(ALNUM, 32);
    return { argv: ['redis-cli', '-h', 'cache-1.internal', '-a', p, 'INFO', 'replication'], secrets: [p] };
  }),
  command('sqlcmd -P SECRET', (r) => {
    const p = pw(r);
    return { argv: ['sqlcmd', '-S', 'sql.internal', '-U', 'sa', '-P', p, '-Q', 'SELECT @@VERSION'], secrets: [p] };
  }),
  command('ldapsearch -w SECRET', (r) => {
    const p = pw(r);
    return { argv: ['ldapsearch', '-x', '-H', 'ldaps://ldap.internal', '-D', 'cn=admin,dc=example,dc=com', '-w', p, '-b', 'dc=example,dc=com'], secrets: [p] };
  }),
  command('mongosh -p SECRET', (r) => {
    const p = pw(r);
    return { argv: ['mongosh', '--host', 'mongo-0.internal', '-u', 'admin', '-p', p, '--authenticationDatabase', 'admin'], secrets: [p] };
  }),
  command('vault kv put path key=value', (r) => {
    const a = r.of(ALNUM, 24);
    const b = pw(r);
    return { argv: ['vault', 'kv', 'put', 'secret/orders/stripe', `api_key=${a}`, `webhook=${b}`], secrets: [a, b] };
  }),
  command('kubectl create secret --from-literal', (r) => {
    const a = r.of(ALNUM, 28);
    return { argv: ['kubectl', '-n', 'orders', 'create', 'secret', 'generic', 'stripe', `--from-literal=key=${a}`], secrets: [a] };
  }),
  command('aws ssm put-parameter SecureString --value', (r) => {
    const v = pw(r);
    return { argv: ['aws', 'ssm', 'put-parameter', '--name', '/orders/db/password', '--type', 'SecureString', '--value', v, '--overwrite'], secrets: [v] };
  }),
  command('az login -p SECRET', (r) => {
    const p = pw(r);
    return { argv: ['az', 'login', '--service-principal', '-u', 'http://breakglass-sp', '-p', p, '--tenant', 'contoso.onmicrosoft.com'], secrets: [p] };
  }),
  command('--token VALUE flag', (r) => {
    const t = r.of(ALNUM, 40);
    return { argv: ['consul', 'acl', 'policy', 'list', '-token', t], secrets: [t] };
  }),
  command('keytool -storepass', (r) => {
    const p = pw(r);
    return { argv: ['keytool', '-list', '-keystore', 'app.jks', '-storepass', p], secrets: [p] };
  }),
  command('docker run -e PASSWORD=…', (r) => {
    const p = pw(r);
    return { argv: ['docker', 'run', '-d', '-e', `POSTGRES_PASSWORD=${p}`, '-p', '5432:5432', 'postgres:16'], secrets: [p] };
  }),
];

const CONFIG_BY_KEY: readonly Format[] = [
  text('.env file', (r) => {
    const a = pw(r);
    const b = r.of(ALNUM, 32);
    return { text: `APP_ENV=production\nDB_HOST=db.internal\nDB_PASSWORD=${a}\nSESSION_SECRET="${b}"\n`, secrets: [a, b] };
  }),
  text('JSON client secret', (r) => {
    const s = r.of(B64URL, 40);
    return { text: `{\n  "client_id": "ops-console",\n  "client_secret": "${s}",\n  "redirect_uri": "https://console.internal.example/cb"\n}\n`, secrets: [s] };
  }),
  text('YAML password', (r) => {
    const p = pw(r);
    return { text: `database:\n  host: db.internal\n  username: app\n  password: ${p}\n`, secrets: [p] };
  }),
  text('YAML block scalar', (r) => {
    const p = r.of(ALNUM, 30);
    return { text: `smtp:\n  password: |\n    ${p}\n  host: smtp.internal\n`, secrets: [p] };
  }),
  text('INI section', (r) => {
    const p = pw(r);
    return { text: `[client]\nuser = backup\npassword = ${p}\nhost = db.internal\n`, secrets: [p] };
  }),
  text('Java properties', (r) => {
    const p = pw(r);
    return { text: `spring.datasource.username=app\nspring.datasource.password=${p}\n`, secrets: [p] };
  }),
  text('TOML', (r) => {
    const t = r.of(ALNUM, 36);
    return { text: `[registries.internal]\nindex = "https://crates.internal.example/index"\ntoken = "${t}"\n`, secrets: [t] };
  }),
  text('HCL/Terraform variable', (r) => {
    const p = pw(r);
    return { text: `db_password = "${p}"\nregion      = "eu-west-1"\n`, secrets: [p] };
  }),
  text('XML element', (r) => {
    const p = pw(r);
    return { text: `<datasource>\n  <user>app</user>\n  <password>${p}</password>\n</datasource>\n`, secrets: [p] };
  }),
  text('.NET appSettings', (r) => {
    const p = pw(r);
    return { text: `<appSettings>\n  <add key="SmtpPassword" value="${p}" />\n  <add key="SmtpHost" value="smtp.internal" />\n</appSettings>\n`, secrets: [p] };
  }),
  text('WordPress wp-config.php', (r) => {
    const p = pw(r);
    const k = r.of(`${ALNUM}!@#%^&*()-_[]{}<>~+=,.;:/?|`, 64);
    return { text: `define( 'DB_NAME', 'wordpress' );\ndefine( 'DB_PASSWORD', '${p}' );\ndefine( 'AUTH_KEY', '${k.replace(/'/g, '')}' );\n`, secrets: [p, k.replace(/'/g, '')] };
  }),
  text('Ruby hash rocket', (r) => {
    const p = pw(r);
    return { text: `config.smtp_settings = { :user_name => "ops", :password => "${p}" }\n`, secrets: [p] };
  }),
  text('.npmrc', (r) => {
    const t = `npm_${r.of(ALNUM, 36)}`;
    return { text: `registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${t}\n`, secrets: [t] };
  }),
  text('.pypirc', (r) => {
    const t = `pypi-AgEIcHlwaS5vcmc${r.of(B64URL, 70)}`;
    return { text: `[pypi]\nusername = __token__\npassword = ${t}\n`, secrets: [t] };
  }),
  text('.netrc single line', (r) => {
    const p = pw(r);
    return { text: `machine api.heroku.com login ada@example.com password ${p}\n`, secrets: [p] };
  }),
  text('.netrc multi-line', (r) => {
    const p = r.of(ALNUM, 24);
    return { text: `machine git.internal.example\n  login ci-bot\n  password ${p}\n`, secrets: [p] };
  }),
  text('Datadog API key by variable name', (r) => {
    const k = r.of(HEX, 32);
    return { text: `DD_SITE=datadoghq.eu\nDD_API_KEY=${k}\n`, secrets: [k] };
  }),
  text('JSON-escaped password inside a log line', (r) => {
    const p = pw(r);
    return { text: `{"level":"debug","msg":"config loaded","config":"{\\"user\\":\\"app\\",\\"password\\":\\"${p}\\"}"}\n`, secrets: [p] };
  }),
];

const TABLES_AND_TOOLS: readonly Format[] = [
  text('vault kv get table', (r) => {
    const p = pw(r);
    const k = r.of(ALNUM, 32);
    return { text: `====== Secret Path ======\nsecret/data/orders/db\n\n======= Metadata =======\nKey                Value\n---                -----\ncreated_time       2026-11-28T09:48:26.123456Z\nversion            3\n\n====== Data ======\nKey         Value\n---         -----\napi_key     ${k}\npassword    ${p}\nusername    app\n`, secrets: [p, k] };
  }),
  text('vault read database creds', (r) => {
    const p = `A1a-${r.of(ALNUM, 20)}`;
    return { text: `Key                Value\n---                -----\nlease_id           database/creds/readonly/${r.of(ALNUM, 24)}\nlease_duration     1h\nlease_renewable    true\npassword           ${p}\nusername           v-token-readonly-${r.of(LOWNUM, 8)}\n`, secrets: [p] };
  }),
  text('vault operator init', (r) => {
    const keys = Array.from({ length: 5 }, () => r.of(B64, 44));
    const root = `hvs.${r.of(ALNUM, 24)}`;
    return { text: `${keys.map((k, i) => `Unseal Key ${i + 1}: ${k}`).join('\n')}\n\nInitial Root Token: ${root}\n\nVault initialized with 5 key shares and a key threshold of 3.\n`, secrets: [...keys, root] };
  }),
  text('vault operator init -format=json', (r) => {
    const keys = Array.from({ length: 3 }, () => r.of(B64, 44));
    return { text: `{\n  "unseal_keys_b64": [\n    "${keys.join('",\n    "')}"\n  ],\n  "unseal_threshold": 2\n}\n`, secrets: keys };
  }),
  text('AWS CLI table output', (r) => {
    const s = r.of(ALNUM, 30);
    return { text: `-------------------------------------\n|          GetSecretValue           |\n+--------------+--------------------+\n|  Name        |  orders/api        |\n|  SecretString|  ${s}  |\n+--------------+--------------------+\n`, secrets: [s] };
  }),
  text('aws secretsmanager get-secret-value JSON', (r) => {
    const p = pw(r);
    return { text: JSON.stringify({ ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/db-AbCdEf', Name: 'orders/db', SecretString: JSON.stringify({ username: 'app', password: p }) }, null, 4), secrets: [p] };
  }),
  text('aws ssm get-parameter SecureString', (r) => {
    const v = pw(r);
    return { text: JSON.stringify({ Parameter: { Name: '/orders/db/password', Type: 'SecureString', Value: v, Version: 3, ARN: 'arn:aws:ssm:eu-west-1:123456789012:parameter/orders/db/password' } }, null, 4), secrets: [v] };
  }),
  text('terraform output -json (sensitive)', (r) => {
    const v = pw(r);
    return { text: `{\n  "db_endpoint": {\n    "sensitive": false,\n    "type": "string",\n    "value": "db.internal:5432"\n  },\n  "db_master": {\n    "sensitive": true,\n    "type": "string",\n    "value": "${v}"\n  }\n}\n`, secrets: [v] };
  }),
  text('kubectl describe pod env', (r) => {
    const p = pw(r);
    return { text: `    Environment:\n      DB_HOST:      db.internal\n      DB_PASSWORD:  ${p}\n      DB_USER:      <set to the key 'username' in secret 'db'>  Optional: false\n`, secrets: [p] };
  }),
  text('docker inspect Env', (r) => {
    const p = pw(r);
    return { text: `            "Env": [\n                "POSTGRES_PASSWORD=${p}",\n                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"\n            ],\n`, secrets: [p] };
  }),
  text('secret split by colour codes', (r) => {
    const t = `ghp_${r.of(ALNUM, 36)}`;
    const cut = r.int(6, 30);
    return { text: `\x1b[1mtoken:\x1b[0m \x1b[32m${t.slice(0, cut)}\x1b[1;32m${t.slice(cut)}\x1b[0m\n`, secrets: [t, t.slice(0, cut), t.slice(cut)].filter((s) => s.length >= 6) };
  }),
  text('password printed in colour', (r) => {
    const p = pw(r);
    return { text: `\x1b[33mDB_PASSWORD\x1b[0m=\x1b[31m${p}\x1b[0m\n`, secrets: [p] };
  }),
];

const BASE64_WRAPPED: readonly Format[] = [
  text('docker config.json auth', (r) => {
    const p = pw(r);
    const auth = b64(`ci-bot:${p}`);
    return { text: `{\n\t"auths": {\n\t\t"registry.internal.example": {\n\t\t\t"auth": "${auth}"\n\t\t}\n\t}\n}\n`, secrets: [auth, p] };
  }),
  text('kubeconfig client-key-data', (r) => {
    const body = pemBody(r, 10);
    const data = b64(`${pem('RSA PRIVATE KEY', body)}\n`);
    return { text: `users:\n- name: kubernetes-admin\n  user:\n    client-certificate-data: ${b64('-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n')}\n    client-key-data: ${data}\n`, secrets: [data.slice(24)] }; // its first characters encode "-----BEGIN ", as the certificate's do
  }),
  text('Kubernetes Secret manifest', (r) => {
    const a = b64(pw(r));
    const b = b64(r.of(ALNUM, 30));
    return { text: `apiVersion: v1\ndata:\n  password: ${a}\n  stripe-key: ${b}\nkind: Secret\nmetadata:\n  name: orders\n  namespace: orders\ntype: Opaque\n`, secrets: [a, b] };
  }),
  text('.dockerconfigjson in a Secret', (r) => {
    const auth = b64(`robot$ci:${r.of(ALNUM, 32)}`);
    const cfg = b64(JSON.stringify({ auths: { 'registry.internal.example': { auth } } }));
    return { text: `{"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/dockerconfigjson","data":{".dockerconfigjson":"${cfg}"}}\n`, secrets: [cfg] };
  }),
  text('base64 private key in a ConfigMap dump', (r) => {
    const body = pemBody(r, 8);
    const data = b64(`${pem('EC PRIVATE KEY', body)}\n`);
    return { text: `tls.key: ${data}\n`, secrets: [data.slice(24)] }; // its head encodes "-----BEGIN ", as a certificate's does
  }),
  text('ECR login password', (r) => {
    const token = b64(JSON.stringify({ payload: r.of(B64, 300), datakey: r.of(B64, 200), version: '2', type: 'DATA_KEY', expiration: 1764366506 }));
    return { text: `${token}\n`, secrets: [token] };
  }),
];

/** Every credential format of the corpus. */
export const CREDENTIAL_FORMATS: readonly Format[] = [...VENDOR_TOKENS, ...CLOUD_AND_FILES, ...KEYS_AND_HASHES, ...HTTP_AND_URLS, ...FLAGS, ...CONFIG_BY_KEY, ...TABLES_AND_TOOLS, ...BASE64_WRAPPED];

/** Every substring of a secret that must not survive: the whole, and each 12-character slice of a long one. */
export function leakProbes(secret: string): string[] {
  if (secret.length <= 12) return [secret];
  const out = [secret];
  for (let i = 0; i + 12 <= secret.length; i += 6) out.push(secret.slice(i, i + 12));
  return out;
}

/** The first probe of `secrets` found in `text`, or undefined. */
export function firstLeak(text: string, secrets: readonly string[]): string | undefined {
  for (const s of secrets) for (const p of leakProbes(s)) if (text.includes(p)) return p;
  return undefined;
}
