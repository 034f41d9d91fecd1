/**
 * One shared `pulumi.runtime.setMocks` for the whole mocha process (the last `setMocks` wins, so
 * every mock-based test file uses this module). Records every registered resource; tests reset
 * the record and may give a resource type extra mocked outputs.
 */
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly custom: boolean;
}

export const registered: Registered[] = [];

/** The key that marks a secret value in the inputs the mock monitor sees (Pulumi's `specialSigKey`). */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
/** A secret input as the mock monitor sees it: the value wrapped in Pulumi's secret signature. */
export const secretInput = (value: unknown) => ({ [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270", value });
const extraState = new Map<string, (inputs: Record<string, unknown>) => Record<string, unknown>>();
let installed = false;

/** Installs the mocks once (preview false: outputs resolve as in an update). */
export function installMocks(): void {
  if (installed) return;
  installed = true;
  void pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom ?? true });
        const extra = extraState.get(args.type)?.(args.inputs) ?? {};
        return { id: `${args.name}-id`, state: { ...args.inputs, ...extra } };
      },
      call(args) {
        return args.inputs;
      },
    },
    "kong-migrations-test",
    "test",
    false,
  );
}

/** Outputs the "engine" adds for resources of `type` (e.g. a dynamic resource's computed outputs). */
export function mockOutputs(type: string, fn: (inputs: Record<string, unknown>) => Record<string, unknown>): void {
  extraState.set(type, fn);
}

export function resetRegistered(): void {
  registered.length = 0;
}

/** Resolves an Output's value (and whether it is secret) in a test. */
export function resolve<T>(o: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
  return new Promise((res) => {
    o.apply((value) => {
      void (o as unknown as { isSecret: Promise<boolean> }).isSecret.then((secret) => res({ value, secret }));
      return value;
    });
  });
}
