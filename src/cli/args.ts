/**
 * Command-line parsing into a tagged union, kept pure (no I/O) so every case is unit-testable.
 * `--help` anywhere wins; `simulator` must come first and hands the rest of argv to the simulator.
 */
import { didYouMean } from '../config/suggest'

export type CliCommand =
  | { kind: 'run'; configFile?: string }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'check-config'; file: string }
  | { kind: 'simulator'; argv: string[] }
  | { kind: 'dead-letters'; argv: string[] }
  | { kind: 'send'; argv: string[] }
  | { kind: 'healthcheck'; argv: string[] }
  | { kind: 'error'; message: string }

const KNOWN_FLAGS = ['--config', '-c', '--check-config', '--help', '-h', '--version', '-v']
const fail = (message: string): CliCommand => ({ kind: 'error', message })

export function parseArgs(argv: readonly string[]): CliCommand {
  if (argv[0] === 'simulator') return { kind: 'simulator', argv: argv.slice(1) }
  if (argv[0] === 'dead-letters') return { kind: 'dead-letters', argv: argv.slice(1) }
  if (argv[0] === 'send') return { kind: 'send', argv: argv.slice(1) }
  if (argv[0] === 'healthcheck') return { kind: 'healthcheck', argv: argv.slice(1) }
  const end = argv.indexOf('--')
  const args = end === -1 ? argv : argv.slice(0, end)
  if (args.includes('--help') || args.includes('-h')) return { kind: 'help' }
  if (end !== -1 && end < argv.length - 1) return fail(`unexpected argument "${argv[end + 1]}"`)

  let config: string | undefined
  let check: { file?: string } | undefined
  let version = false
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1
    const name = eq > 0 ? arg.slice(0, eq) : arg
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined
    /** The flag's value: `--flag=value`, or the next argument unless it looks like a flag. */
    const value = (): string | undefined => {
      if (inline !== undefined) return inline
      const next = args[i + 1]
      if (next === undefined || next.startsWith('-')) return undefined
      i++
      return next
    }
    switch (name) {
      case '-c':
      case '--config': {
        if (config !== undefined) return fail(`${name} given more than once`)
        const v = value()
        if (!v) return fail(`${name} needs a file path, e.g. ${name} /etc/mcp-ilert/config.yaml`)
        config = v
        break
      }
      case '--check-config': {
        if (check) return fail('--check-config given more than once')
        const v = value()
        check = v ? { file: v } : {}
        break
      }
      case '--help': // only reached as --help=value; plain --help returned above
        return fail(`${name} takes no value`)
      case '-v':
      case '--version':
        if (inline !== undefined) return fail(`${name} takes no value`)
        version = true
        break
      default:
        if (name.startsWith('-')) {
          const near = didYouMean(name, KNOWN_FLAGS)
          return fail(`unknown option "${name}"${near ? ` (did you mean "${near}"?)` : ''}`)
        }
        if (arg === 'simulator') return fail('"simulator" must be the first argument: mcp-ilert simulator [args...]')
        return fail(`unexpected argument "${arg}" (to use it as the config file: --config ${arg})`)
    }
  }
  if (version) return { kind: 'version' }
  if (check) {
    // `--check-config` alone checks the --config file, so it can be appended to a normal command line.
    if (check.file !== undefined && config !== undefined && check.file !== config) {
      return fail('--check-config and --config name different files; give one')
    }
    const file = check.file ?? config
    return file ? { kind: 'check-config', file } : fail('--check-config needs a file path, e.g. --check-config config.yaml')
  }
  return config === undefined ? { kind: 'run' } : { kind: 'run', configFile: config }
}
