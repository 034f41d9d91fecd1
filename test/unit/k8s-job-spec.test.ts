import { strict as assert } from "node:assert";
import { buildMigrationJob, jobEnv, newJobName } from "../../provider/runners/kubernetes-job-spec";
import { exitOf, isPodReady } from "../../provider/runners/kubernetes-pod-status";
import { isKubernetesRunnerError } from "../../provider/runners/kubernetes-errors";
import { LineSplitter } from "../../provider/runners/kubernetes-log";
import { kongEnv, readinessPath } from "../../sdk/k8s-kong-container";
import { KongKubernetesError } from "../../sdk/k8s-errors";
import type { RunRequest } from "../../provider/runners/types";

const request: RunRequest = {
  command: "up",
  flags: ["--lock-timeout", "60"],
  env: { KONG_PG_HOST: "127.0.0.1", KONG_PG_PASSWORD: "pw", KONG_PLUGINS: "bundled" },
  secrets: ["pw"],
  timeoutSeconds: 1800.5,
};
const config = { namespace: "kong", image: "kong:2.1.4", passwordSecret: { name: "pg", key: "password" } };

describe("Kubernetes Job spec and pod status (pure)", () => {
  it("builds one attempt: no retries, the deadline, the sidecar opt-out, the password only by reference", () => {
    const job = buildMigrationJob(
      { ...config, serviceAccountName: "migrator", env: { KONG_PG_HOST: "pg.db.svc" } },
      request,
      "kong-migrations-up-x",
    );
    assert.deepEqual(job, {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name: "kong-migrations-up-x",
        namespace: "kong",
        labels: {
          "app.kubernetes.io/name": "kong-migrations",
          "app.kubernetes.io/managed-by": "pulumi-kong-migrations",
          "kong-migrations/command": "up",
        },
      },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: 1801,
        template: {
          metadata: {
            labels: {
              "app.kubernetes.io/name": "kong-migrations",
              "app.kubernetes.io/managed-by": "pulumi-kong-migrations",
              "kong-migrations/command": "up",
            },
            annotations: { "sidecar.istio.io/inject": "false" },
          },
          spec: {
            restartPolicy: "Never",
            serviceAccountName: "migrator",
            containers: [
              {
                name: "kong-migrations",
                image: "kong:2.1.4",
                command: ["kong", "migrations", "up", "--lock-timeout", "60"],
                env: [
                  { name: "KONG_PG_HOST", value: "pg.db.svc" },
                  { name: "KONG_PLUGINS", value: "bundled" },
                  { name: "KONG_PG_PASSWORD", valueFrom: { secretKeyRef: { name: "pg", key: "password" } } },
                ],
              },
            ],
          },
        },
      },
    });
    assert.deepEqual(jobEnv({ namespace: "kong", image: "kong" }, { ...request, env: { KONG_PG_HOST: "h" } }), [
      { name: "KONG_PG_HOST", value: "h" },
    ]);
    assert.throws(
      () => jobEnv({ namespace: "kong", image: "kong" }, request),
      (e: unknown) => isKubernetesRunnerError(e, "PASSWORD_SECRET_REQUIRED"),
    );
  });

  it("names each attempt uniquely within the 63 characters of the job-name label", () => {
    const a = newJobName("bootstrap", 1_700_000_000_000);
    assert.match(a, /^kong-migrations-bootstrap-loyw3v28-[0-9a-f]{4}$/);
    assert.notEqual(newJobName("up"), newJobName("up"));
    assert.ok(newJobName("bootstrap").length <= 63);
  });

  it("reads a container's exit as the local runner reports a process's", () => {
    assert.deepEqual(exitOf({ exitCode: 0 }), { exitCode: 0 });
    assert.deepEqual(exitOf({ exitCode: 5 }), { exitCode: 5 });
    assert.deepEqual(exitOf({ exitCode: 137 }), { exitCode: null, signal: "SIGKILL" });
    assert.deepEqual(exitOf({ exitCode: 143 }), { exitCode: null, signal: "SIGTERM" });
    assert.deepEqual(exitOf({ exitCode: 0, signal: 15 }), { exitCode: null, signal: "SIGTERM" });
    assert.equal(isPodReady({ status: { conditions: [{ type: "Ready", status: "True" }] } }), true);
    assert.equal(isPodReady({ status: { conditions: [{ type: "Ready", status: "False" }] } }), false);
  });

  it("splits a streamed log into lines, keeping a partial line until the end", () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push("a\r\nb"), ["a"]);
    assert.deepEqual(s.push("c\n\nd"), ["bc", ""]);
    assert.deepEqual(s.end(), ["d"]);
  });

  it("Kong Enterprise: Kong Manager and the Dev Portal API stay off with the Admin API (green before finish)", () => {
    const listeners = (edition: "oss" | "enterprise", adminApi: boolean) =>
      kongEnv({ database: {}, adminApi, edition })
        .filter((e) => /^KONG_(ADMIN|ADMIN_GUI|PORTAL_API)_LISTEN$/.test(e.name))
        .map((e) => `${e.name}=${e.value}`);
    assert.deepEqual(listeners("enterprise", false), ["KONG_ADMIN_LISTEN=off", "KONG_ADMIN_GUI_LISTEN=off", "KONG_PORTAL_API_LISTEN=off"]);
    assert.deepEqual(listeners("enterprise", true), ["KONG_ADMIN_LISTEN=0.0.0.0:8001"], "Kong's defaults once the Admin API is on");
    assert.deepEqual(listeners("oss", false), ["KONG_ADMIN_LISTEN=off"]);
    assert.throws(() => kongEnv({ database: {}, adminApi: false, edition: "enterprise", env: { KONG_ADMIN_GUI_LISTEN: "0.0.0.0:8002" } }), {
      message:
        "env sets KONG_ADMIN_GUI_LISTEN, but adminApi is false: Kong Enterprise's Kong Manager and Dev Portal API listeners stay off with the Admin API (use adminApi).",
    });
  });

  it("keeps the Admin API switch and the password out of a cluster's extra env", () => {
    for (const name of ["KONG_ADMIN_LISTEN", "KONG_PG_PASSWORD", "KONG_DATABASE"]) {
      assert.throws(
        () => kongEnv({ database: {}, adminApi: false, env: { [name]: "x" } }),
        (e: unknown) => e instanceof KongKubernetesError && e.code === "RESERVED_ENV" && e.property === "env",
      );
    }
    const env = kongEnv({ database: {}, adminApi: false, env: { KONG_PLUGINS: "off", KONG_NGINX_WORKER_PROCESSES: "2" } });
    assert.deepEqual(env.slice(1, 2), [{ name: "KONG_PLUGINS", value: "off" }], "overridden in place");
    assert.deepEqual(env[env.length - 1], { name: "KONG_NGINX_WORKER_PROCESSES", value: "2" });
    assert.deepEqual(
      [readinessPath("2.8.4"), readinessPath("3.2.2"), readinessPath("3.3.0"), readinessPath("4.0.0")],
      ["/status", "/status", "/status/ready", "/status/ready"],
    );
  });
});
