import { ackEventWord, formatCode } from '../acknowledgement/codes';
import { sha256Hex } from '../chain';
import { assertNever } from '../errors';
import type { Person } from '../identity';
import { TRIGGERS } from '../policy';
import type { EvidenceRecord, RecordOf } from '../records';
import type { ForwardItem, SessionContext } from './ports';

/**
 * One event format for every destination (issue 19): each evidence record becomes one event of
 * the Open Cybersecurity Schema Framework, in the class that fits it (docs/forwarding.md has the
 * table and an example of each). The record's hash is the event's unique id (`metadata.uid`), so
 * a receiver drops the duplicates that at-least-once delivery sends across a crash; the session
 * id is the correlation id. Free text is clipped so an event stays well under a syslog receiver's
 * usual 8 KiB limit; the full record is in git, found by its hash.
 */

import { CATEGORIES, EVIDENCE_LOG_NAME, OCSF_CLASSES, OCSF_VERSION, PROFILES, SEVERITIES, type OcsfClass, type OcsfEvent, type OcsfProduct, type OcsfUser, type Severity } from './ocsfSchema';

export { EVIDENCE_LOG_NAME, OCSF_CLASSES, OCSF_VERSION, type OcsfEvent, type OcsfProduct, type OcsfUser } from './ocsfSchema';

/** Longest free text an event carries per field; the record in git has it whole. */
export const MAX_TEXT = 1000;
const MAX_SHORT = 200;
const MAX_ITEMS = 10;

/** Clips text to `max` characters, marking the cut. */
function clip(text: string, max = MAX_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function clipList(items: readonly string[], max = MAX_SHORT): string[] {
  const out = items.slice(0, MAX_ITEMS).map((s) => clip(s, max));
  if (items.length > MAX_ITEMS) out.push(`… ${items.length - MAX_ITEMS} more`);
  return out;
}

function ms(iso: string): number {
  return Date.parse(iso);
}

function classification(cls: OcsfClass, activityId: number, activityName: string) {
  const [classUid, className, categoryUid] = OCSF_CLASSES[cls];
  return {
    class_uid: classUid,
    class_name: className,
    category_uid: categoryUid,
    category_name: CATEGORIES[categoryUid],
    activity_id: activityId,
    activity_name: activityName,
    type_uid: classUid * 100 + activityId,
    type_name: `${className}: ${activityName}`,
  };
}

function userOf(person: Person, role: 'User' | 'Admin'): OcsfUser {
  return { name: clip(person.name, MAX_SHORT), email_addr: person.email, type_id: role === 'Admin' ? 2 : 1, type: role };
}

function deviceOf(host: { id: string; name: string }): OcsfEvent['device'] {
  return { hostname: clip(host.name, 255), uid: host.id, type_id: 0, type: 'Unknown' };
}

/** The OCSF session object of a break-glass session. */
function sessionOf(sessionId: string, s: SessionContext, issuer: string) {
  return { uid: sessionId, created_time: ms(s.declaredAt), expiration_time: ms(s.expiresAt), issuer, is_remote: false };
}

/** POSIX-shell quoting, so the command line reads as it was typed. */
function commandLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_/.,:=@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function at(iso: string): string {
  return iso.replace(/\.\d{3}Z$/, 'Z');
}

interface Parts {
  cls: OcsfClass;
  activity: [number, string];
  severity: Severity;
  message: string;
  failed?: string;
  attributes?: Record<string, unknown>;
  details?: Record<string, unknown>;
  actorRole?: 'User' | 'Admin';
}

/** The class, activity, severity and class attributes of one record (an exhaustive switch: a new record type fails to compile until it is mapped). */
function partsOf(record: EvidenceRecord, s: SessionContext | null, product: OcsfProduct): Parts {
  const operator = s ? userOf(s.operator, 'Admin') : userOf(record.actor, 'Admin');
  const session = s ? sessionOf(record.sessionId, s, product.name) : undefined;
  const where = s ? ` for ${clip(s.incidentId, MAX_SHORT)} in ${s.environment}` : '';
  switch (record.type) {
    case 'declared': {
      const d = record.payload.declaration;
      return {
        cls: 'authorizeSession', activity: [1, 'Assign Privileges'], severity: 4,
        message: `${d.operator.name} declared break-glass${where} (${d.trigger}), scopes ${d.scopes.join(', ')}, until ${at(record.payload.expiresAt)}: ${clip(d.justification, 300)}`,
        attributes: { user: operator, privileges: clipList(d.scopes), session },
        details: {
          trigger_text: TRIGGERS[d.trigger],
          justification: clip(d.justification),
          material_risk: clip(d.materialRisk, 500),
          governed_paths_tried: d.governedPathsTried.slice(0, 5).map((p) => ({ path: clip(p.path, 100), failure: clip(p.failure, 200) })),
          governed_paths_count: d.governedPathsTried.length,
          duration_minutes: d.durationMinutes,
          attestations: d.attestations,
          policy_sha256: record.payload.policySha256,
          preconditions: record.payload.preconditions.slice(0, 20).map((p) => ({ id: clip(p.id, MAX_SHORT), status: p.status })),
        },
      };
    }
    case 'extended':
      return {
        cls: 'authorizeSession', activity: [1, 'Assign Privileges'], severity: 3,
        message: `${record.actor.name} extended break-glass${where} by ${record.payload.minutes} min, until ${at(record.payload.newExpiresAt)}: ${clip(record.payload.reason, 300)}`,
        attributes: { user: operator, privileges: clipList(s?.scopes ?? []), session },
        details: { minutes: record.payload.minutes, reason: clip(record.payload.reason), previous_expires_at: record.payload.previousExpiresAt },
      };
    case 'action':
      return actionParts(record, operator, where);
    case 'action-started': {
      const p = record.payload;
      const cmd = clip(commandLine(p.argv));
      return {
        cls: 'processActivity', activity: [1, 'Launch'], severity: 2,
        message: `${record.actor.name} started \`${clip(cmd, 300)}\`${where}`,
        attributes: { process: { name: clip((p.argv[0] ?? '').split('/').pop() || 'command', MAX_SHORT), cmd_line: cmd, uid: `${record.sessionId}/${record.seq}`, created_time: ms(p.startedAt), user: operator, working_directory: clip(p.cwd, MAX_SHORT) } },
        details: { via: p.via, shell: p.shell },
      };
    }
    case 'note':
      return {
        cls: 'base', activity: [99, 'Note'], severity: 1,
        message: `${record.actor.name} noted${where}: ${clip(record.payload.text, 300)}`,
        details: { text: clip(record.payload.text) },
      };
    case 'expired':
      return {
        cls: 'authentication', activity: [2, 'Logoff'], severity: 2,
        message: `Break-glass${where} expired at ${at(record.payload.expiresAt)}`,
        attributes: { user: operator, session: session && { ...session, expiration_reason: 'Expired' }, service: { name: product.name }, status_detail: 'Session expired' },
        details: { recorded_at: record.payload.recordedAt },
      };
    case 'closed':
      return closedParts(record, s, where);
    case 'reviewed': {
      const r = record.payload.review;
      const status = r.outcome === 'justified' ? [1, 'Pass'] : r.outcome === 'justified-with-findings' ? [2, 'Warning'] : [3, 'Fail'];
      return {
        cls: 'complianceFinding', activity: r.supersedes ? [2, 'Update'] : [1, 'Create'], severity: r.outcome === 'not-justified' ? 4 : r.outcome === 'justified' ? 1 : 3,
        message: `${r.reviewer.name} reviewed break-glass${where}: ${r.outcome}${r.drill ? ' (drill)' : ''}`,
        actorRole: 'User',
        attributes: {
          finding_info: { uid: record.hash, title: clip(`Post-incident review of ${record.sessionId}: ${r.outcome}`, MAX_SHORT), desc: clip(r.findings), created_time: ms(record.at), types: ['Break-glass post-incident review'] },
          compliance: { status_id: status[0], status: status[1], control: record.controls.join(', '), standards: ['ISO/IEC 27001', 'SOC 2'] },
        },
        details: { outcome: r.outcome, drill: r.drill, follow_ups: r.followUps.length, supersedes: r.supersedes ?? null },
      };
    }
    case 'lock-recovered':
      return {
        cls: 'eventLogActivity', activity: [99, 'Writer Lock Recovered'], severity: 2,
        message: `The evidence writer lock on ${record.host.name} was recovered: ${clip(record.payload.reason, 300)}`,
        actorRole: 'User',
        attributes: { log_name: EVIDENCE_LOG_NAME, log_provider: product.name },
        details: { previous_owner: record.payload.previousOwner, reason: clip(record.payload.reason), git_lock_files_removed: clipList(record.payload.gitLockFilesRemoved) },
      };
    case 'clock-skew': {
      const skew = record.payload.skewMs;
      return {
        cls: 'detectionFinding', activity: [1, 'Create'], severity: Math.abs(skew) > 5 * 60_000 ? 4 : 3,
        message: `Clock skew of ${Math.round(skew / 1000)} s on ${record.host.name}${where}: the wall clock read ${at(record.payload.wallClockAt)}, expected ${at(record.payload.expectedAt)}`,
        attributes: { finding_info: { uid: record.hash, title: clip(`Clock skew on ${record.host.name}`, MAX_SHORT), created_time: ms(record.at), types: ['Clock skew'] }, is_alert: true },
        // Issue 16: measured against the boot clock, both elapsed times since the record it counts from.
        details: {
          wall_clock_at: record.payload.wallClockAt, expected_at: record.payload.expectedAt, skew_ms: skew,
          ...(record.payload.elapsed ? { since_seq: record.payload.elapsed.sinceSeq, wall_elapsed_ms: record.payload.elapsed.wallMs, boot_elapsed_ms: record.payload.elapsed.bootMs } : {}),
        },
      };
    }
    case 'policy-adopted':
      return {
        cls: 'entityManagement', activity: [3, 'Update'], severity: 3,
        message: `${record.host.name} adopted the organisation's policy ${record.payload.policySha256.slice(0, 12)}: ${clip(record.payload.reason, 300)}`,
        actorRole: 'User',
        attributes: { entity: { name: 'policy.yaml', type: 'Policy', type_id: 5, uid: record.payload.policySha256 }, comment: clip(record.payload.reason) },
        details: { previous_policy_sha256: record.payload.previousPolicySha256, policy_sha256: record.payload.policySha256 },
      };
    case 'forwarding-state': {
      // The host's own word on its forwarding (issue 19): behind is worth a look, caught up is news only.
      const p = record.payload;
      const ids = p.destinations.map((d) => d.id).join(', ');
      return {
        cls: 'eventLogActivity', activity: p.state === 'behind' ? [99, 'Forwarding Behind'] : [99, 'Forwarding Caught Up'], severity: p.state === 'behind' ? 3 : 1,
        message: p.state === 'behind' ? `Forwarding from ${record.host.name} is behind: ${ids}` : `Forwarding from ${record.host.name} caught up${ids ? `: ${ids}` : ''}`,
        actorRole: 'User',
        attributes: { log_name: EVIDENCE_LOG_NAME, log_provider: product.name },
        details: { state: p.state, destinations: p.destinations.map((d) => ({ id: d.id, pending: d.pending, failure: d.failure, failing_since: d.failingSince, last_delivered_at: d.lastDeliveredAt })) },
      };
    }
    case 'recording-started':
    case 'recording-chunk':
    case 'recording-degraded':
    case 'recording-ended':
      return recordingParts(record);
    // Issue 16: the commander's acknowledgement, and the operator's record of its response code.
    case 'acknowledgement':
    case 'acknowledged': {
      const p = record.payload;
      const by = record.type === 'acknowledgement' ? `The incident commander ${record.actor.name} acknowledged` : `${record.actor.name} recorded the commander's acknowledgement of`;
      return {
        cls: 'eventLogActivity', activity: [99, record.type === 'acknowledgement' ? 'Acknowledgement' : 'Acknowledged'], severity: 1,
        message: `${by} the ${ackEventWord(p.event)} ${formatCode(p.challenge)}${where}`,
        actorRole: 'User',
        attributes: { log_name: EVIDENCE_LOG_NAME, log_provider: product.name },
        details: { event: p.event, challenge: p.challenge, response: p.response },
      };
    }
    // Issue 16: a witness's signed statement of the host history tips it saw.
    case 'witnessed': {
      const p = record.payload;
      return {
        cls: 'eventLogActivity', activity: [99, 'Witnessed'], severity: 1,
        message: `${record.actor.name} witnessed ${p.tips.map((t) => `${t.host} at ${t.commit.slice(0, 12)} (${t.records} records)`).join(', ')}${where}`,
        actorRole: 'User',
        attributes: { log_name: EVIDENCE_LOG_NAME, log_provider: product.name },
        details: { via: p.via, tips: p.tips.map((t) => ({ host: t.host, commit: t.commit, records: t.records })) },
      };
    }
    default:
      return assertNever(record, 'record type');
  }
}

/**
 * A governed shell's recording (issue 17) as event-log activity. The chunk's text (terminal output,
 * redacted) stays in the evidence: a SIEM gets its place in the recording and its hash.
 */
function recordingParts(record: RecordOf<'recording-started' | 'recording-chunk' | 'recording-degraded' | 'recording-ended'>): Parts {
  const base = { cls: 'eventLogActivity' as const, actorRole: 'User' as const, attributes: { log_name: EVIDENCE_LOG_NAME } };
  switch (record.type) {
    case 'recording-started':
      return { ...base, activity: [99, 'Shell Recording Started'], severity: 1, message: `Governed shell ${record.payload.shell} opened, recorded`, details: { recording_id: record.payload.recordingId, via: record.payload.via, containment: record.payload.containment.kind, mode: record.payload.mode } };
    case 'recording-chunk':
      return { ...base, activity: [99, 'Shell Recording Chunk'], severity: 1, message: `Shell recording chunk ${record.payload.seq}`, details: { recording_id: record.payload.recordingId, chunk_seq: record.payload.seq, start_offset: record.payload.startOffset, end_offset: record.payload.endOffset, sha256: record.payload.sha256 } };
    case 'recording-degraded':
      return { ...base, activity: [99, 'Shell Recording Degraded'], severity: 3, message: `Shell recording could not be committed from ${record.payload.since}`, details: { recording_id: record.payload.recordingId, since: record.payload.since, until: record.payload.until, failures: record.payload.failures } };
    case 'recording-ended':
      return { ...base, activity: [99, 'Shell Recording Ended'], severity: 1, message: `Governed shell ended (${record.payload.how})`, details: { recording_id: record.payload.recordingId, how: record.payload.how, exit_code: record.payload.exitCode, chunks: record.payload.chunks } };
  }
}

function actionParts(record: RecordOf<'action'>, operator: OcsfUser, where: string): Parts {
  const p = record.payload;
  const cmd = clip(commandLine(p.argv));
  const name = clip((p.argv[0] ?? '').split('/').pop() || 'shell', MAX_SHORT);
  const outcome = p.stoppedBy ? `stopped by ${p.stoppedBy}` : p.signal ? `signal ${p.signal}` : `exit ${p.exitCode ?? 'unknown'}`;
  return {
    // A command evidenced before it ran (issue 12 item 7) launched with its `action-started` event: this one is its end.
    cls: 'processActivity', activity: p.started ? [2, 'Terminate'] : [1, 'Launch'], severity: 2,
    message: `${record.actor.name} ran ${p.kind === 'shell-opened' ? 'a governed shell' : `\`${clip(cmd, 300)}\``}${where}: ${outcome}`,
    failed: p.exitCode === 0 ? undefined : outcome,
    attributes: {
      process: { name, cmd_line: cmd, uid: `${record.sessionId}/${record.seq}`, created_time: ms(p.startedAt), terminated_time: ms(p.endedAt), user: operator, working_directory: clip(p.cwd, MAX_SHORT) },
      ...(p.exitCode === null ? {} : { exit_code: p.exitCode }),
    },
    // The output's authenticator as the record has it: the HMAC under the host key (issue 13), or
    // the plain SHA-256 of records made before it. The receiver can match either to the record in git.
    details: {
      kind: p.kind, via: p.via, shell: p.shell, signal: p.signal, stopped_by: p.stoppedBy,
      ...(p.outputHmac ? { output_hmac: { alg: p.outputHmac.alg, key_id: p.outputHmac.keyId, value: p.outputHmac.value } } : { output_sha256: p.outputSha256 }),
      output_bytes: p.outputBytes, output_truncated: p.outputTruncated,
    },
  };
}

function closedParts(record: RecordOf<'closed'>, s: SessionContext | null, where: string): Parts {
  const c = record.payload.closure;
  const rotated = c.controlsRestored.breakGlassCredentialsRotated;
  // The account whose credentials a break-glass session exposes is the target of the change.
  const target = { name: `break-glass credentials${s ? ` (${s.environment})` : ''}`, type_id: 99, type: 'Other' };
  return {
    cls: 'accountChange', activity: rotated === 'not-applicable' ? [99, 'Close'] : [3, 'Password Change'],
    severity: rotated === 'no' ? 4 : rotated === 'yes' ? 2 : 1,
    message: `${record.actor.name} closed break-glass${where}; break-glass credentials rotated: ${rotated}: ${clip(c.summary, 300)}`,
    failed: rotated === 'no' ? 'Break-glass credentials not rotated' : undefined,
    attributes: { user: target },
    details: {
      summary: clip(c.summary),
      reversal_steps: clipList(c.reversalSteps, 300),
      controls_restored: c.controlsRestored,
      controls_note: c.controlsNote === undefined ? null : clip(c.controlsNote),
      follow_ups: c.followUps.length,
      review_due_at: record.payload.reviewDueAt,
    },
  };
}

/** The OCSF event of one evidence record. */
export function recordEvent(item: ForwardItem, product: OcsfProduct): OcsfEvent {
  const { record, session } = item;
  const parts = partsOf(record, session, product);
  const event: OcsfEvent = {
    ...classification(parts.cls, parts.activity[0], parts.activity[1]),
    severity_id: parts.severity,
    severity: SEVERITIES[parts.severity],
    time: ms(record.at),
    message: clip(parts.message),
    status_id: parts.failed ? 2 : 1,
    status: parts.failed ? 'Failure' : 'Success',
    ...(parts.failed ? { status_detail: clip(parts.failed, MAX_SHORT) } : {}),
    metadata: {
      version: OCSF_VERSION,
      product,
      uid: record.hash,
      correlation_uid: record.sessionId,
      event_code: record.type,
      log_name: EVIDENCE_LOG_NAME,
      log_provider: product.name,
      sequence: item.position,
      profiles: [...PROFILES],
    },
    device: deviceOf(record.host),
    actor: { user: userOf(record.actor, parts.actorRole ?? 'Admin') },
    ...parts.attributes,
    unmapped: {
      breakglass: {
        record_type: record.type,
        session_id: record.sessionId,
        seq: record.seq,
        record_hash: record.hash,
        prev_hash: record.prev,
        evidence_commit: item.commit,
        host_id: record.host.id,
        incident_id: session ? clip(session.incidentId, MAX_SHORT) : null,
        environment: session?.environment ?? null,
        trigger: session?.trigger ?? null,
        declared_at: session?.declaredAt ?? null,
        expires_at: session?.expiresAt ?? null,
        controls: record.controls,
        redactions: record.redactions,
        ...parts.details,
      },
    },
  };
  return event;
}

/** A checkpoint: what this host's history was at a moment (issue 16's witness, issue 19). */
export interface Checkpoint {
  host: { id: string; name: string };
  /** The branch tip, or null for an empty repository. */
  commit: string | null;
  /** Records in the ledger at that tip, and how many this host wrote. */
  records: number;
  ownRecords: number;
  /** When the checkpoint was taken (epoch ms). */
  at: number;
}

function hostEvent(kind: 'checkpoint' | 'test', host: Checkpoint['host'], atMs: number, product: OcsfProduct, cls: OcsfClass, activity: [number, string], message: string, details: Record<string, unknown>, extra: Record<string, unknown>): OcsfEvent {
  return {
    ...classification(cls, activity[0], activity[1]),
    severity_id: 1,
    severity: SEVERITIES[1],
    time: atMs,
    message,
    status_id: 1,
    status: 'Success',
    metadata: {
      version: OCSF_VERSION,
      product,
      uid: sha256Hex(`${kind}\n${host.id}\n${atMs}\n${JSON.stringify(details)}`),
      event_code: kind,
      log_name: EVIDENCE_LOG_NAME,
      log_provider: product.name,
      profiles: [...PROFILES],
    },
    device: deviceOf(host),
    ...extra,
    unmapped: { breakglass: { record_type: kind, host_id: host.id, ...details } },
  };
}

/** The OCSF event of a checkpoint (Event Log Activity, activity Other "Checkpoint"). */
export function checkpointEvent(cp: Checkpoint, product: OcsfProduct): OcsfEvent {
  return hostEvent('checkpoint', cp.host, cp.at, product, 'eventLogActivity', [99, 'Checkpoint'],
    `Checkpoint of ${cp.host.name}: evidence tip ${cp.commit ?? '(empty)'} holds ${cp.records} records, ${cp.ownRecords} written on this host`,
    { tip_commit: cp.commit, record_count: cp.records, own_record_count: cp.ownRecords },
    { log_name: EVIDENCE_LOG_NAME, log_provider: product.name });
}

/** The event `forward test` sends: a Base Event that says it is a test and that nothing changed. */
export function testEvent(host: Checkpoint['host'], atMs: number, destinationId: string, product: OcsfProduct): OcsfEvent {
  return hostEvent('test', host, atMs, product, 'base', [99, 'Test'],
    `Test event from ${product.name} on ${host.name} for destination ${destinationId}: no evidence was changed`,
    { destination: destinationId }, {});
}
