// Which key names hold secrets, and which values are only placeholders (issue 13: JSON, YAML,
// INI, env and table values by key name). Shared by the assignment, table and markup rules.

// Matched at the end of the key, so DB_PASSWORD, dbPassword and auth.password count while
// token_type, secret_name and max_tokens do not.
const SECRET_KEY = new RegExp(
  [
    'password', 'passwd', 'passphrase', 'pwd', 'secret', 'token', 'psk', 'salt', 'credentials?', 'cookie', 'signature', 'otp',
    'secret[_-]?(?:string|value|binary|data)',
    'token[_-]?code',
    'private[_-]?key(?:[_-]?pem)?',
    'api[_-]?key',
    '(?:secret|private|encryption|signing|master|client|session|auth|account|shared|hmac|app|license|subscription|functions?|storage|sas|root|admin|preshared|certificate|unseal|recovery|decryption|cipher|aes|crypt|webhook)[_-]?key',
    '(?:basic|http|proxy)[_-]?auth',  // keywords: AUTH_NAME_KEYWORDS
    // "pass" alone is a word in many names (bypass, compass): only as its own part or a known compound.
    '(?:^|[_.-])pass',
    '(?:store|key|db|root|admin|user|pg|sql|smtp|ftp|mail|redis|mysql|ldap|bind|proxy|http|ssh|become|vault|sudo|rpc|wifi)pass',
  ].map((k) => `(?:${k})$`).join('|'),
  'i',
);

// $PWD and $OLDPWD are the shell's working directories, not passwords: `env` dumps are common
// in break-glass output and the paths are useful evidence.
const SHELL_DIR_VARS = new Set(['PWD', 'OLDPWD']);

/** Whether a key, variable or flag name (leading dashes ignored) names a secret. */
export function isSecretKeyName(rawKey: string): boolean {
  const key = rawKey.replace(/^-+/, '');
  return !SHELL_DIR_VARS.has(key) && SECRET_KEY.test(key);
}

// Placeholders that carry no secret; redacting them would only add noise to the count. The
// variable references follow gitleaks' global allowlist ($VAR, ${VAR}, {{ x }}, %VAR%).
const NON_SECRET_VALUE =
  /^(?:null|nil|none|undefined|true|false|yes|no|on|off|~|\*+|x+|include|omit|same-origin|required|optional|redacted|hidden|masked|sensitive|<[^<>]*>|\([^()]*\)|\$\w+|\$\{[^{}]+\}|\{\{[^{}]+\}\}|%\w+%|\d+ bytes)$/i;

// A path under a system root names a file; the file's content is not in the text.
const SYSTEM_PATH = /^\/(?:bin|etc|home|opt|tmp|usr|var|run|srv|root|mnt|proc|sys|dev)\/[\w ./-]+$/;

/** Whether a value after a secret key is a placeholder, a reference or a path rather than a secret. */
export function isPlaceholderValue(key: string, value: string): boolean {
  const v = value.trim();
  if (v === '' || NON_SECRET_VALUE.test(v) || SYSTEM_PATH.test(v)) return true;
  // `private_key: ./certs/host.key` names a key file.
  return /(?:key|file|path)$/i.test(key) && /^(?:~\/|\.\.?\/)/.test(v);
}

// Words that tools print after "token:" or "password:" in messages (`secret "x" not found`,
// `token: expired`): as a bare (unquoted) value they are prose, not a secret.
const PROSE_WORD = /^(?:secrets?|tokens?|passwords?|keys?|credentials?|missing|required|invalid|expired|revoked|empty|unset|set|not|found|denied|changed|updated|rotated|ok|error|failed|provided|configured|unknown|default)$/i;

/** Whether an unquoted value is one of the words messages put after a secret's name. */
export function isProseWord(value: string): boolean {
  return PROSE_WORD.test(value);
}
