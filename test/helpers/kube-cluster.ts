/**
 * A real Kubernetes control plane for the tests, on loopback: etcd 3.6, kube-apiserver,
 * kube-controller-manager and kube-scheduler 1.34 (built from Go modules by
 * `scripts/ensure-kubernetes.sh`, cached), and one fake node run by kwok 0.8 plus the harness's
 * executor (`./kube-executor.ts`). Why each piece and flag: ../shared/docs/real-kubernetes.md.
 *
 * Real: the API server (validation, admission, defaulting, server-side apply, RBAC with a static
 * token), the Job, ReplicaSet, Deployment, endpoints and garbage-collector controllers, the
 * scheduler, TLS with a CA generated per run. Simulated: the kubelet and the containers. kwok takes
 * the pods of Deployments to Running/Ready (no container runs, probes are not run); the executor
 * runs the pods of Jobs (see its file). No kube-proxy or CNI: pod IPs and ClusterIPs are status
 * fields nothing connects to.
 *
 * One cluster per mocha run, started lazily by the first suite that calls `useKubeCluster()`,
 * stopped by the global teardown (`./global-postgres.ts`) and, on an interrupted run, killed on
 * SIGINT/SIGTERM/exit. Each suite works in its own namespace.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { freePort } from "./embedded-postgres";
import { startExecutor, type JobExecutor } from "./kube-executor";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** The static bearer token of the cluster's admin (group system:masters). */
const ADMIN_TOKEN = "kong-migrations-test-admin-token";
export const NODE_NAME = "kwok-node-0";

export interface KubeCluster {
  /** `https://127.0.0.1:<port>` */
  readonly server: string;
  /** Kubeconfig (YAML) with the CA and the admin token. */
  readonly kubeconfig: string;
  /** The same, as a file (for the Pulumi Kubernetes provider, kubectl). */
  readonly kubeconfigPath: string;
  /** Directory holding the PKI, etcd's data and each component's log. */
  readonly dir: string;
  readonly executor: JobExecutor;
  /** Milliseconds from spawning etcd to a Ready node. */
  readonly startMs: number;
  /** A client configuration for this cluster. */
  kubeConfig(): KubeConfig;
  stop(): Promise<void>;
  /** Synchronous last resort (signals, exit). */
  kill(): void;
}

let toolchain: string | undefined;

/**
 * The PATH fragment holding the control plane (and, with `plugin`, pulumi-resource-kubernetes):
 * built from Go modules on first use (tens of minutes cold, see the script), cached afterwards.
 */
export function kubernetesToolchain(what: "control-plane" | "all" = "control-plane"): string {
  if (what === "control-plane" && toolchain) return toolchain;
  const out = execFileSync("bash", [path.join(REPO_ROOT, "scripts/ensure-kubernetes.sh"), what], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const fragment = out.trim().split("\n").pop() ?? "";
  if (!fragment) throw new Error("scripts/ensure-kubernetes.sh printed no PATH fragment");
  if (what === "control-plane") toolchain = fragment;
  return fragment;
}

function which(bin: string, pathFragment: string): string {
  for (const dir of pathFragment.split(":")) {
    const p = path.join(dir, bin);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`${bin} not found in ${pathFragment}`);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** GET over https (or http) accepting any certificate; resolves with the status and body. */
function get(url: string, headers: Record<string, string> = {}, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const mod = url.startsWith("https:") ? https : (require("node:http") as typeof import("node:http"));
    const req = mod.get(url, { headers, ...(url.startsWith("https:") ? (ca ? { ca } : { rejectUnauthorized: false }) : {}) }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", (e) => resolve({ status: 0, body: e.message }));
    req.setTimeout(5000, () => req.destroy(new Error("timeout")));
  });
}

/** PKI for one run: a CA, the API server's serving certificate, the service-account key pair. */
function writePki(dir: string): { ca: string } {
  fs.mkdirSync(dir, { recursive: true });
  const sa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  fs.writeFileSync(path.join(dir, "sa.key"), sa.privateKey.export({ type: "pkcs8", format: "pem" }));
  fs.writeFileSync(path.join(dir, "sa.pub"), sa.publicKey.export({ type: "spki", format: "pem" }));
  const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  /** A new key and a self-signed certificate for `subject`, valid for two days. */
  const selfSigned = (subject: string, key: string, cert: string, extra: string[] = []) =>
    openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", subject, ...extra, "-keyout", key, "-out", cert]);
  selfSigned("/CN=kong-migrations-test-ca", "ca.key", "ca.crt");
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=kube-apiserver", "-keyout", "apiserver.key", "-out", "apiserver.csr"]);
  fs.writeFileSync(
    path.join(dir, "apiserver.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.96.0.1\n",
  );
  openssl([
    "x509",
    "-req",
    "-in",
    "apiserver.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "apiserver.ext",
    "-out",
    "apiserver.crt",
  ]);
  // The executor's kubelet endpoint (the API server does not verify kubelets without --kubelet-certificate-authority).
  selfSigned(`/CN=${NODE_NAME}`, "kubelet.key", "kubelet.crt", ["-addext", "subjectAltName=IP:127.0.0.1"]);
  fs.writeFileSync(path.join(dir, "tokens.csv"), `${ADMIN_TOKEN},admin,admin,system:masters\n`);
  return { ca: fs.readFileSync(path.join(dir, "ca.crt"), "utf8") };
}

function kubeconfigYaml(server: string, ca: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: kong-migrations-test",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${Buffer.from(ca).toString("base64")}`,
    "users:",
    "- name: admin",
    "  user:",
    `    token: ${ADMIN_TOKEN}`,
    "contexts:",
    "- name: kong-migrations-test",
    "  context:",
    "    cluster: kong-migrations-test",
    "    user: admin",
    "current-context: kong-migrations-test",
    "",
  ].join("\n");
}

export interface StartOptions {
  /** PATH fragment with the binaries. Default: `kubernetesToolchain()`. */
  readonly binPath?: string;
  /** Echo each component's log lines to stderr (debugging). */
  readonly verbose?: boolean;
}

/** Starts a cluster and waits until its node is Ready. Stops what it started if that fails. */
export async function startKubeCluster(options: StartOptions = {}): Promise<KubeCluster> {
  const binPath = options.binPath ?? kubernetesToolchain();
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kong-migrations-kube-"));
  const pki = path.join(dir, "pki");
  const { ca } = writePki(pki);
  const [etcdPort, etcdPeer, apiPort, kcmPort, schedPort, kubeletPort, kwokPort] = await Promise.all(
    Array.from({ length: 7 }, () => freePort()),
  );
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfig = kubeconfigYaml(server, ca);
  const kubeconfigPath = path.join(dir, "kubeconfig");
  fs.writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });

  const children: { name: string; child: ChildProcess }[] = [];
  let executor: JobExecutor | undefined;
  const run = (name: string, args: string[]) => {
    const log = fs.openSync(path.join(dir, `${name}.log`), "a");
    const child = spawn(which(name, binPath), args, { cwd: dir, stdio: ["ignore", log, log] });
    fs.closeSync(log);
    children.push({ name, child });
    child.once("exit", (code, signal) => {
      if (!stopping && options.verbose) process.stderr.write(`kube-cluster: ${name} exited ${code ?? signal}\n`);
    });
    return child;
  };
  let stopping = false;
  const kill = () => {
    stopping = true;
    executor?.kill();
    for (const { child } of [...children].reverse()) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  const stop = async () => {
    stopping = true;
    await executor?.stop();
    for (const { child } of [...children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    }
    if (!process.env.KUBE_CLUSTER_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  };
  const died = () => children.find(({ child }) => child.exitCode !== null || child.signalCode !== null);
  const waitFor = async (what: string, ok: () => Promise<boolean>, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const dead = died();
      if (dead) {
        const tail = fs
          .readFileSync(path.join(dir, `${dead.name}.log`), "utf8")
          .split("\n")
          .slice(-15)
          .join("\n");
        throw new Error(
          `kube-cluster: ${dead.name} exited (${dead.child.exitCode ?? dead.child.signalCode}) while waiting for ${what}:\n${tail}`,
        );
      }
      if (await ok()) return;
      if (Date.now() > deadline) throw new Error(`kube-cluster: ${what} not ready after ${timeoutMs / 1000}s (logs in ${dir})`);
      await sleep(200);
    }
  };
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

  try {
    run("etcd", [
      "--name=test",
      `--data-dir=${path.join(dir, "etcd")}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=test=http://127.0.0.1:${etcdPeer}`,
      "--unsafe-no-fsync",
      "--log-level=warn",
    ]);
    await waitFor("etcd", async () => (await get(`http://127.0.0.1:${etcdPort}/health`)).status === 200);

    run("kube-apiserver", [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${path.join(pki, "apiserver.crt")}`,
      `--tls-private-key-file=${path.join(pki, "apiserver.key")}`,
      `--client-ca-file=${path.join(pki, "ca.crt")}`,
      `--token-auth-file=${path.join(pki, "tokens.csv")}`,
      "--authorization-mode=RBAC",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${path.join(pki, "sa.pub")}`,
      `--service-account-signing-key-file=${path.join(pki, "sa.key")}`,
      "--service-cluster-ip-range=10.96.0.0/16",
      "--kubelet-preferred-address-types=InternalIP",
      "--enable-priority-and-fairness=false",
      "--v=1",
    ]);
    await waitFor("kube-apiserver", async () => (await get(`${server}/readyz`, auth, ca)).status === 200);

    run("kube-controller-manager", [
      `--kubeconfig=${kubeconfigPath}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${kcmPort}`,
      `--cert-dir=${path.join(pki, "kcm")}`,
      `--service-account-private-key-file=${path.join(pki, "sa.key")}`,
      `--root-ca-file=${path.join(pki, "ca.crt")}`,
      "--use-service-account-credentials=false",
      "--leader-elect=false",
      "--controllers=*",
    ]);
    run("kube-scheduler", [
      `--kubeconfig=${kubeconfigPath}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${schedPort}`,
      `--cert-dir=${path.join(pki, "scheduler")}`,
      "--leader-elect=false",
    ]);
    await waitFor("kube-controller-manager", async () => (await get(`https://127.0.0.1:${kcmPort}/healthz`)).status === 200);
    await waitFor("kube-scheduler", async () => (await get(`https://127.0.0.1:${schedPort}/healthz`)).status === 200);

    const kc = kubeConfigFrom(kubeconfig);
    executor = await startExecutor({
      kubeConfig: kc,
      nodeName: NODE_NAME,
      port: kubeletPort,
      tlsCert: fs.readFileSync(path.join(pki, "kubelet.crt"), "utf8"),
      tlsKey: fs.readFileSync(path.join(pki, "kubelet.key"), "utf8"),
    });

    // kwok: the node's status and heartbeat, and the pods of Deployments. `--node-port` is what kwok
    // writes into the node's kubeletEndpoint: the executor's port, so the API server proxies pod
    // logs to the executor, while kwok's own server listens elsewhere.
    run("kwok", [
      `--kubeconfig=${kubeconfigPath}`,
      `--config=${path.resolve(__dirname, "../fixtures/kube/kwok-stages.yaml")}`,
      "--manage-all-nodes=false",
      "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
      "--node-ip=127.0.0.1",
      `--node-name=${NODE_NAME}`,
      `--node-port=${kubeletPort}`,
      `--server-address=127.0.0.1:${kwokPort}`,
      "--node-lease-duration-seconds=40",
    ]);
    await createNode(kc);
    await waitFor("the node", () => nodeReady(kc));
  } catch (e) {
    kill();
    process.stderr.write(`kube-cluster: start failed; logs kept in ${dir}\n`);
    throw e;
  }

  return {
    server,
    kubeconfig,
    kubeconfigPath,
    dir,
    executor: executor!,
    startMs: Date.now() - started,
    kubeConfig: () => kubeConfigFrom(kubeconfig),
    stop,
    kill,
  };
}

export function kubeConfigFrom(kubeconfig: string): KubeConfig {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const k8s = require("@kubernetes/client-node") as typeof import("@kubernetes/client-node");
  const kc = new k8s.KubeConfig();
  kc.loadFromString(kubeconfig);
  return kc;
}

async function createNode(kc: KubeConfig): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const k8s = require("@kubernetes/client-node") as typeof import("@kubernetes/client-node");
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNode({
    body: {
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name: NODE_NAME,
        annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
        labels: { "kubernetes.io/hostname": NODE_NAME, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", type: "kwok" },
      },
      status: { allocatable: { cpu: "32", memory: "256Gi", pods: "110" }, capacity: { cpu: "32", memory: "256Gi", pods: "110" } },
    },
  });
}

async function nodeReady(kc: KubeConfig): Promise<boolean> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const k8s = require("@kubernetes/client-node") as typeof import("@kubernetes/client-node");
  try {
    const node = await kc.makeApiClient(k8s.CoreV1Api).readNode({ name: NODE_NAME });
    return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  } catch {
    return false;
  }
}

// --- one cluster per mocha run ---------------------------------------------------------------------

let shared: Promise<KubeCluster> | undefined;
let sharedCluster: KubeCluster | undefined;

/** The run's cluster, started on first use. */
export function sharedKubeCluster(): Promise<KubeCluster> {
  if (!shared) {
    shared = startKubeCluster().then((c) => {
      sharedCluster = c;
      process.stderr.write(`kube-cluster: started in ${(c.startMs / 1000).toFixed(1)}s (${c.dir})\n`);
      for (const sig of ["SIGINT", "SIGTERM"] as const) {
        process.once(sig, () => {
          c.kill();
          process.exit(130);
        });
      }
      process.once("exit", () => c.kill());
      return c;
    });
    // A failed start is retried by the next suite rather than cached.
    shared.catch(() => (shared = undefined));
  }
  return shared;
}

/** Stops the run's cluster if one was started (the mocha global teardown calls this). */
export async function stopSharedKubeCluster(): Promise<void> {
  const c = sharedCluster;
  sharedCluster = undefined;
  shared = undefined;
  await c?.stop();
}

/**
 * Registers a `before` hook that starts (or reuses) the run's cluster, and returns a getter.
 * The first call may build the toolchain (see `kubernetesToolchain`).
 */
export function useKubeCluster(): () => KubeCluster {
  let cluster: KubeCluster | undefined;
  before(async function () {
    this.timeout(60 * 60_000);
    cluster = await sharedKubeCluster();
  });
  return () => {
    if (!cluster) throw new Error("useKubeCluster(): the cluster is not started yet (use it inside a test or hook)");
    return cluster;
  };
}
