/**
 * examples/ci: the GitHub Actions workflow and the stack config of each upgrade step, checked
 * without running GitHub or a cluster.
 *
 * - The workflow (parsed with js-yaml, the YAML parser already in node_modules) runs exactly the
 *   `pulumi` invocations this repository's end-to-end tests run through the real CLI
 *   (test/helpers/pulumi-stack.ts, test/e2e/*.test.ts, with the `--stack <name> --non-interactive`
 *   that scripts/lib/pulumi-cli.ts appends), except `--refresh` on the preview, which is the
 *   README's recommendation for review (checked against the README's text).
 * - Secrets reach commands only through `env:`, and no command prints them.
 * - Each step's Pulumi.<stack>.yaml, read as the blue/green program reads its config, plans the
 *   step the README says (`planUpgrade`, the component's own pure planner), and the stack file
 *   shipped is step 1.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { planUpgrade } from "../../sdk/k8s-upgrade-plan";
import { countNewMigrations } from "../../sdk/k8s-new-migrations";

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
const yaml: { load(text: string): unknown } = require("js-yaml");

const ROOT = path.resolve(__dirname, "..", "..");
const CI = path.join(ROOT, "examples", "ci");
const read = (...p: string[]) => fs.readFileSync(path.join(...p), "utf8");

interface Step {
  name?: string;
  id?: string;
  if?: string;
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  "working-directory"?: string;
}
interface Job {
  if: string;
  steps: Step[];
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  env: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = yaml.load(read(CI, ".github", "workflows", "kong-upgrade.yml")) as Workflow;

/** The `pulumi` invocations of a job's run scripts, without the flags every invocation carries. */
function pulumiInvocations(job: Job): string[] {
  const out: string[] = [];
  for (const step of job.steps) {
    for (const line of (step.run ?? "").split("\n")) {
      const m = /(?:^|\|\s*)pulumi (.+?)(?:\s+2>&1)?(?:\s*\|.*)?$/.exec(line.trim());
      if (!m) continue;
      const args = m[1]!;
      assert.match(
        args,
        / --stack "\$PULUMI_STACK" --non-interactive$/,
        `every pulumi command names the stack and runs non-interactive: ${line}`,
      );
      out.push(args.replace(/ --stack "\$PULUMI_STACK" --non-interactive$/, ""));
    }
  }
  return out;
}

/** Every `pulumi` invocation the e2e tests make, as `arg arg ...` (string literals of s.run([...]) and pulumi(x, ...)). */
function e2eInvocations(): Set<string> {
  const files = [
    path.join(ROOT, "test", "helpers", "pulumi-stack.ts"),
    ...fs.readdirSync(path.join(ROOT, "test", "e2e")).map((f) => path.join(ROOT, "test", "e2e", f)),
  ];
  const found = new Set<string>();
  for (const f of files) {
    const text = fs.readFileSync(f, "utf8");
    for (const m of text.matchAll(/\.run\(\[((?:\s*"[^"]*",?)+)\s*\]/g)) {
      found.add([...m[1]!.matchAll(/"([^"]*)"/g)].map((x) => x[1]).join(" "));
    }
    for (const m of text.matchAll(/pulumi\(\w+,((?:\s*"[^"]*",?)+)\)/g)) {
      found.add([...m[1]!.matchAll(/"([^"]*)"/g)].map((x) => x[1]).join(" "));
    }
  }
  return found;
}

describe("examples/ci: the workflow and the stack config of each step", () => {
  it("runs on pull requests (preview) and on pushes to main (up), one deployment at a time", () => {
    assert.deepEqual(Object.keys(workflow.on).sort(), ["pull_request", "push"]);
    assert.deepEqual((workflow.on.push as { branches: string[] }).branches, ["main"]);
    assert.deepEqual(Object.keys(workflow.jobs), ["preview", "up"]);
    assert.equal(workflow.jobs.preview!.if, "github.event_name == 'pull_request'");
    assert.equal(workflow.jobs.up!.if, "github.event_name == 'push'");
    assert.equal(workflow.env.PULUMI_STACK, "production");
    assert.deepEqual((workflow as any).concurrency, { group: "kong-production", "cancel-in-progress": false });
  });

  it("the pulumi commands are the e2e tests' invocations (plus the README's --refresh on the preview), with the same appended flags", () => {
    assert.deepEqual(pulumiInvocations(workflow.jobs.preview!), ["config set --secret dbPassword", "preview --refresh --diff"]);
    assert.deepEqual(pulumiInvocations(workflow.jobs.up!), ["config set --secret dbPassword", "up --yes --skip-preview"]);

    const e2e = e2eInvocations();
    for (const cmd of ["config set --secret dbPassword", "up --yes --skip-preview", "preview --diff"]) {
      assert.ok(e2e.has(cmd), `the e2e tests run pulumi ${cmd}; they run: ${[...e2e].sort().join(" | ")}`);
    }
    assert.match(read(ROOT, "README.md"), /run \*\*`pulumi preview --refresh --diff`\*\* in review/);
    assert.match(read(ROOT, "scripts", "lib", "pulumi-cli.ts"), /spawn\("pulumi", \[\.\.\.args, "--stack", name, "--non-interactive"\]/);
    // The secret goes in on stdin, as pulumi-stack.ts does it (`input: db.password`), never in argv.
    assert.match(
      read(ROOT, "test", "helpers", "pulumi-stack.ts"),
      /\["config", "set", "--secret", "dbPassword"\], \{ input: db\.password \}/,
    );
  });

  it("the plan is posted on the pull request, also when the preview fails", () => {
    const steps = workflow.jobs.preview!.steps;
    const post = steps.find((s) => s.name === "Post the plan on the pull request")!;
    assert.equal(post.if, "always() && steps.preview.outcome != 'skipped'");
    assert.match(post.run!, /gh pr comment "\$PR" --repo "\$GITHUB_REPOSITORY" --body-file "\$RUNNER_TEMP\/comment\.md"/);
    assert.match(steps.find((s) => s.id === "preview")!.run!, /set -o pipefail\n.*\| tee "\$RUNNER_TEMP\/preview\.txt"/);
  });

  it("secrets reach commands only through env:, and no command prints them", () => {
    const text = read(CI, ".github", "workflows", "kong-upgrade.yml");
    assert.doesNotMatch(text, /--show-secrets|set -x|ACTIONS_STEP_DEBUG/);
    for (const [jobName, job] of Object.entries(workflow.jobs)) {
      for (const step of job.steps) {
        const where = `${jobName}: ${step.name ?? step.uses ?? step.run}`;
        assert.doesNotMatch(step.run ?? "", /\$\{\{\s*secrets\./, `${where}: a secret in a command line`);
        assert.doesNotMatch(JSON.stringify(step.with ?? {}), /secrets\./, `${where}: a secret in with:`);
        const secretVars = Object.entries(step.env ?? {})
          .filter(([, v]) => /\$\{\{\s*secrets\./.test(String(v)))
          .map(([k]) => k);
        for (const name of secretVars) {
          if (name === "PULUMI_CONFIG_PASSPHRASE") {
            assert.doesNotMatch(step.run ?? "", /\$PULUMI_CONFIG_PASSPHRASE/, `${where}: the passphrase is only for pulumi`);
            continue;
          }
          const uses = [...(step.run ?? "").matchAll(new RegExp(`\\$\\{?${name}\\b`, "g"))];
          assert.ok(uses.length > 0, `${where}: ${name} is used`);
          for (const u of uses) {
            const line = step.run!.slice(
              step.run!.lastIndexOf("\n", u.index) + 1,
              step.run!.indexOf("\n", u.index) === -1 ? undefined : step.run!.indexOf("\n", u.index),
            );
            assert.match(
              line.trim(),
              new RegExp(`^printf '%s' "\\$${name}" (\\||>) `),
              `${where}: ${name} only goes into a pipe or a file: ${line}`,
            );
          }
        }
      }
    }
  });

  describe("the stack config of each upgrade step", () => {
    const project = (yaml.load(read(CI, "Pulumi.yaml")) as { name: string; main: string }).name;
    const stepFiles = fs.readdirSync(path.join(CI, "steps")).sort();
    const config = (file: string) => {
      const c = (yaml.load(read(CI, "steps", file)) as { config: Record<string, string> }).config;
      return Object.fromEntries(Object.entries(c).map(([k, v]) => [k.replace(`${project}:`, ""), String(v)]));
    };
    /** What examples/kubernetes-blue-green/index.ts passes to the planner for this config. */
    const plan = (c: Record<string, string>) =>
      planUpgrade(
        {
          currentVersion: c.currentVersion!,
          targetVersion: c.targetVersion,
          liveColor: c.liveColor as "blue" | "green" | undefined,
          greenTrafficPercent: c.greenTrafficPercent === undefined ? undefined : Number(c.greenTrafficPercent),
          retireBlue: c.retireBlue === undefined ? undefined : c.retireBlue === "true",
          retireGreen: c.retireGreen === undefined ? undefined : c.retireGreen === "true",
          hasGateway: c.gatewayName !== undefined,
        },
        countNewMigrations("oss", ["all"]),
      );

    it("the project is the blue/green program, every key is one it reads, and the shipped stack file is step 1", () => {
      const pulumiYaml = yaml.load(read(CI, "Pulumi.yaml")) as { name: string; main: string };
      assert.equal(pulumiYaml.main, "../kubernetes-blue-green/");
      const program = read(CI, pulumiYaml.main, "index.ts");
      assert.equal((yaml.load(read(CI, pulumiYaml.main, "Pulumi.yaml")) as { name: string }).name, project);
      for (const file of stepFiles) {
        for (const key of Object.keys(config(file))) {
          assert.match(program, new RegExp(`config\\.(get|require)\\w*(<[^>]+>)?\\("${key}"\\)`), `${file}: the program reads ${key}`);
        }
      }
      assert.equal(read(CI, "Pulumi.production.yaml"), read(CI, "steps", stepFiles[0]!));
    });

    it("steps 1-5 plan: blue live; up and green started; traffic on green; blue retired and finish; green live", () => {
      assert.deepEqual(stepFiles, [
        "1-blue-live.yaml",
        "2-up-start-green.yaml",
        "3-traffic-to-green.yaml",
        "4-retire-blue-finish.yaml",
        "5-green-live.yaml",
      ]);
      const plans = stepFiles.map((f) => plan(config(f)));
      assert.deepEqual(
        plans.map((p) => [p.shape, p.live, p.migrationVersion, p.serviceColor, p.retiring ?? "-", JSON.stringify(p.weights)]),
        [
          ["steady", "blue", "3.8.1", "blue", "-", '{"blue":100}'],
          ["blueGreen", "blue", "3.9.3", "blue", "-", '{"blue":100,"green":0}'],
          ["blueGreen", "blue", "3.9.3", "green", "-", '{"blue":0,"green":100}'],
          ["blueGreen", "blue", "3.9.3", "green", "blue", '{"blue":0,"green":100}'],
          ["steady", "green", "3.9.3", "green", "-", '{"green":100}'],
        ],
      );
      // Each step changes only the keys that select the step; the rest of the stack stays as it is.
      const stepKeys = new Set(["currentVersion", "targetVersion", "liveColor", "greenTrafficPercent", "retireBlue", "retireGreen"]);
      const rest = (f: string) => JSON.stringify(Object.entries(config(f)).filter(([k]) => !stepKeys.has(k)));
      for (const f of stepFiles) assert.equal(rest(f), rest(stepFiles[0]!), f);
    });
  });
});
