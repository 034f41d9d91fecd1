/** Kong's official container images (Docker Hub). Pure. */
import type { Edition } from "./catalogue-types";

/** `kong` for OSS, `kong/kong-gateway` for Enterprise. */
export function kongImageRepository(edition: Edition): string {
  return edition === "enterprise" ? "kong/kong-gateway" : "kong";
}

/** e.g. `kong:2.1.4`, `kong/kong-gateway:3.4.3.12`. */
export function kongImage(edition: Edition, version: string): string {
  return `${kongImageRepository(edition)}:${version}`;
}
