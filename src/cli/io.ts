/**
 * Where the CLI writes and which environment it reads. Passed in so tests can capture output and
 * supply an environment; `processIo()` is the real process's, used only by the entry point.
 */
export interface OutStream {
  write(text: string): unknown
}

export interface CliIo {
  stdout: OutStream
  stderr: OutStream
  env: Readonly<Record<string, string | undefined>>
}

/** The real stdout/stderr/environment. Only the entry point (or runCli's default) should use this. */
export const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env })
