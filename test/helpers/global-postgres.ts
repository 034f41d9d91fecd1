/**
 * Mocha global fixture: one real PostgreSQL server for the whole test run (see
 * `./embedded-postgres`). Test files get their own database through `useFreshDatabase()` in
 * `./postgres`. The server is stopped by `mochaGlobalTeardown`, and also on SIGINT/SIGTERM or an
 * early exit, so an interrupted run leaves no server behind.
 *
 * The Kubernetes test cluster (`./kube-cluster.ts`) is started lazily by the suites that need it;
 * the teardown stops it first, since its Job pods may still be connected to this server.
 */
import { startEmbeddedPostgres, type RunningPostgres } from "./embedded-postgres";
import { stopSharedKubeCluster } from "./kube-cluster";

export { SUPERUSER, SUPERUSER_PASSWORD } from "./embedded-postgres";

let server: RunningPostgres | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  if (process.env.TEST_PG_PORT) return; // an outer process already started one
  server = await startEmbeddedPostgres();
  process.env.TEST_PG_HOST = server.host;
  process.env.TEST_PG_PORT = String(server.port);
  const kill = () => server?.kill();
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      kill();
      process.exit(130);
    });
  }
  process.once("exit", kill);
}

export async function mochaGlobalTeardown(): Promise<void> {
  await stopSharedKubeCluster();
  const s = server;
  server = undefined;
  await s?.stop();
}
