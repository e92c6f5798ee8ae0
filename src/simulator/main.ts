/**
 * Standalone entry: `bun src/simulator/main.ts [--port 8090] ...` (see --help). Runs until SIGINT or
 * SIGTERM, then exits with the CLI's code.
 */
import { runSimulatorCli } from './cli'

process.exit(await runSimulatorCli(process.argv.slice(2)))
