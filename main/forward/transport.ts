import type { OcsfEvent } from '../../app/forwarding/ocsf';

/** One destination's way of delivering events (syslog, webhook, Splunk HEC). */
export interface Transport {
  /** How many events one `deliver` call takes at most. */
  readonly maxBatch: number;
  /**
   * Delivers the events in order and resolves once the receiver has them by its protocol's
   * measure (syslog: read to the end of the stream; HTTP: a 2xx answer; HEC with
   * acknowledgement: indexed). Throws a ForwardError whose `delivered` counts the prefix that got through.
   */
  deliver(events: readonly OcsfEvent[]): Promise<void>;
  /** Releases kept-alive connections. */
  close(): void;
}
