import { z } from 'zod';

/**
 * The `forwarding` section of policy.yaml (issue 19): where every evidence record is sent, as an
 * OCSF event, organisation-wide. Credentials never sit in the policy (it is in the repository):
 * the policy names an environment variable or a file on the host that holds them. Every number
 * has an upper bound so a typo cannot make the console wait for hours or flood a receiver.
 */

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** An absolute path on the host (`/…`, `~/…` or `C:\…`): a relative path would depend on where the console started. */
const HostPathSchema = z.string().min(1).max(4096).refine((p) => /^(\/|~\/|[A-Za-z]:[\\/])/.test(p) && !p.includes('\0'), 'Give an absolute path on the host (starting with /, ~/ or a drive letter).');

/** Where a secret is kept on the host: an environment variable or a file, never the secret itself. */
export const SecretRefSchema = z
  .object(
    {
      env: z.string().regex(ENV_NAME, 'Not an environment variable name.').optional(),
      file: HostPathSchema.optional(),
    },
    { error: 'Name where the secret is kept ({ env: VARIABLE } or { file: /path/on/the/host }), never the secret itself: the policy is in the repository.' },
  )
  .strict()
  .refine((s) => (s.env === undefined) !== (s.file === undefined), 'Give exactly one of env or file.');

/** Where a secret is kept on the host. */
export type SecretRef = z.infer<typeof SecretRefSchema>;

/** A destination id: what the policy, the state files and `forwarding-state` records name it by. */
export const DestinationIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'Use up to 32 lower-case letters, digits and dashes (like "siem").');

/** A DNS name or an IP address literal, without scheme or port. */
const HostNameSchema = z.string().min(1).max(253).regex(/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$|^\d{1,3}(?:\.\d{1,3}){3}$|^\[?[0-9A-Fa-f:.]+\]?$/, 'Give a host name or an IP address (no scheme, no port).');

const TimeoutSchema = z.number().int().min(1).max(120);

/** An https URL with no credentials in it (they would be in the repository). */
const HttpsUrlSchema = z.string().max(2048).refine((u) => {
  try {
    return new URL(u).protocol === 'https:';
  } catch {
    return false;
  }
}, 'Give an https:// URL.').refine((u) => {
  try {
    const url = new URL(u);
    return url.username === '' && url.password === '';
  } catch {
    return true;
  }
}, 'A URL in the policy may not carry a user name or password: name the secret with { env } or { file }.');

/** HTTP header names (RFC 9110 tokens). */
const HeaderNameSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'Not an HTTP header name.');

/** Syslog facilities a security receiver usually routes on (RFC 5424 §6.2.1). */
export const SYSLOG_FACILITIES = { auth: 4, authpriv: 10, local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23 } as const;

const SyslogDestinationSchema = z.object({
  id: DestinationIdSchema,
  kind: z.literal('syslog'),
  host: HostNameSchema,
  port: z.number().int().min(1).max(65535).default(6514),
  /** The CA that issued the receiver's certificate; absent: the CAs Node trusts. */
  caFile: HostPathSchema.optional(),
  clientCertFile: HostPathSchema.optional(),
  clientKeyFile: HostPathSchema.optional(),
  /** The name the receiver's certificate must carry (SNI and verification) when it differs from `host`. */
  serverName: HostNameSchema.optional(),
  /** Plain TCP, no TLS: only when the policy says so in these words. */
  insecurePlainTcp: z.literal(true, { error: 'insecurePlainTcp can only be true (leave it out for TLS).' }).optional(),
  facility: z.enum(Object.keys(SYSLOG_FACILITIES) as [keyof typeof SYSLOG_FACILITIES, ...(keyof typeof SYSLOG_FACILITIES)[]]).default('authpriv'),
  appName: z.string().regex(/^[!-~]{1,48}$/, 'Up to 48 printable ASCII characters, no spaces (RFC 5424 APP-NAME).').default('breakglass'),
  timeoutSeconds: TimeoutSchema.default(10),
}).strict().superRefine((d, ctx) => {
  if ((d.clientCertFile === undefined) !== (d.clientKeyFile === undefined)) {
    ctx.addIssue({ code: 'custom', path: [d.clientCertFile === undefined ? 'clientCertFile' : 'clientKeyFile'], message: 'Give the client certificate and its key together.' });
  }
  if (d.insecurePlainTcp) {
    for (const field of ['caFile', 'clientCertFile', 'clientKeyFile', 'serverName'] as const) {
      if (d[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `Plain TCP has no TLS: remove ${field} or insecurePlainTcp.` });
    }
  }
});

const WebhookDestinationSchema = z.object({
  id: DestinationIdSchema,
  kind: z.literal('webhook'),
  url: HttpsUrlSchema,
  secret: SecretRefSchema,
  signatureHeader: HeaderNameSchema.default('X-Breakglass-Signature'),
  timestampHeader: HeaderNameSchema.default('X-Breakglass-Timestamp'),
  caFile: HostPathSchema.optional(),
  timeoutSeconds: TimeoutSchema.default(10),
}).strict().superRefine((d, ctx) => {
  if (d.signatureHeader.toLowerCase() === d.timestampHeader.toLowerCase()) {
    ctx.addIssue({ code: 'custom', path: ['timestampHeader'], message: 'The timestamp header must differ from the signature header.' });
  }
});

const SplunkHecDestinationSchema = z.object({
  id: DestinationIdSchema,
  kind: z.literal('splunk-hec'),
  /** The collector's base URL, e.g. https://splunk.example.com:8088 (the /services/collector paths are added). */
  url: HttpsUrlSchema,
  token: SecretRefSchema,
  indexerAcknowledgement: z.boolean().default(false),
  index: z.string().regex(/^[a-z0-9_][a-z0-9_-]{0,79}$/, 'Not a Splunk index name.').optional(),
  sourcetype: z.string().min(1).max(128).regex(/^[!-~]+$/).default('ocsf:breakglass'),
  caFile: HostPathSchema.optional(),
  timeoutSeconds: TimeoutSchema.default(10),
  /** How long to wait for the indexer's acknowledgement before sending again. */
  ackTimeoutSeconds: z.number().int().min(1).max(600).default(60),
}).strict();

/** One forwarding destination of the policy. */
export const DestinationSchema = z.discriminatedUnion('kind', [SyslogDestinationSchema, WebhookDestinationSchema, SplunkHecDestinationSchema], {
  error: 'Each destination needs kind: syslog, webhook or splunk-hec.',
});

/** A forwarding destination (syslog, webhook or Splunk HEC). */
export type Destination = z.infer<typeof DestinationSchema>;

/** A syslog destination. */
export type SyslogDestination = Extract<Destination, { kind: 'syslog' }>;
/** An HTTPS webhook destination. */
export type WebhookDestination = Extract<Destination, { kind: 'webhook' }>;
/** A Splunk HTTP Event Collector destination. */
export type SplunkHecDestination = Extract<Destination, { kind: 'splunk-hec' }>;

/** The `forwarding` section of the policy. */
export const ForwardingSchema = z.object({
  /** How often each destination gets a checkpoint (host, tip commit, record count): a witness of this host's history (issue 16). */
  checkpointMinutes: z.number().int().min(1).max(24 * 60).default(60),
  destinations: z.array(DestinationSchema).min(1, 'List at least one destination, or leave the forwarding section out.').max(8, 'At most 8 destinations.'),
}).strict().superRefine((f, ctx) => {
  const seen = new Set<string>();
  f.destinations.forEach((d, i) => {
    if (seen.has(d.id)) ctx.addIssue({ code: 'custom', path: ['destinations', i, 'id'], message: `Destination "${d.id}" is listed twice.` });
    seen.add(d.id);
  });
});

/** The policy's forwarding configuration. */
export type ForwardingConfig = z.infer<typeof ForwardingSchema>;

/** Where a destination sends, for people (status lines, errors): never a secret, never a query string. */
export function destinationTarget(d: Destination): string {
  switch (d.kind) {
    case 'syslog':
      return `${d.insecurePlainTcp ? 'tcp' : 'tls'}://${d.host}:${d.port}`;
    case 'webhook':
    case 'splunk-hec': {
      const u = new URL(d.url);
      return `${u.origin}${u.pathname === '/' ? '' : u.pathname}`;
    }
  }
}

/**
 * Which settings decide where records go: when they change, the destination is a new receiver
 * and gets the whole history (its cursor starts again).
 */
export function destinationFingerprint(d: Destination): string {
  switch (d.kind) {
    case 'syslog':
      return `syslog ${d.insecurePlainTcp ? 'tcp' : 'tls'} ${d.host.toLowerCase()} ${d.port}`;
    case 'webhook':
      return `webhook ${new URL(d.url).href}`;
    case 'splunk-hec':
      return `splunk-hec ${new URL(d.url).href} ${d.index ?? ''}`;
  }
}

/** What the host must hold for a destination: files to read and environment variables to set (procedure.md §3, checked as warnings, never blockers). */
export function destinationRequirements(d: Destination): { files: Array<{ field: string; path: string }>; env: Array<{ field: string; name: string }> } {
  const files: Array<{ field: string; path: string }> = [];
  const env: Array<{ field: string; name: string }> = [];
  const secret = (field: string, ref: SecretRef) => {
    if (ref.env !== undefined) env.push({ field, name: ref.env });
    if (ref.file !== undefined) files.push({ field, path: ref.file });
  };
  if (d.caFile) files.push({ field: 'caFile', path: d.caFile });
  switch (d.kind) {
    case 'syslog':
      if (d.clientCertFile) files.push({ field: 'clientCertFile', path: d.clientCertFile });
      if (d.clientKeyFile) files.push({ field: 'clientKeyFile', path: d.clientKeyFile });
      break;
    case 'webhook':
      secret('secret', d.secret);
      break;
    case 'splunk-hec':
      secret('token', d.token);
      break;
  }
  return { files, env };
}

/**
 * What this host lacks for a destination, as warnings for the preconditions (issue 19: a warning,
 * never a blocker): each file the policy names that is not there, each environment variable that
 * is unset. Values are never read here, only whether they exist.
 */
export function destinationHostProblems(d: Destination, host: { env(name: string): string | undefined; fileExists(path: string): boolean }): string[] {
  const { files, env } = destinationRequirements(d);
  return [
    ...files.filter((f) => !host.fileExists(f.path)).map((f) => `Forwarding to ${d.id}: the file ${f.path} named by ${f.field} is not on this host.`),
    ...env.filter((e) => !host.env(e.name)).map((e) => `Forwarding to ${d.id}: the environment variable ${e.name} named by ${e.field} is not set.`),
  ];
}
