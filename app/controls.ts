/**
 * The control references of the seed, so an auditor can walk from a control to its evidence
 * (procedure.md, preamble). Each record type carries the tags of the step it evidences.
 */
export const CONTROLS = {
  'ISO27001:A.5.1': 'Policies for information security (seed §1)',
  'ISO27001:A.16.1': 'Management of information security incidents (seed §1)',
  'SOC2:CC1.1': 'Integrity and ethical values (seed §1)',
  'SOC2:CC5.1': 'Control activities aligned to objectives (seed §1)',
  'ISO27001:A.6.2': 'Segregation of duties (seed §2)',
  'ISO27001:A.8.2': 'Privileged access rights (seed §2)',
  'SOC2:CC6.1': 'Logical access restrictions (seed §2)',
  'SOC2:CC6.2': 'Authentication and authorization enforcement (seed §2)',
  'ISO27001:A.8.3': 'Information access restriction (seed §3)',
  'ISO27001:A.5.18': 'Access rights review (seed §3)',
  'SOC2:CC6.3': 'Privileged access monitoring (seed §3)',
  'ISO27001:A.12.3': 'Backup (seed §4)',
  'ISO27001:A.8.1': 'User endpoint devices (seed §4)',
  'SOC2:CC7.2': 'Incident response readiness (seed §4)',
} as const;

/** A control reference of the seed. */
export type ControlId = keyof typeof CONTROLS;

/** The control tags each record type carries (procedure.md sections in comments). */
export const CONTROLS_BY_RECORD_TYPE = {
  // §2–§4: authorized trigger, named human, preconditions met, policy in force.
  declared: ['ISO27001:A.5.1', 'ISO27001:A.16.1', 'SOC2:CC1.1', 'SOC2:CC5.1', 'ISO27001:A.8.2', 'SOC2:CC6.1', 'SOC2:CC6.2', 'ISO27001:A.8.3', 'ISO27001:A.8.1', 'SOC2:CC7.2'],
  // §5: privileged actions are monitored.
  action: ['ISO27001:A.8.3', 'SOC2:CC6.3', 'ISO27001:A.16.1'],
  // §5: a command is evidenced before it runs (issue 12 item 7); its `action` record says how it ended.
  'action-started': ['ISO27001:A.8.3', 'SOC2:CC6.3', 'ISO27001:A.16.1'],
  note: ['SOC2:CC6.3', 'ISO27001:A.16.1'],
  // §5: time-limited access, extended only with a new justification.
  extended: ['ISO27001:A.8.2', 'SOC2:CC6.2', 'ISO27001:A.8.3'],
  // §6: access ends at the absolute expiry.
  expired: ['ISO27001:A.8.3', 'SOC2:CC6.1'],
  // §8: reversal, governed state restored.
  closed: ['ISO27001:A.16.1', 'SOC2:CC7.2', 'SOC2:CC5.1', 'ISO27001:A.5.18'],
  // §9: review by a different named human (segregation of duties).
  reviewed: ['ISO27001:A.5.18', 'ISO27001:A.6.2', 'SOC2:CC6.3', 'SOC2:CC1.1'],
  // §7: the evidence store stays intact and its own recovery is evidenced.
  'lock-recovered': ['ISO27001:A.12.3', 'SOC2:CC7.2'],
  'clock-skew': ['ISO27001:A.8.1', 'SOC2:CC7.2'],
  'policy-adopted': ['ISO27001:A.5.1', 'SOC2:CC5.1'],
  // §3 (issue 19): privileged access is monitored; a host says when the security team stops hearing of it.
  'forwarding-state': ['SOC2:CC6.3', 'SOC2:CC7.2'],
  // §5 (issue 17): what was done in a governed shell is monitored and recorded.
  'recording-started': ['ISO27001:A.8.3', 'SOC2:CC6.3', 'ISO27001:A.16.1'],
  'recording-chunk': ['ISO27001:A.8.3', 'SOC2:CC6.3', 'ISO27001:A.16.1'],
  'recording-degraded': ['ISO27001:A.8.3', 'SOC2:CC6.3', 'SOC2:CC7.2'],
  'recording-ended': ['ISO27001:A.8.3', 'SOC2:CC6.3', 'ISO27001:A.16.1'],
  // §4 (issue 16): the incident commander, another named human, saw the declaration (and the closing).
  acknowledgement: ['ISO27001:A.16.1', 'SOC2:CC1.1', 'ISO27001:A.6.2'],
  acknowledged: ['ISO27001:A.16.1', 'SOC2:CC1.1', 'ISO27001:A.6.2'],
  // §7 (issue 16): someone other than the operator saw each host's history; a rewrite after it is found.
  witnessed: ['ISO27001:A.12.3', 'SOC2:CC7.2'],
} as const satisfies Record<string, readonly ControlId[]>;
