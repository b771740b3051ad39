/**
 * How loaded this instance is, for background work that should step back while members are being
 * answered: the share of the last interval the event loop was busy (`performance.eventLoopUtilization`).
 * Combined with the requests in flight, it tells "saturated by requests" from "busy with its own work".
 */
import { performance, type EventLoopUtilization } from "node:perf_hooks";

export type LoadGauge = {
  /** The event loop's busy share over the last interval, 0..1. */
  utilization(): number;
  stop(): void;
};

export function createLoadGauge(intervalMs = 100): LoadGauge {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  let utilization = 0;
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    utilization = performance.eventLoopUtilization(now, last).utilization;
    last = now;
  }, intervalMs);
  timer.unref();
  return { utilization: () => utilization, stop: () => clearInterval(timer) };
}
