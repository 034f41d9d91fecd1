import { strict as assert } from "node:assert";
import { query, useFreshDatabase } from "../helpers/postgres";

describe("test harness: real PostgreSQL", () => {
  const db = useFreshDatabase();

  it("gives each test an empty database on a real server", async () => {
    const rows = await query<{ n: string }>(
      db(),
      "SELECT count(*)::text AS n FROM information_schema.tables WHERE table_schema = 'public'",
    );
    assert.deepEqual(rows, [{ n: "0" }]);
    const [{ server_version_num: v }] = await query<{ server_version_num: string }>(db(), "SHOW server_version_num");
    assert.ok(Number(v) >= 150000, `server_version_num ${v}`);
  });
});
