// Credential formats, part 1 (issue 13): vendor tokens, cloud credential files, keys and hashes.
import { ALNUM, B64, B64URL, BASE32, BECH32, DIGITS, HEX, LOWER, LOWNUM, UPNUM, UPPER, bare, jwt, pem, pemBody, r0, text, uuid, type Format } from './redactionShapes';

export const VENDOR_TOKENS: readonly Format[] = [
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



export const CLOUD_AND_FILES: readonly Format[] = [
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

export const KEYS_AND_HASHES: readonly Format[] = [
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

