/**
 * Kong's CLI logger (`kong/cmd/utils/log.lua`): debug/verbose/info lines go to stdout, warn/error
 * to stderr. At the default level info lines are bare and warn/error lines carry the
 * `YYYY/MM/DD HH:MM:SS [level] ` prefix; with `--v`/`--vv` every line carries it. `-q` disables the
 * logger (errors printed by the top-level handler still reach stderr).
 *
 * Every line is written with one synchronous write (stdout/stderr are synchronous for files,
 * pipes and TTYs on Linux), so a reader streaming the output sees it as it happens, and nothing
 * is lost when a fault switch kills the process.
 */
export const LEVELS = { debug: 1, verbose: 2, info: 3, warn: 4, error: 5, quiet: 6 } as const;
export type Level = keyof typeof LEVELS;

export interface Sink {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processSink: Sink = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

const pad = (n: number): string => String(n).padStart(2, "0");

/** `os.date("%Y/%m/%d %H:%M:%S")`: local time of the process, like Kong. */
export function timestamp(d: Date = new Date()): string {
  return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export class Logger {
  constructor(
    private level: Level = "info",
    private readonly sink: Sink = processSink,
    private readonly now: () => Date = () => new Date(),
  ) {}

  setLevel(level: Level): void {
    this.level = level;
  }

  /** `log.disable()` (`-q`). */
  disable(): void {
    this.level = "quiet";
  }

  get verbose(): boolean {
    return LEVELS[this.level] < LEVELS.info;
  }

  log(lvl: Exclude<Level, "quiet">, msg: string): void {
    if (LEVELS[lvl] < LEVELS[this.level]) return;
    let line = msg;
    if (LEVELS[this.level] < LEVELS.info || LEVELS[lvl] >= LEVELS.warn) {
      line = `${timestamp(this.now())} [${lvl}] ${msg}`;
    }
    if (LEVELS[lvl] < LEVELS.warn) this.sink.stdout(line + "\n");
    else this.sink.stderr(line + "\n");
  }

  info(msg: string): void {
    this.log("info", msg);
  }
  debugLine(msg: string): void {
    this.log("debug", msg);
  }
  verboseLine(msg: string): void {
    this.log("verbose", msg);
  }
  warn(msg: string): void {
    this.log("warn", msg);
  }
  error(msg: string): void {
    this.log("error", msg);
  }

  /** Lua's `print`: bypasses the logger (used by `status` and `version`). */
  print(msg: string): void {
    this.sink.stdout(msg + "\n");
  }

  /** Raw stderr, for the top-level error handler and usage texts. */
  stderr(text: string): void {
    this.sink.stderr(text);
  }

  /** Raw stdout, without newline (prompts). */
  stdout(text: string): void {
    this.sink.stdout(text);
  }
}
