/**
 * The Pulumi engine's `Log` RPC, as seen from the dynamic-provider process.
 *
 * The engine starts `pulumi-resource-pulumi-nodejs <engine address>`; @pulumi/pulumi's
 * dynamic-provider main module reads that address but keeps no client for it. This module opens
 * its own client to the same address (the SDK's generated gRPC stubs) so that a line can carry the
 * resource's URN and the ephemeral flag, which stdout cannot. Anywhere else (tests, scripts,
 * another host) there is no engine and `engineLogger` returns undefined.
 */
import * as path from "node:path";
import type { LineKind } from "./log";

export interface EngineLogger {
  /** Sends one line; resolves true once the engine has it, false if it could not (never rejects). */
  log(message: string, kind: LineKind, urn: string | undefined): Promise<boolean>;
}

/** The engine address, when this process is Pulumi's Node.js dynamic-provider host. */
export function engineAddress(argv: readonly string[] = process.argv, main = require.main?.filename ?? ""): string | undefined {
  if (!/[\\/]cmd[\\/]dynamic-provider[\\/]/.test(main)) return undefined;
  const addr = argv[2];
  return addr && /^[\w.\-[\]:]+:\d+$/.test(addr) ? addr : undefined;
}

export function engineLogger(addr = engineAddress()): EngineLogger | undefined {
  if (!addr || !require.main) return undefined;
  // gRPC and the stubs of the @pulumi/pulumi that hosts this process (<sdk>/cmd/dynamic-provider).
  const sdkDir = path.resolve(path.dirname(require.main.filename), "..", "..");
  const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
  const stubs = require(path.join(sdkDir, "proto", "engine_grpc_pb.js"));
  const proto = require(path.join(sdkDir, "proto", "engine_pb.js"));
  const client = new stubs.EngineClient(addr, grpc.credentials.createInsecure());
  return {
    log(message, kind, urn) {
      const req = new proto.LogRequest();
      req.setMessage(message);
      req.setSeverity(kind.severity === "warning" ? proto.LogSeverity.WARNING : proto.LogSeverity.INFO);
      req.setEphemeral(kind.ephemeral);
      if (urn) req.setUrn(urn);
      const deadline = new Date(Date.now() + 5000);
      return new Promise<boolean>((resolve) => client.log(req, { deadline }, (err: unknown) => resolve(!err)));
    },
  };
}
