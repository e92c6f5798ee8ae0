/**
 * The command-line front door. `runCli` handles everything that ends the process itself
 * (help, version, check-config, simulator, usage and config errors) and otherwise hands the loaded
 * config back, so the entry point does:
 *   const r = await runCli(process.argv.slice(2), io)
 *   if (r.kind === 'exit') process.exit(r.code); else startApp(r.config, r.embedded, r.warnings)
 * Exit codes: 0 ok, 1 runtime failure, 2 invalid usage or configuration.
 */
import { loadConfig } from '../config/load'
import { usesEmbeddedSimulator } from '../config/embedded'
import type { Config } from '../config/schema'
import { parseArgs } from './args'
import { checkReport } from './check'
import { usageText } from './help'
import { processIo, type CliIo } from './io'
import { versionLine } from '../version'

export type CliOutcome = { kind: 'exit'; code: number } | { kind: 'run'; config: Config; embedded: boolean; warnings: string[] }

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

const exit = (code: number): CliOutcome => ({ kind: 'exit', code })

/** Module path of the simulator's CLI, computed so this file type-checks whether or not it exists yet. */
const SIMULATOR_CLI: string = '../simulator/cli'

/**
 * Contract with src/simulator/cli.ts: `runSimulatorCli(argv)` resolves with the exit code once the
 * simulator has stopped (the caller exits the process with it right away).
 */
async function runSimulator(argv: string[], io: CliIo): Promise<CliOutcome> {
  let mod: { runSimulatorCli?: unknown }
  try {
    mod = (await import(SIMULATOR_CLI)) as { runSimulatorCli?: unknown }
  } catch (e) {
    io.stderr.write(`mcp-ilert: the simulator is not available in this build (${(e as Error).message})\n`)
    return exit(EXIT_FAILURE)
  }
  if (typeof mod.runSimulatorCli !== 'function') {
    io.stderr.write('mcp-ilert: the simulator module does not export runSimulatorCli\n')
    return exit(EXIT_FAILURE)
  }
  const code: unknown = await mod.runSimulatorCli(argv)
  return exit(typeof code === 'number' ? code : EXIT_OK)
}

export async function runCli(argv: string[], io: CliIo = processIo()): Promise<CliOutcome> {
  const cmd = parseArgs(argv)
  switch (cmd.kind) {
    case 'error':
      io.stderr.write(`mcp-ilert: ${cmd.message}\nRun "mcp-ilert --help" for usage.\n`)
      return exit(EXIT_USAGE)
    case 'help':
      io.stdout.write(usageText())
      return exit(EXIT_OK)
    case 'version':
      io.stdout.write(`${versionLine()}\n`)
      return exit(EXIT_OK)
    case 'simulator':
      return runSimulator(cmd.argv, io)
    case 'dead-letters':
      return exit(await (await import('./dead-letters')).runDeadLetters(cmd.argv, io))
    case 'send':
      return exit(await (await import('./send')).runSend(cmd.argv, io))
    case 'check-config': {
      const r = loadConfig({ file: cmd.file, env: io.env })
      if (r.kind === 'error') {
        io.stderr.write(`mcp-ilert: invalid configuration: ${r.message}\n`)
        return exit(EXIT_USAGE)
      }
      for (const w of r.warnings) io.stderr.write(`warning: ${w}\n`)
      io.stdout.write(checkReport(r.config, r.sources))
      return exit(EXIT_OK)
    }
    case 'run': {
      const r = loadConfig({ ...(cmd.configFile !== undefined ? { file: cmd.configFile } : {}), env: io.env })
      if (r.kind === 'error') {
        io.stderr.write(`mcp-ilert: invalid configuration: ${r.message}\n`)
        return exit(EXIT_USAGE)
      }
      return { kind: 'run', config: r.config, embedded: usesEmbeddedSimulator(r.config, r.sources), warnings: r.warnings }
    }
  }
}
