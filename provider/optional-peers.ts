/**
 * The optional peer dependencies: packages only the Kubernetes parts (or, for `@pulumi/postgresql`,
 * `KongDatabase`) use, which a user who wants only the database resource does not install (package.json `peerDependenciesMeta`). Loading goes
 * through here so that a missing one fails with its name, its version range, and the install
 * command, instead of Node's bare "Cannot find module".
 *
 * Resolution starts from this file, i.e. from the installed package, the same place the lazy
 * `require`s of the components and runners resolve from (a user's project `node_modules`).
 */

/** Each optional peer and the range this package supports; must match package.json (tested). */
export const OPTIONAL_PEERS = {
  "@pulumi/kubernetes": ">=4.0.0 <5.0.0",
  "@kubernetes/client-node": ">=1.0.0 <2.0.0",
  "@pulumi/postgresql": ">=3.0.0 <4.0.0",
} as const;

export type OptionalPeer = keyof typeof OPTIONAL_PEERS;

/** The error for a missing optional peer: what needs it, and the command that installs it. */
export function missingPeerMessage(name: OptionalPeer, usedBy: string): string {
  return (
    `${usedBy} needs the npm package ${name}, an optional peer dependency of pulumi-kong-migrations that is not installed. ` +
    `Install it in your project: npm install ${name}@"${OPTIONAL_PEERS[name]}"`
  );
}

/** Whether `name` can be loaded from the installed package's location. */
export function hasPeer(name: OptionalPeer): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** Throws `missingPeerMessage` unless every one of `names` can be loaded. */
export function assertPeers(names: readonly OptionalPeer[], usedBy: string): void {
  for (const name of names) {
    if (!hasPeer(name)) throw new Error(missingPeerMessage(name, usedBy));
  }
}
