import { describe, expect, test } from 'bun:test'
import { parseArgs } from '../../src/cli/args'

describe('parseArgs', () => {
  test.each([
    [[], { kind: 'run' }],
    [['--config', 'a.yaml'], { kind: 'run', configFile: 'a.yaml' }],
    [['-c', 'a.yaml'], { kind: 'run', configFile: 'a.yaml' }],
    [['--config=a.yaml'], { kind: 'run', configFile: 'a.yaml' }],
    [['--config=a=b.yaml'], { kind: 'run', configFile: 'a=b.yaml' }],
    [['--help'], { kind: 'help' }],
    [['-h'], { kind: 'help' }],
    [['--config', 'a.yaml', '--help'], { kind: 'help' }],
    [['--bogus', '-h'], { kind: 'help' }],
    [['--version'], { kind: 'version' }],
    [['-v'], { kind: 'version' }],
    [['--check-config', 'a.yaml'], { kind: 'check-config', file: 'a.yaml' }],
    [['--check-config=a.yaml'], { kind: 'check-config', file: 'a.yaml' }],
    [['-c', 'a.yaml', '--check-config'], { kind: 'check-config', file: 'a.yaml' }],
    [['--check-config', '-c', 'a.yaml'], { kind: 'check-config', file: 'a.yaml' }],
    [['--check-config', 'a.yaml', '--config', 'a.yaml'], { kind: 'check-config', file: 'a.yaml' }],
    [['simulator'], { kind: 'simulator', argv: [] }],
    [['simulator', '--port', '9', '--help'], { kind: 'simulator', argv: ['--port', '9', '--help'] }],
    [['--config', 'a.yaml', '--'], { kind: 'run', configFile: 'a.yaml' }],
  ] as const)('%j', (argv, expected) => {
    expect(parseArgs(argv)).toEqual(expected as never)
  })

  test.each([
    [['--config'], '--config needs a file path, e.g. --config /etc/mcp-ilert/config.yaml'],
    [['-c'], '-c needs a file path, e.g. -c /etc/mcp-ilert/config.yaml'],
    [['--config='], '--config needs a file path, e.g. --config /etc/mcp-ilert/config.yaml'],
    [['--config', '--version'], '--config needs a file path, e.g. --config /etc/mcp-ilert/config.yaml'],
    [['-c', 'a', '-c', 'b'], '-c given more than once'],
    [['--check-config'], '--check-config needs a file path, e.g. --check-config config.yaml'],
    [['--check-config', 'a', '-c', 'b'], '--check-config and --config name different files; give one'],
    [['--check-config', 'a', '--check-config', 'a'], '--check-config given more than once'],
    [['--confg', 'a'], 'unknown option "--confg" (did you mean "--config"?)'],
    [['--check'], 'unknown option "--check"'],
    [['--version=1'], '--version takes no value'],
    [['--help=1'], '--help takes no value'],
    [['a.yaml'], 'unexpected argument "a.yaml" (to use it as the config file: --config a.yaml)'],
    [['-c', 'a.yaml', 'simulator'], '"simulator" must be the first argument: mcp-ilert simulator [args...]'],
    [['--', 'x'], 'unexpected argument "x"'],
  ] as const)('%j is an error', (argv, message) => {
    expect(parseArgs(argv)).toEqual({ kind: 'error', message })
  })
})
