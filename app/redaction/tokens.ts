// Our own shape rules, beside gitleaks' (issue 13). gitleaks is tuned for repository scans,
// where a false alarm costs a reviewer's time; in evidence a missed secret cannot be taken back,
// so these rules (1) take whole blocks gitleaks does not (PEM keys cut off or JSON-escaped,
// PuTTY and OpenVPN keys, password hashes), (2) take provider tokens by prefix at any length
// (gitleaks' exact lengths let a longer or older token through), and (3) add documented shapes
// gitleaks has no rule for. Each shape below is the provider's documented token format.
//
// Performance rule (command output can be megabytes): no nested quantifiers over overlapping
// classes; every start is anchored by a literal or a lookbehind, so the work stays linear.
import { patternDetector, type PatternRule } from './pattern';
import type { Detector } from './types';

// PEM labels: RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP … PRIVATE KEY (BLOCK).
const PEM_LABEL = String.raw`(?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?`;
// Bodies may be real multi-line text or JSON-escaped (`\n`). The first alternative runs to the
// matching END but never across another BEGIN/END line; the second handles a key cut off
// before its END line (truncated output) by taking the base64/header characters.
const PEM_BODY_TO_END = String.raw`[^-]*(?:-(?!----(?:BEGIN|END) )[^-]*)*-----END ${PEM_LABEL}-----`;
const PEM_BODY_TRUNCATED = String.raw`[A-Za-z0-9+/=\s\\:,]*(?:-(?!----)[A-Za-z0-9+/=\s\\:,]*)*`;
const BLOCK_WINDOW = { linesAfter: 400, before: 256, after: 65536 };

const AUTH_SCHEMES = 'bearer|basic|token|digest|negotiate|ntlm|apikey|sharedaccesssignature';

type Shape = readonly [kind: string, keywords: readonly string[], pattern: string];

// Provider tokens with a documented prefix, taken at any length (`secret` = the whole match).
const PREFIXED: readonly Shape[] = [
  ['aws-access-key', ['akia', 'asia'], String.raw`(?:AKIA|ASIA)[A-Z0-9]{16}`],
  ['github-token', ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'], String.raw`gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}`],
  ['gitlab-token', ['glpat-', 'gldt-', 'glrt-', 'glcbt-', 'glptt-', 'glft-', 'glimt-', 'glsoat-', 'gloas-', 'glagent-', 'glffct-'],
    String.raw`gl(?:pat|dt|rt|cbt|ptt|ft|imt|soat|oas|agent|ffct)-[A-Za-z0-9_-]{20,}(?:\.[A-Za-z0-9_-]+)*`],
  ['slack-token', ['xoxa-', 'xoxb-', 'xoxe-', 'xoxo-', 'xoxp-', 'xoxr-', 'xoxs-', 'xapp-'], String.raw`(?:xox[abeoprs]|xapp)-[A-Za-z0-9-]{10,}`],
  ['vault-token', ['hvs.', 'hvb.', 'hvr.'], String.raw`hv[sbr]\.[A-Za-z0-9_-]{24,}`],
  ['google-oauth-access-token', ['ya29.'], String.raw`ya29\.[A-Za-z0-9_-]{20,}`],
  ['google-oauth-refresh-token', ['1//0'], String.raw`1//0[A-Za-z0-9_-]{30,}`],
  ['google-oauth-client-secret', ['gocspx-'], String.raw`GOCSPX-[A-Za-z0-9_-]{24,}`],
  ['openai-api-key', ['sk-proj-', 'sk-svcacct-', 'sk-admin-'], String.raw`sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}`],
  ['anthropic-api-key', ['sk-ant-'], String.raw`sk-ant-(?:api|admin|sid)\d{2}-[A-Za-z0-9_-]{40,}`],
  ['sk-api-key', ['sk-'], String.raw`sk-[A-Za-z0-9]{32,}`], // OpenAI's first keys (48), DeepSeek (32 hex)
  ['stripe-webhook-secret', ['whsec_'], String.raw`whsec_[A-Za-z0-9+/=]{24,}`],
  ['stripe-access-token', ['sk_live_', 'rk_live_', 'sk_test_', 'rk_test_'], String.raw`[sr]k_(?:live|test)_[A-Za-z0-9]{16,}`],
  ['docker-hub-token', ['dckr_pat_', 'dckr_oat_'], String.raw`dckr_(?:pat|oat)_[A-Za-z0-9_-]{20,}`],
  ['nuget-api-key', ['oy2'], String.raw`oy2[a-z0-9]{43}`],
  ['groq-api-key', ['gsk_'], String.raw`gsk_[A-Za-z0-9]{40,}`],
  ['xai-api-key', ['xai-'], String.raw`xai-[A-Za-z0-9]{60,}`],
  ['replicate-api-token', ['r8_'], String.raw`r8_[A-Za-z0-9]{30,}`],
  ['mapbox-secret-token', ['sk.eyj'], String.raw`sk\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{20,}`],
  ['new-relic-user-api-key', ['nrak-'], String.raw`NRAK-[A-Z0-9]{27}`],
  ['sonarqube-token', ['squ_', 'sqp_', 'sqa_'], String.raw`sq[upa]_[a-f0-9]{40}`],
  ['tencent-secret-id', ['akid'], String.raw`AKID[A-Za-z0-9]{32}`],
  ['tailscale-key', ['tskey-'], String.raw`tskey-[a-z]+-[A-Za-z0-9]+-[A-Za-z0-9]+`],
  ['notion-api-token', ['secret_', 'ntn_'], String.raw`secret_[A-Za-z0-9]{43}|ntn_[A-Za-z0-9]{40,}`],
  ['posthog-personal-api-key', ['phx_'], String.raw`phx_[A-Za-z0-9]{40,}`],
  ['atlassian-api-token', ['atatt3'], String.raw`ATATT3[A-Za-z0-9_=-]{150,}`],
  ['bitbucket-app-password', ['atbb'], String.raw`ATBB[A-Za-z0-9_=.-]{28,}`],
  ['figma-token', ['figd_', 'figo_'], String.raw`fig[do]_[A-Za-z0-9_-]{40,}`],
  ['circleci-token', ['ccipat_', 'ccipr_'], String.raw`CCIP(?:AT|R)_[A-Za-z0-9]{20,}_[a-f0-9]{40}`],
  ['buildkite-token', ['bkua_'], String.raw`bkua_[a-f0-9]{40}`],
  ['supabase-token', ['sbp_', 'sb_secret_'], String.raw`sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{20,}`],
  ['neon-api-key', ['napi_'], String.raw`napi_[a-z0-9]{60,}`],
  ['netlify-access-token', ['nfp_'], String.raw`nfp_[A-Za-z0-9]{36,}`],
  ['render-api-key', ['rnd_'], String.raw`rnd_[A-Za-z0-9]{28,}`],
  ['crates-io-token', ['cio'], String.raw`cio[A-Za-z0-9]{32}`],
  ['contentful-pat', ['cfpat-'], String.raw`CFPAT-[A-Za-z0-9_-]{43}`],
  ['flutterwave-secret-key', ['flwseck-', 'flwseck_'], String.raw`FLWSECK(?:_TEST)?-[A-Za-z0-9]{32}-X`],
  ['square-oauth-secret', ['sq0csp-'], String.raw`sq0csp-[A-Za-z0-9_-]{43}`],
  ['instagram-access-token', ['igqv'], String.raw`IGQV[A-Za-z0-9_-]{100,}`],
  ['doppler-token', ['dp.st.', 'dp.sa.', 'dp.ct.', 'dp.scim.', 'dp.audit.', 'dp.pt.'], String.raw`dp\.(?:st|sa|ct|scim|audit|pt)\.[A-Za-z0-9_.-]{40,}`],
  ['dropbox-access-token', ['sl.'], String.raw`sl\.[A-Za-z0-9_-]{130,}`],
  ['mailchimp-api-key', ['-us'], String.raw`[0-9a-f]{32}-us\d{1,2}`],
  ['age-secret-key', ['age-secret-key-'], String.raw`AGE-SECRET-KEY-1[0-9A-Z]{58}`],
  ['rancher-token', ['token-'], String.raw`token-[a-z0-9]{5}:[a-z0-9]{54}`],
  ['braintree-access-token', ['access_token$'], String.raw`access_token\$(?:production|sandbox)\$[0-9a-z]{16}\$[0-9a-f]{32}`],
  ['firebase-cloud-messaging-key', [':apa91b'], String.raw`AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{100,}`],
  ['telegram-bot-token', [':aa'], String.raw`\d{8,10}:AA[A-Za-z0-9_-]{33}`],
];

function prefixed([kind, keywords, pattern]: Shape): Detector {
  return patternDetector({
    kind,
    rank: 10,
    keywords,
    token: true,
    re: new RegExp(String.raw`(?<![A-Za-z0-9])(?:${pattern})(?![A-Za-z0-9])`, 'gd'),
  });
}

const rule = (r: PatternRule): Detector => patternDetector(r);

/** Whole blocks: private keys in every wrapping; they rank first so the lines inside count once. */
export const BLOCK_DETECTORS: readonly Detector[] = [
  rule({
    // GCP service-account JSON: the key sits JSON-escaped in "private_key"; take the whole string value.
    kind: 'gcp-service-account-key', rank: 0, keywords: ['"private_key"'],
    re: /"private_key"[ \t]*:[ \t]*"(?<secret>-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[^"\\]*(?:\\.[^"\\]*)*)/dg,
  }),
  rule({
    kind: 'private-key', rank: 0, keywords: ['-----begin'], window: BLOCK_WINDOW,
    re: new RegExp(String.raw`-----BEGIN ${PEM_LABEL}-----(?:${PEM_BODY_TO_END}|${PEM_BODY_TRUNCATED})`, 'dg'),
  }),
  rule({
    kind: 'private-key', rank: 0, keywords: ['---- begin ssh2 encrypted private key'], window: BLOCK_WINDOW,
    re: /---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----[^-]*(?:-(?!--- END)[^-]*)*(?:---- END SSH2 ENCRYPTED PRIVATE KEY ----)?/dg,
  }),
  rule({
    kind: 'openvpn-static-key', rank: 0, keywords: ['-----begin openvpn static key'], window: BLOCK_WINDOW,
    re: /-----BEGIN OpenVPN Static key V1-----[0-9a-fA-F\s]*(?:-----END OpenVPN Static key V1-----)?/dg,
  }),
  rule({
    // PuTTY .ppk: the public lines stay; the private lines and their MAC go.
    kind: 'private-key', rank: 0, keywords: ['private-lines:'], window: BLOCK_WINDOW,
    re: /Private-Lines:[ \t]*\d+\r?\n(?:[A-Za-z0-9+/=]+\r?\n)*(?:Private-(?:MAC|Hash):[ \t]*[0-9a-f]+)?/dg,
  }),
];

/** Provider and protocol shapes: tokens by prefix, labelled cloud keys, HTTP credentials, URLs. */
export const TOKEN_DETECTORS: readonly Detector[] = [
  rule({
    // The key id alone does not unlock anything, but it identifies which key leaked.
    kind: 'gcp-service-account-key', rank: 10, keywords: ['"private_key_id"'],
    re: /"private_key_id"[ \t]*:[ \t]*"(?<secret>[0-9a-f]{40})(?=")/dg,
  }),
  rule({
    // A bare 40-char base64 string is too common to redact unlabelled; the label makes it certain.
    kind: 'aws-secret-key', rank: 10, keywords: ['secret'],
    re: /(?<![A-Za-z0-9])(?:aws[_-]?)?secret[_-]?access[_-]?key\\?["']?(?:[ \t]*(?::=|=|:)[ \t]*|[ \t]+)\\?["']?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/dgi,
  }),
  rule({
    kind: 'aws-session-token', rank: 10, keywords: ['session', 'security'],
    re: /(?<![A-Za-z0-9])(?:(?:aws[_-]?)?session[_-]?token|(?:x-amz-)?security[_-]?token)\\?["']?(?:[ \t]*(?::=|=|:)[ \t]*|[ \t]+)\\?["']?(?<secret>[A-Za-z0-9/+=]{16,})/dgi,
  }),
  rule({
    kind: 'azure-connection-string', rank: 10, keywords: ['accountkey', 'sharedaccesskey', 'sharedaccesssignature', 'sharedsecretvalue'],
    re: /(?<![A-Za-z0-9])(?:AccountKey|SharedAccessKey|SharedAccessSignature|SharedSecretValue)[ \t]*=[ \t]*(?!\[REDACTED:)(?<secret>[^;\s"'<>]+)/dgi,
  }),
  // The signature of an Azure SAS URL or token is what grants access; so is an S3/GCS presigned URL's.
  rule({ kind: 'azure-sas-token', rank: 10, keywords: ['sig='], re: /[?&;]sig=(?<secret>[A-Za-z0-9%+/=_-]{16,})/dg }),
  rule({ kind: 'presigned-url-signature', rank: 10, keywords: ['-signature='], re: /[?&]X-(?:Amz|Goog)-Signature=(?<secret>[A-Za-z0-9%+/=_-]{16,})/dgi }),
  // Keep the host and path kind so the record still says a webhook was used.
  rule({ kind: 'slack-webhook', rank: 10, keywords: ['hooks.slack.com'], re: /https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/(?<secret>[A-Za-z0-9_/-]+)/dg }),
  rule({
    kind: 'discord-webhook', rank: 10, keywords: ['/api/webhooks/'],
    re: /https:\/\/(?:(?:ptb|canary)\.)?discord(?:app)?\.com\/api\/webhooks\/(?<secret>\d+\/[A-Za-z0-9_-]{20,})/dg,
  }),
  rule({ kind: 'jwt', rank: 10, keywords: ['eyj'], token: true, re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/dg }),
  ...PREFIXED.map(prefixed),
  rule({
    kind: 'vault-unseal-key', rank: 10, keywords: ['unseal key', 'recovery key'],
    re: /(?:Unseal|Recovery) Key \d+:[ \t]*(?<secret>[A-Za-z0-9+/=]{20,})/dg,
  }),
  rule({
    // crypt(3) hashes (shadow, htpasswd) and LDAP {SSHA} values: offline-crackable, so secret.
    kind: 'password-hash', rank: 10, keywords: ['$1$', '$2a$', '$2b$', '$2y$', '$5$', '$6$', '$7$', '$y$', '$gy$', '$apr1$', '$argon2', '$pbkdf2', '{ssha', '{sha', '{smd5', '{crypt}', '{pbkdf2'],
    re: /(?<![\w$])(?:\$(?:1|2[abxy]?|5|6|7|y|gy|apr1|argon2(?:id|i|d)|pbkdf2[\w-]*)\$[A-Za-z0-9./$=,+-]{8,}|\{(?:SSHA|SHA|SMD5|CRYPT|SSHA256|SSHA512|PBKDF2[\w-]*)\}[A-Za-z0-9+/=.$]{8,})/dgi,
  }),
  rule({
    // HTTP Authorization header in curl -v output, HAR files, code: keep the scheme, drop the credential.
    kind: 'bearer-token', rank: 20, keywords: ['authorization'],
    kindOf: (m) => (m.groups?.['scheme']?.toLowerCase() === 'basic' ? 'basic-auth' : 'bearer-token'),
    re: new RegExp(
      String.raw`(?<![A-Za-z0-9_-])(?:proxy-)?authorization\\?["']?[ \t]*[:=][ \t]*\\?["']?(?:(?<scheme>${AUTH_SCHEMES})[ \t]+)?` +
        String.raw`(?!\[REDACTED:)(?!(?:${AUTH_SCHEMES})(?![^\s"'\\,;]))(?<secret>[^\s"'\\,;\[\]]+)`,
      'dgi',
    ),
  }),
  rule({
    // A bare "Bearer <token>"; the token must look like one (long, with a digit) so prose such as
    // "Bearer bonds" is left alone.
    kind: 'bearer-token', rank: 20, keywords: ['bearer'],
    re: /(?<![A-Za-z0-9_-])bearer[ \t]+(?!\[REDACTED:)(?=[A-Za-z_.~+/-]*[0-9])(?<secret>[A-Za-z0-9_.~+/-]{12,}=*)/dgi,
  }),
  rule({
    // scheme://user:password@host: keep scheme, user and host. The password runs to the last
    // '@' before the path, so an unencoded '@' inside it does not leak the tail.
    kind: 'url-password', rank: 20, keywords: ['://'],
    re: /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/[^\s:/?#@"'<>[\]]*:(?!\[REDACTED:)(?<secret>[^\s/?#"'<>]+)(?=@)/dg,
  }),
];
