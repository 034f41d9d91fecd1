/**
 * Records every resource a program registers under the shared mocks (test/helpers/pulumi-mocks.ts)
 * with what the engine orders operations by: its parent and dependency URNs, and the inputs the
 * mock monitor saw. Installed by a test file's `before` and removed in its `after`:
 *
 *   const rec = recordRegistrations();
 *   before(() => rec.install()); after(() => rec.restore()); beforeEach(() => rec.reset());
 *
 * or, with the mocks installed and reset too, `const rec = mockedRegistrations();` in a `describe`.
 *
 * Kubernetes objects also get an auto-generated `metadata.name` (`<name>-6f1c2a`) as the real
 * provider would give them (the mock otherwise echoes inputs, which have none).
 */
import { strict as assert } from "node:assert";
import { KUBERNETES_PODS_GONE_TYPE } from "../../sdk/k8s-pods-gone";
import { installMocks, mockOutputs, resetRegistered } from "./pulumi-mocks";

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
const settings = require("@pulumi/pulumi/runtime/settings");

export interface Registration {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string;
  readonly deps: readonly string[];
  inputs?: Record<string, any>;
}

/** The stack's URN prefix under the shared mocks. */
export const URN_PREFIX = "urn:pulumi:test::kong-migrations-test::";

/** A URN as the mock monitor makes it: only the parent's own type precedes the resource's type. */
export const mockUrn = (chain: readonly string[], name: string) => `${URN_PREFIX}${chain.slice(-2).join("$")}::${name}`;

/** Waits until every registration of the program so far has been answered. */
export const waitForRpcs = (): Promise<void> => settings.waitForRPCs();

export interface Recorder {
  /** What was registered since the last `reset`, in order. */
  readonly regs: Registration[];
  install(): void;
  restore(): void;
  reset(): void;
  /** The registration of `type` `name` (asserted to exist). */
  get(type: string, name: string): Registration;
  /** `type name` of everything registered, sorted. */
  children(): string[];
  /** The sorted dependency URNs of `type` `name`. */
  depsOf(type: string, name: string): string[];
}

export function recordRegistrations(): Recorder {
  const regs: Registration[] = [];
  let undo: () => void = () => undefined;
  const rec: Recorder = {
    regs,
    install() {
      const monitor = settings.getMonitor();
      const register = monitor.registerResource;
      const mocks = monitor.mocks;
      const newResource = mocks.newResource;
      monitor.registerResource = function (req: any, cb: unknown) {
        regs.push({
          urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent(),
          deps: req.getDependenciesList(),
        });
        return register.call(monitor, req, cb);
      };
      mocks.newResource = async (args: any) => {
        const result = await newResource.call(mocks, args);
        const reg = regs.find((r) => r.type === args.type && r.name === args.name && !r.inputs);
        if (reg) reg.inputs = args.inputs;
        if (args.type.startsWith("kubernetes:") && !args.inputs?.metadata?.name) {
          result.state = { ...result.state, metadata: { ...result.state.metadata, name: `${args.name}-6f1c2a` } };
        }
        return result;
      };
      undo = () => {
        monitor.registerResource = register;
        mocks.newResource = newResource;
      };
    },
    restore() {
      undo();
    },
    reset() {
      regs.length = 0;
    },
    get(type, name) {
      const r = regs.find((x) => x.type === type && x.name === name);
      assert.ok(r, `${type} ${name} is registered; got ${regs.map((x) => `${x.type} ${x.name}`).join(", ")}`);
      return r;
    },
    children() {
      return regs.map((r) => `${r.type} ${r.name}`).sort();
    },
    depsOf(type, name) {
      return [...rec.get(type, name).deps].sort();
    },
  };
  return rec;
}

type MockedOutputs = (inputs: Record<string, unknown>) => Record<string, unknown>;

/**
 * The shared mocks and a recorder for the enclosing `describe` (call it there): records from its
 * `before` to its `after`, and clears both records (this recorder's and pulumi-mocks' `registered`)
 * before each test. `KubernetesPodsGone` completes at once (`gone` true: no API server under
 * mocks); `outputs` gives other resource types their mocked outputs.
 */
export function mockedRegistrations(outputs: Readonly<Record<string, MockedOutputs>> = {}): Recorder {
  installMocks();
  const rec = recordRegistrations();
  before(() => {
    rec.install();
    mockOutputs(KUBERNETES_PODS_GONE_TYPE, () => ({ gone: true, checkedAt: "2024-01-01T00:00:00.000Z" }));
    for (const [type, fn] of Object.entries(outputs)) mockOutputs(type, fn);
  });
  after(() => rec.restore());
  beforeEach(() => {
    rec.reset();
    resetRegistered();
  });
  return rec;
}
