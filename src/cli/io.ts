/**
 * Where the CLI writes and which environment it reads. Passed in so tests can capture output and
 * supply an environment; `processIo()` is the real process's, used only by the entry point.
 */
import { stderrWriter, stdoutWriter, type OutStream } from '../observability/stdio'

export type { OutStream }

export interface CliIo {
  stdout: OutStream
  stderr: OutStream
  env: Readonly<Record<string, string | undefined>>
}

/** The real stdout/stderr/environment. Only the entry point (or runCli's default) should use this. */
export const processIo = (): CliIo => ({ stdout: stdoutWriter, stderr: stderrWriter, env: process.env })
