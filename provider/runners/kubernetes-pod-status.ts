/**
 * Reading pod status: readiness, the migration container's state, and its exit as the local runner
 * reports one. Pure.
 */
import { constants } from "node:os";
import type { V1ContainerStateTerminated, V1Pod } from "@kubernetes/client-node";

/** True when the pod's `Ready` condition is `True` (it receives Service traffic). */
export function isPodReady(pod: V1Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

export type ContainerPhase =
  | { readonly kind: "absent" }
  | { readonly kind: "waiting"; readonly reason?: string; readonly message?: string }
  | { readonly kind: "running" }
  | { readonly kind: "terminated"; readonly terminated: V1ContainerStateTerminated };

export function containerPhase(pod: V1Pod, container: string): ContainerPhase {
  const status = (pod.status?.containerStatuses ?? []).find((s) => s.name === container);
  const state = status?.state;
  if (state?.terminated) return { kind: "terminated", terminated: state.terminated };
  if (state?.running) return { kind: "running" };
  if (state?.waiting) return { kind: "waiting", reason: state.waiting.reason, message: state.waiting.message };
  return { kind: "absent" };
}

/**
 * Waiting reasons after which the container will not start without someone changing the cluster
 * (the kubelet keeps retrying, but a migration should fail now with the reason, not at its
 * timeout). `ErrImagePull` is left out: the first pull failure is often transient.
 */
export const FATAL_WAITING_REASONS: readonly string[] = [
  "ImagePullBackOff",
  "ErrImageNeverPull",
  "InvalidImageName",
  "CreateContainerConfigError",
  "CreateContainerError",
];

/**
 * The container's exit in the local runner's terms: `exitCode` as the process returned it, or
 * `null` plus the signal's name when a signal ended it. Kubernetes reports a signalled process as
 * exit code 128+N (the runtime's convention, e.g. 137 for SIGKILL); `kong` itself only exits with
 * 0, 1, 3, 4 or 5 (kong-migrations.md §2), so 129..192 are read as signals.
 */
export function exitOf(t: V1ContainerStateTerminated): { exitCode: number | null; signal?: string } {
  const byNumber = (n: number): string | undefined => Object.entries(constants.signals).find(([, v]) => v === n)?.[0];
  if (typeof t.signal === "number" && t.signal > 0) return { exitCode: null, signal: byNumber(t.signal) ?? `signal ${t.signal}` };
  const code = t.exitCode;
  if (code > 128 && code <= 128 + 64) {
    const name = byNumber(code - 128);
    if (name) return { exitCode: null, signal: name };
  }
  return { exitCode: code };
}
