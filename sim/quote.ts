/** The one identifier-quoting helper of kong-sim. SQL values always travel as parameters. Pure. */
export function quoteIdent(name: string): string {
  if (name.includes("\u0000")) throw new Error("identifier contains a NUL character");
  return `"${name.replace(/"/g, '""')}"`;
}
