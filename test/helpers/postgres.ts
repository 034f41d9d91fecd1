/**
 * Per-test-file databases on the real PostgreSQL server started by `global-postgres.ts`.
 */
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { SUPERUSER, SUPERUSER_PASSWORD } from "./global-postgres";

/** Connection settings of one test database, in the shape the provider and kong-sim take. */
export interface TestDatabase {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export function serverSettings(): Omit<TestDatabase, "database"> {
  const port = Number(process.env.TEST_PG_PORT);
  if (!port) throw new Error("TEST_PG_PORT is not set: run the tests through mocha (npm test)");
  return { host: process.env.TEST_PG_HOST ?? "127.0.0.1", port, user: SUPERUSER, password: SUPERUSER_PASSWORD };
}

/** Runs `fn` with a client connected to `database` (default: the maintenance database). */
export async function withClient<T>(database: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ ...serverSettings(), database });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates a new empty database with a random name. */
export async function createDatabase(): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString("hex")}`;
  await withClient("postgres", (c) => c.query(`CREATE DATABASE ${name}`));
  return { ...serverSettings(), database: name };
}

export async function dropDatabase(name: string): Promise<void> {
  await withClient("postgres", (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/**
 * Registers mocha hooks that give every test of the current `describe` a fresh, empty database
 * (dropped afterwards). Read `db()` inside a test.
 */
export function useFreshDatabase(): () => TestDatabase {
  let current: TestDatabase | undefined;
  beforeEach(async () => {
    current = await createDatabase();
  });
  afterEach(async () => {
    if (current) await dropDatabase(current.database);
    current = undefined;
  });
  return () => {
    if (!current) throw new Error("useFreshDatabase(): no database outside a test");
    return current;
  };
}

/** Runs one SQL statement on a test database and returns its rows. */
export function query<R = Record<string, unknown>>(db: TestDatabase, sql: string, params: unknown[] = []): Promise<R[]> {
  return withClient(db.database, async (c) => (await c.query(sql, params)).rows as R[]);
}

/**
 * Registers a mocha `after` hook and returns a maker of login roles with real random passwords
 * (scram-hashed by the server), each dropped after the current `describe`.
 */
export function useLoginRoles(prefix: string): () => Promise<{ user: string; password: string }> {
  const roles: string[] = [];
  after(async () => {
    for (const r of roles) await withClient("postgres", (c) => c.query(`DROP ROLE IF EXISTS ${r}`));
  });
  return async () => {
    const user = `${prefix}_${randomBytes(4).toString("hex")}`;
    const password = `pw-${randomBytes(8).toString("hex")}`;
    await withClient("postgres", (c) => c.query(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`));
    roles.push(user);
    return { user, password };
  };
}
