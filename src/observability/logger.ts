/**
 * JSON-lines logger. One object per line on stderr: {time, level, msg, ...fields}.
 * Secrets registered with `redact()` are replaced wherever they appear in the serialized line,
 * a second line of defence behind the rule that keys are never passed to the logger at all; so
 * is the user-info of any URL in a line (`https://user:pass@host` → `https://[set, 9 chars]@host`).
 */
import { maskUrlCredentials } from '../security/url-credentials'
import { stderrWriter } from './stdio'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
  /** Registers a secret value; it never appears in output. Empty strings are ignored. */
  redact(secret: string): void
  level: LogLevel
}

export type LogSink = (line: string) => void

const stderrSink: LogSink = (line) => {
  stderrWriter.write(line + '\n')
}

export function createLogger(level: LogLevel = 'info', sink: LogSink = stderrSink): Logger {
  const secrets: string[] = []
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[lvl] < RANK[logger.level]) return
    let line = JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields }, errorReplacer)
    line = maskUrlCredentials(line)
    for (const s of secrets) if (line.includes(s)) line = line.split(s).join('[REDACTED]')
    sink(line)
  }
  const logger: Logger = {
    level,
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    redact(secret) {
      if (secret && secret.length >= 4 && !secrets.includes(secret)) secrets.push(secret)
    },
  }
  return logger
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message }
  return value
}

/** A logger that records lines in memory, for tests. */
export function createMemoryLogger(level: LogLevel = 'debug'): Logger & { lines: string[] } {
  const lines: string[] = []
  const logger = createLogger(level, (l) => lines.push(l)) as Logger & { lines: string[] }
  logger.lines = lines
  return logger
}
