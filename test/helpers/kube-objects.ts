/**
 * Objects in the test cluster (`./kube-cluster.ts`) for the tests of the Job runner: a namespace per
 * test, Secrets, "old Kong" pods that kwok takes to Ready, and a record of every Job the API server
 * stored (a watch), since a successful Job is deleted before a test could read it.
 */
import { randomBytes } from "node:crypto";
import type { BatchV1Api, CoreV1Api, KubeConfig, V1Job, V1Pod } from "@kubernetes/client-node";
import type { KubeCluster } from "./kube-cluster";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const k8s = () => require("@kubernetes/client-node") as typeof import("@kubernetes/client-node");

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** A stored Job event as the watch saw it. */
export interface JobEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED";
  readonly job: V1Job;
}

export class KubeNamespace {
  readonly core: CoreV1Api;
  readonly batch: BatchV1Api;
  /** Every Job event in the namespace since the namespace was created. */
  readonly jobEvents: JobEvent[] = [];
  private abort?: () => void;

  constructor(
    readonly kc: KubeConfig,
    readonly name: string,
  ) {
    this.core = kc.makeApiClient(k8s().CoreV1Api);
    this.batch = kc.makeApiClient(k8s().BatchV1Api);
  }

  /** Every Job the API server stored, as first stored (defaults applied), in creation order. */
  get createdJobs(): V1Job[] {
    return this.jobEvents.filter((e) => e.type === "ADDED").map((e) => e.job);
  }

  /** Names of the Jobs deleted so far. */
  get deletedJobs(): string[] {
    return this.jobEvents.filter((e) => e.type === "DELETED").map((e) => e.job.metadata!.name!);
  }

  async create(): Promise<void> {
    await this.core.createNamespace({ body: { metadata: { name: this.name, labels: { "kong-migrations.test/ns": "true" } } } });
    // The ServiceAccount admission plugin refuses pods until the namespace's default ServiceAccount exists.
    await eventually(`the default ServiceAccount in ${this.name}`, async () =>
      this.core.readNamespacedServiceAccount({ name: "default", namespace: this.name }).then(
        () => true,
        () => undefined,
      ),
    );
    // Resolves once the API server answered: from then on every Job event of the namespace is seen.
    const req = await new (k8s().Watch)(this.kc).watch(
      `/apis/batch/v1/namespaces/${this.name}/jobs`,
      { allowWatchBookmarks: false },
      (type: string, job: V1Job) => {
        if (type === "ADDED" || type === "MODIFIED" || type === "DELETED") this.jobEvents.push({ type, job });
      },
      () => undefined,
    );
    this.abort = () => req.abort();
  }

  /** Deletes the namespace (and with it everything in it) without waiting. */
  async remove(): Promise<void> {
    this.abort?.();
    await this.core.deleteNamespace({ name: this.name }).catch(() => undefined);
  }

  async putSecret(name: string, data: Record<string, string>): Promise<void> {
    const body = { metadata: { name, namespace: this.name }, stringData: data };
    try {
      await this.core.createNamespacedSecret({ namespace: this.name, body });
    } catch {
      await this.core.replaceNamespacedSecret({ name, namespace: this.name, body });
    }
  }

  /**
   * A bare pod of an "old Kong version" with these labels. `ready`: kwok takes it to Running/Ready
   * (awaited). Not ready: it cannot be scheduled (a node selector no node has), so it stays Pending.
   * `finalizer`: deleting it leaves it terminating until `release()`.
   */
  async putPod(name: string, labels: Record<string, string>, opts: { ready: boolean; finalizer?: boolean }): Promise<void> {
    await this.core.createNamespacedPod({
      namespace: this.name,
      body: {
        metadata: { name, labels, ...(opts.finalizer ? { finalizers: ["kong-migrations.test/hold"] } : {}) },
        spec: {
          containers: [{ name: "kong", image: "kong:2.0.5" }],
          ...(opts.ready ? {} : { nodeSelector: { "kong-migrations.test/no-such-node": "true" } }),
        },
      },
    });
    if (opts.ready) await this.waitPodReady(name);
  }

  async waitPodReady(name: string): Promise<V1Pod> {
    return eventually(`pod ${this.name}/${name} Ready`, async () => {
      const p = await this.core.readNamespacedPod({ name, namespace: this.name });
      return p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ? p : undefined;
    });
  }

  async deletePod(name: string): Promise<void> {
    await this.core.deleteNamespacedPod({ name, namespace: this.name });
  }

  /** Removes the test finalizer, letting a terminating pod go. */
  async release(name: string): Promise<void> {
    const pod = await this.core.readNamespacedPod({ name, namespace: this.name });
    pod.metadata!.finalizers = (pod.metadata!.finalizers ?? []).filter((f) => f !== "kong-migrations.test/hold");
    await this.core.replaceNamespacedPod({ name, namespace: this.name, body: pod });
  }

  /** Waits until no pod has this name. */
  async waitPodGone(name: string): Promise<void> {
    await eventually(`pod ${this.name}/${name} gone`, () =>
      this.core.readNamespacedPod({ name, namespace: this.name }).then(
        () => undefined,
        () => true,
      ),
    );
  }

  async job(name: string): Promise<V1Job | undefined> {
    return this.batch.readNamespacedJob({ name, namespace: this.name }).catch(() => undefined);
  }

  async jobNames(): Promise<string[]> {
    return (await this.batch.listNamespacedJob({ namespace: this.name })).items.map((j) => j.metadata!.name!).sort();
  }

  async podsOfJob(job: string): Promise<V1Pod[]> {
    return (await this.core.listNamespacedPod({ namespace: this.name, labelSelector: `batch.kubernetes.io/job-name=${job}` })).items;
  }
}

/**
 * Registers hooks that give every test of the current `describe` its own namespace in the
 * cluster (deleted afterwards, without waiting). Read it inside a test.
 */
export function useKubeNamespace(cluster: () => KubeCluster): () => KubeNamespace {
  let current: KubeNamespace | undefined;
  beforeEach(async () => {
    current = new KubeNamespace(cluster().kubeConfig(), `t-${randomBytes(4).toString("hex")}`);
    await current.create();
  });
  afterEach(async () => {
    await current?.remove();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error("useKubeNamespace(): no namespace outside a test");
    return current;
  };
}
