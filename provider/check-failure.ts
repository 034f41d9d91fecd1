/**
 * A definite reason for `check` to fail, naming the input to fix: returned to the engine as a
 * `CheckFailure` (the preview fails with "resource … has check errors"), never thrown past `check`.
 */
export class CheckFailure extends Error {
  override readonly name = "CheckFailure";
  constructor(
    readonly property: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export function isCheckFailure(e: unknown): e is CheckFailure {
  return e instanceof CheckFailure;
}
