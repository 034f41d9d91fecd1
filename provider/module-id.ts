/**
 * How a thin, serialized provider object names the module it loads at call time. Installed under
 * node_modules, the id is the package path (`pulumi-kong-migrations/dist/...`), resolved by the
 * provider process from the project directory on whatever machine runs it; so state written on one
 * machine works on another. In this repository it is the absolute path.
 */
import * as path from "node:path";

export function portableModuleId(absolutePath: string): string {
  const marker = `${path.sep}node_modules${path.sep}`;
  const i = absolutePath.lastIndexOf(marker);
  return i < 0
    ? absolutePath
    : absolutePath
        .slice(i + marker.length)
        .split(path.sep)
        .join("/");
}
