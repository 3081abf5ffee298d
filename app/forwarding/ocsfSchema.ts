// The shapes and constants of the OCSF events (issue 19); app/forwarding/ocsf.ts maps each record onto them.

/** The OCSF schema version the events follow (attributes checked against the 1.5.0 schema). */
export const OCSF_VERSION = '1.5.0';

/** The product that reports the events (`metadata.product`). */
export interface OcsfProduct {
  name: string;
  version: string;
  vendor_name?: string;
}

/** An OCSF user object, as the events carry them. */
export interface OcsfUser {
  name: string;
  email_addr?: string;
  type_id: number;
  type: string;
}

/** An OCSF event: the classification, occurrence and context attributes every event has, plus its class's own. */
export interface OcsfEvent {
  class_uid: number;
  class_name: string;
  category_uid: number;
  category_name: string;
  activity_id: number;
  activity_name: string;
  type_uid: number;
  type_name: string;
  severity_id: number;
  severity: string;
  time: number;
  message: string;
  status_id: number;
  status: string;
  metadata: {
    version: string;
    product: OcsfProduct;
    uid: string;
    correlation_uid?: string;
    event_code: string;
    log_name: string;
    log_provider: string;
    sequence?: number;
    profiles: string[];
  };
  device: { hostname: string; uid: string; type_id: 0; type: 'Unknown' };
  actor?: { user: OcsfUser };
  unmapped: { breakglass: Record<string, unknown> };
  [attribute: string]: unknown;
}

/** Every event carries `device` (and most `actor`), the attributes of OCSF's host profile. */
export const PROFILES = ['host'] as const;

/** Where the evidence lives, named in every event (`metadata.log_name`). */
export const EVIDENCE_LOG_NAME = 'breakglass-evidence';

export const CATEGORIES = { 0: 'Uncategorized', 1: 'System Activity', 2: 'Findings', 3: 'Identity & Access Management' } as const;

/** The OCSF classes the events use (class_uid, name, category_uid). */
export const OCSF_CLASSES = {
  base: [0, 'Base Event', 0],
  processActivity: [1007, 'Process Activity', 1],
  eventLogActivity: [1008, 'Event Log Activity', 1],
  complianceFinding: [2003, 'Compliance Finding', 2],
  detectionFinding: [2004, 'Detection Finding', 2],
  accountChange: [3001, 'Account Change', 3],
  authentication: [3002, 'Authentication', 3],
  authorizeSession: [3003, 'Authorize Session', 3],
  entityManagement: [3004, 'Entity Management', 3],
} as const;

export type OcsfClass = keyof typeof OCSF_CLASSES;

export const SEVERITIES = { 1: 'Informational', 2: 'Low', 3: 'Medium', 4: 'High', 5: 'Critical' } as const;
export type Severity = keyof typeof SEVERITIES;
