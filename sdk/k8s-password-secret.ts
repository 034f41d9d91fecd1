/**
 * The database password for the Kong pods and the migration Job of a Kubernetes component: an
 * existing Secret key when the user names one, else a Secret `<name>-pg-password` (key `password`)
 * the component creates from `database.password`. The pods read it through `secretKeyRef`, so the
 * password is never copied into a Deployment or Job spec.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { DatabaseArgs } from "./args";
import type { SecretKeyRefArgs } from "./kong-cluster";

export interface ComponentPasswordSecret {
  /** The Secret key the pods and the Job use. */
  readonly ref: pulumi.Input<SecretKeyRefArgs>;
  /** The Secret the component created (absent when the user gave `passwordSecret`). */
  readonly resource?: k8s.core.v1.Secret;
}

export function componentPasswordSecret(
  name: string,
  given: pulumi.Input<SecretKeyRefArgs> | undefined,
  inputs: {
    readonly namespace: pulumi.Input<string>;
    readonly database: pulumi.Output<DatabaseArgs>;
    readonly labels: Record<string, string>;
  },
  parent: pulumi.Resource,
): ComponentPasswordSecret {
  if (given) return { ref: given };
  const resource = new k8s.core.v1.Secret(
    `${name}-pg-password`,
    {
      metadata: { namespace: inputs.namespace, labels: inputs.labels },
      type: "Opaque",
      stringData: { password: pulumi.secret(inputs.database.apply((d) => d.password ?? "")) },
    },
    { parent },
  );
  return { ref: { name: resource.metadata.name, key: "password" }, resource };
}
