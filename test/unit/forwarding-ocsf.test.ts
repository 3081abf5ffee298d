import { describe, expect, it } from 'vitest';
import { checkpointEvent, OCSF_VERSION, recordEvent, testEvent, type OcsfEvent } from '../../app/forwarding/ocsf';
import { sessionContextAt } from '../../app/forwarding/ports';
import { RECORD_TYPES, type RecordType } from '../../app/records';
import { itemOfEveryType, TEST_PRODUCT } from '../support/forwardItems';
import { ocsfProblems } from '../support/ocsfSchema';

const ITEMS = itemOfEveryType();
const event = (type: RecordType): OcsfEvent => recordEvent(ITEMS[type], TEST_PRODUCT);
const details = (e: OcsfEvent) => e.unmapped.breakglass;

/** The class and activity each record type maps to (docs/forwarding.md, "Mapping"). */
const EXPECTED: Record<RecordType, { class_uid: number; activity_id: number; severity_id: number }> = {
  declared: { class_uid: 3003, activity_id: 1, severity_id: 4 },
  extended: { class_uid: 3003, activity_id: 1, severity_id: 3 },
  action: { class_uid: 1007, activity_id: 1, severity_id: 2 },
  'action-started': { class_uid: 1007, activity_id: 1, severity_id: 2 },
  note: { class_uid: 0, activity_id: 99, severity_id: 1 },
  expired: { class_uid: 3002, activity_id: 2, severity_id: 2 },
  closed: { class_uid: 3001, activity_id: 3, severity_id: 2 },
  reviewed: { class_uid: 2003, activity_id: 1, severity_id: 1 },
  'lock-recovered': { class_uid: 1008, activity_id: 99, severity_id: 2 },
  'clock-skew': { class_uid: 2004, activity_id: 1, severity_id: 4 },
  'policy-adopted': { class_uid: 3004, activity_id: 3, severity_id: 3 },
  'forwarding-state': { class_uid: 1008, activity_id: 99, severity_id: 3 },
  'recording-started': { class_uid: 1008, activity_id: 99, severity_id: 1 },
  'recording-chunk': { class_uid: 1008, activity_id: 99, severity_id: 1 },
  'recording-degraded': { class_uid: 1008, activity_id: 99, severity_id: 3 },
  'recording-ended': { class_uid: 1008, activity_id: 99, severity_id: 1 },
  acknowledgement: { class_uid: 1008, activity_id: 99, severity_id: 1 },
  acknowledged: { class_uid: 1008, activity_id: 99, severity_id: 1 },
  witnessed: { class_uid: 1008, activity_id: 99, severity_id: 1 },
};

describe('OCSF events, one per record (issue 19)', () => {
  it('has an example of every record type', () => {
    expect(Object.keys(ITEMS).sort()).toEqual([...RECORD_TYPES].sort());
  });

  it.each(RECORD_TYPES)('%s: maps to its class and activity, and conforms to OCSF 1.5.0', (type) => {
    const e = event(type);
    expect({ class_uid: e.class_uid, activity_id: e.activity_id, severity_id: e.severity_id }).toEqual(EXPECTED[type]);
    expect(ocsfProblems(e)).toEqual([]);
  });

  it.each(RECORD_TYPES)('%s: carries the record hash as id, the session as correlation id, time, host, actor and commit', (type) => {
    const item = ITEMS[type];
    const e = event(type);
    expect(e.metadata).toMatchObject({ version: OCSF_VERSION, product: TEST_PRODUCT, uid: item.record.hash, correlation_uid: item.record.sessionId, event_code: type, sequence: item.position });
    expect(e.time).toBe(Date.parse(item.record.at));
    expect(e.device).toMatchObject({ hostname: 'admin-01', uid: 'host-a' });
    expect(e.actor?.user.name).toBe(item.record.actor.name);
    expect(details(e)).toMatchObject({ record_type: type, record_hash: item.record.hash, evidence_commit: item.commit, seq: item.record.seq, prev_hash: item.record.prev });
  });

  it.each(RECORD_TYPES.filter((t) => !['lock-recovered', 'clock-skew', 'policy-adopted', 'forwarding-state', 'acknowledgement', 'witnessed'].includes(t)))('%s: names the incident, environment, trigger and expiry of its session', (type) => {
    const s = ITEMS[type].session!;
    expect(details(event(type))).toMatchObject({ incident_id: s.incidentId, environment: s.environment, trigger: s.trigger, expires_at: s.expiresAt, declared_at: s.declaredAt });
  });

  it('journal records have no session context', () => {
    for (const type of ['lock-recovered', 'clock-skew', 'policy-adopted', 'forwarding-state', 'acknowledgement', 'witnessed'] as const) expect(details(event(type))).toMatchObject({ incident_id: null, environment: null, trigger: null, expires_at: null });
  });

  it('declared: the operator gets the declared scopes as privileges, in a session that expires at the declared expiry', () => {
    const e = event('declared');
    const r = ITEMS.declared.record as Extract<typeof ITEMS.declared.record, { type: 'declared' }>;
    expect(e.user).toMatchObject({ name: 'Ada Lovelace', email_addr: 'ada@example.com', type: 'Admin' });
    expect(e.privileges).toEqual(r.payload.declaration.scopes);
    expect(e.session).toMatchObject({ uid: r.sessionId, created_time: Date.parse(r.at), expiration_time: Date.parse(r.payload.expiresAt) });
    expect(details(e)).toMatchObject({ justification: r.payload.declaration.justification, duration_minutes: 30, policy_sha256: 'a'.repeat(64) });
    expect(e.message).toContain(r.payload.declaration.incidentId);
  });

  it('extended: the session expires at the new expiry, and later records carry it', () => {
    const e = event('extended');
    const r = ITEMS.extended.record as Extract<typeof ITEMS.extended.record, { type: 'extended' }>;
    expect((e.session as { expiration_time: number }).expiration_time).toBe(Date.parse(r.payload.newExpiresAt));
    expect(details(e)).toMatchObject({ minutes: 15, previous_expires_at: r.payload.previousExpiresAt, expires_at: r.payload.newExpiresAt });
    expect(details(event('action')).expires_at).toBe(r.payload.newExpiresAt);
    expect(details(event('declared')).expires_at).toBe(r.payload.previousExpiresAt);
  });

  it('action: the command line, times and exit status; a failing command is a Failure with its exit code', () => {
    const e = event('action');
    expect(e.process).toMatchObject({ name: 'terraform', cmd_line: 'terraform force-unlock -force 7f3c', working_directory: '/srv/infra', created_time: Date.parse('2026-11-28T09:51:58.000Z') });
    expect({ exit_code: e.exit_code, status_id: e.status_id }).toEqual({ exit_code: 0, status_id: 1 });
    const item = ITEMS.action;
    const failing = recordEvent({ ...item, record: { ...item.record, payload: { ...(item.record.payload as object), exitCode: 3, argv: ['sh', '-c', "echo 'it''s'"] } } as typeof item.record }, TEST_PRODUCT);
    expect({ exit_code: failing.exit_code, status_id: failing.status_id, status_detail: failing.status_detail }).toEqual({ exit_code: 3, status_id: 2, status_detail: 'exit 3' });
    expect((failing.process as { cmd_line: string }).cmd_line).toBe(`sh -c 'echo '\\''it'\\'''\\''s'\\'''`);
    expect(ocsfProblems(failing)).toEqual([]);
  });

  it('action: an output authenticated under the host key (issue 13) is forwarded as its HMAC, never as a hash nobody has', () => {
    const item = ITEMS.action;
    const { outputSha256: _plain, ...payload } = item.record.payload as Record<string, unknown>;
    const outputHmac = { alg: 'hmac-sha256', keyId: 'c'.repeat(64), value: 'd'.repeat(64) };
    const e = recordEvent({ ...item, record: { ...item.record, payload: { ...payload, outputHmac } } as typeof item.record }, TEST_PRODUCT);
    expect(details(e)).toMatchObject({ output_hmac: { alg: 'hmac-sha256', key_id: 'c'.repeat(64), value: 'd'.repeat(64) }, output_bytes: 120 });
    expect(details(e)).not.toHaveProperty('output_sha256');
    expect(details(event('action'))).toMatchObject({ output_sha256: 'b'.repeat(64) });
    expect(ocsfProblems(e)).toEqual([]);
  });

  it('closed: credential rotation is an Account Change; not rotated is a high-severity failure; not applicable is a close', () => {
    const item = ITEMS.closed;
    const closedWith = (rotated: 'yes' | 'no' | 'not-applicable') => {
      const payload = item.record.payload as { closure: { controlsRestored: Record<string, string> } };
      const closure = { ...payload.closure, controlsRestored: { ...payload.closure.controlsRestored, breakGlassCredentialsRotated: rotated }, ...(rotated === 'no' ? { controlsNote: 'vault sealed' } : {}) };
      return recordEvent({ ...item, record: { ...item.record, payload: { ...payload, closure } } as typeof item.record }, TEST_PRODUCT);
    };
    expect(closedWith('yes')).toMatchObject({ activity_id: 3, activity_name: 'Password Change', status_id: 1, severity_id: 2 });
    expect(closedWith('no')).toMatchObject({ activity_id: 3, status_id: 2, severity_id: 4, status_detail: 'Break-glass credentials not rotated' });
    expect(closedWith('not-applicable')).toMatchObject({ activity_id: 99, activity_name: 'Close', severity_id: 1 });
    for (const r of ['yes', 'no', 'not-applicable'] as const) expect(ocsfProblems(closedWith(r))).toEqual([]);
    expect(closedWith('yes').user).toMatchObject({ name: 'break-glass credentials (production)' });
  });

  it('reviewed: a compliance finding whose status follows the outcome, by the reviewer', () => {
    const e = event('reviewed');
    expect(e.compliance).toMatchObject({ status_id: 1, status: 'Pass' });
    expect(e.finding_info).toMatchObject({ uid: ITEMS.reviewed.record.hash });
    expect(e.actor?.user).toMatchObject({ name: 'Grace Hopper', type: 'User' });
  });

  it('clock-skew is an alerting detection finding; policy-adopted names the adopted policy', () => {
    expect(event('clock-skew')).toMatchObject({ is_alert: true, finding_info: { title: 'Clock skew on admin-01' } });
    expect(event('policy-adopted').entity).toMatchObject({ type: 'Policy', uid: 'e'.repeat(64) });
  });

  it('clips long free text so an event stays under 8 KiB, and says where the whole record is', () => {
    const item = ITEMS.declared;
    const r = item.record as Extract<typeof item.record, { type: 'declared' }>;
    const long = 'x'.repeat(8000);
    const declaration = { ...r.payload.declaration, justification: long, materialRisk: long, incidentId: long, governedPathsTried: Array.from({ length: 50 }, () => ({ path: long.slice(0, 200), failure: long.slice(0, 2000) })) };
    const big = recordEvent({ ...item, record: { ...r, payload: { ...r.payload, declaration } }, session: sessionContextAt([{ ...r, payload: { ...r.payload, declaration } }], 1) }, TEST_PRODUCT);
    expect(JSON.stringify(big).length).toBeLessThan(8192);
    expect(details(big).justification).toMatch(/^x+…$/);
    expect(big.metadata.uid).toBe(r.hash);
  });

  it('checkpoint and test events conform and have ids of their own', () => {
    const host = { id: 'host-a', name: 'admin-01' };
    const cp = checkpointEvent({ host, commit: 'f'.repeat(40), records: 120, ownRecords: 80, at: Date.parse('2026-11-28T12:00:00Z') }, TEST_PRODUCT);
    expect(cp).toMatchObject({ class_uid: 1008, activity_id: 99, activity_name: 'Checkpoint', log_name: 'breakglass-evidence' });
    expect(cp.unmapped.breakglass).toMatchObject({ record_type: 'checkpoint', tip_commit: 'f'.repeat(40), record_count: 120, own_record_count: 80 });
    expect(ocsfProblems(cp)).toEqual([]);
    const later = checkpointEvent({ host, commit: 'f'.repeat(40), records: 120, ownRecords: 80, at: Date.parse('2026-11-28T13:00:00Z') }, TEST_PRODUCT);
    expect(later.metadata.uid).not.toBe(cp.metadata.uid);
    const t = testEvent(host, Date.parse('2026-11-28T12:00:00Z'), 'siem', TEST_PRODUCT);
    expect(t).toMatchObject({ class_uid: 0, activity_name: 'Test' });
    expect(t.message).toMatch(/no evidence was changed/);
    expect(ocsfProblems(t)).toEqual([]);
  });

  it('the schema check itself refuses an event that breaks the schema', () => {
    const e = event('declared');
    const { user: _user, ...withoutUser } = e;
    expect(ocsfProblems(withoutUser)).toContain('Authorize Session: required attribute user is missing');
    expect(ocsfProblems({ ...e, invented: 1 })).toContain('Authorize Session: invented is not an attribute of it');
    expect(ocsfProblems({ ...e, type_uid: 1 })).toContain('type_uid 1 is not class_uid * 100 + activity_id');
    expect(ocsfProblems({ ...e, device: { hostname: 'x' } })).toContain('Authorize Session.device: required attribute type_id is missing');
  });
});
