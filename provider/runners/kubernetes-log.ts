/**
 * Streaming a pod's log line by line (`GET .../pods/<pod>/log?follow=true`). Kubernetes keeps one
 * log per container, stdout and stderr interleaved, so lines carry no stream of origin.
 */
import { PassThrough } from "node:stream";
import type { KubeConfig } from "@kubernetes/client-node";

/** Splits a byte stream into lines (`\n` or `\r\n`), keeping a partial last line until `end`. */
export class LineSplitter {
  private rest = "";
  push(chunk: string): string[] {
    const parts = (this.rest + chunk).split("\n");
    this.rest = parts.pop() ?? "";
    return parts.map((l) => l.replace(/\r$/, ""));
  }
  end(): string[] {
    const last = this.rest.replace(/\r$/, "");
    this.rest = "";
    return last ? [last] : [];
  }
}

export interface LogFollow {
  /** Resolves when the API ends the stream (the container exited, or the server closed it). */
  readonly done: Promise<void>;
  /** Stops following. */
  abort(): void;
}

/** Follows the container's log, calling `onLine` for each complete line as it arrives. */
export async function followLog(
  kc: KubeConfig,
  namespace: string,
  pod: string,
  container: string,
  onLine: (line: string) => void,
): Promise<LogFollow> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const k8s = require("@kubernetes/client-node") as typeof import("@kubernetes/client-node");
  const splitter = new LineSplitter();
  const sink = new PassThrough();
  sink.setEncoding("utf8");
  const done = new Promise<void>((resolve) => {
    sink.on("data", (chunk: string) => splitter.push(chunk).forEach(onLine));
    const close = () => {
      splitter.end().forEach(onLine);
      resolve();
    };
    sink.once("end", close);
    sink.once("error", close);
  });
  const controller = await new k8s.Log(kc).log(namespace, pod, container, sink, { follow: true });
  return {
    done,
    abort: () => {
      controller.abort();
      sink.end();
    },
  };
}
