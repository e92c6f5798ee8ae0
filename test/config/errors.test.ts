// Every way a config can be wrong gives one message naming where (file:line:col) and what.
import { describe, expect, test } from 'bun:test'
import { loadConfig } from '../../src/config/load'
import { tempFile } from './fixtures'

/** Loads `text` from a temp file; returns the error message with the temp path shown as `F`. */
function errorOf(text: string): string {
  const file = tempFile(text)
  const r = loadConfig({ file })
  if (r.kind === 'ok') throw new Error(`expected an error for:\n${text}`)
  return r.message.split(file).join('F')
}

describe('YAML syntax', () => {
  test('a syntax error gives file:line:column', () => {
    expect(errorOf('listen:\n  port: 8080\nilert: [1, 2\nmapping: {}\n')).toMatch(/^F:4:1: YAML syntax error: /)
  })

  test('bad indentation points at the line with a hint', () => {
    expect(errorOf('listen:\n  address: 0.0.0.0\n    port: 8080\n')).toBe(
      'F:2:12: YAML syntax error: Nested mappings are not allowed in compact mappings (is the next line indented too far?)',
    )
  })

  test('duplicate keys are an error, not silently "last wins"', () => {
    expect(errorOf('listen:\n  port: 1\n  port: 2\n')).toMatch(/^F:3:3: YAML syntax error: Map keys must be unique/)
  })

  test('the error never quotes the source line (it could hold a key)', () => {
    expect(errorOf('ilert:\n  api_key: "s3cr3t-value\n')).not.toContain('s3cr3t')
  })

  test('top level must be a mapping', () => {
    expect(errorOf('- listen\n')).toBe('F: the top level must be a mapping of sections like "listen:" (got a list)')
  })
})

describe('unknown keys', () => {
  test('misspelt key: did-you-mean with the full path, at its line', () => {
    expect(errorOf('rate_limit:\n  per_minute: 5\n  per_minuet: 5\n')).toBe(
      'F:3:3: unknown key "rate_limit.per_minuet" (did you mean "rate_limit.per_minute"?)',
    )
  })

  test('misspelt section', () => {
    expect(errorOf('ilrt:\n  api_key: x\n')).toBe('F:1:1: unknown key "ilrt" (did you mean "ilert"?)')
  })

  test('dashes or camelCase still find the key', () => {
    expect(errorOf('tcp:\n  maxConnections: 5\n')).toContain('(did you mean "tcp.max_connections"?)')
  })

  test('a key at the wrong level suggests where it lives', () => {
    expect(errorOf('listen_port: 9090\n')).toBe('F:1:1: unknown key "listen_port" (did you mean "metrics.listen_port"?)')
  })

  test('no suggestion when nothing is close', () => {
    expect(errorOf('listen:\n  banana: 1\n')).toBe('F:2:3: unknown key "listen.banana"')
  })

  test('unknown key inside a level definition', () => {
    expect(errorOf('mapping:\n  levels:\n    critical: { priority: HIGH, sevrity: 1 }\n')).toBe(
      'F:3:33: unknown key "mapping.levels.critical.sevrity" (did you mean "mapping.levels.critical.severity"?)',
    )
  })
})

describe('wrong values name the path', () => {
  test.each([
    ['rate_limit:\n  per_key_per_minute: 0\n', 'F:2:3: rate_limit.per_key_per_minute: must be >= 1 (got 0)'],
    ['listen:\n  port: "8080"\n', 'F:2:3: listen.port: expected an integer (got "8080")'],
    ['listen:\n  port: 1.5\n', 'F:2:3: listen.port: expected an integer (got 1.5)'],
    ['listen:\n  port: 70000\n', 'F:2:3: listen.port: must be <= 65535 (got 70000)'],
    ['tcp:\n  enabled: "yes"\n', 'F:2:3: tcp.enabled: expected true or false (got "yes") (write true or false without quotes)'],
    ['logging:\n  level: verbose\n', 'F:2:3: logging.level: must be one of debug, info, warn, error (got "verbose")'],
    ['ilert:\n  api_url: ftp://x\n', 'F:2:3: ilert.api_url: must start with http:// or https:// (got "ftp://x")'],
    ['ilert:\n  timeout_seconds: 0\n', 'F:2:3: ilert.timeout_seconds: must be > 0 (got 0)'],
    ['metrics: [1]\n', 'F:1:1: metrics: expected a mapping (got a list)'],
    ['listen: 8080\n', 'F:1:1: listen: expected a mapping (got 8080)'],
    ['mapping:\n  levels:\n    x: { priority: MID, severity: 1 }\n', 'F:3:10: mapping.levels.x.priority: must be one of HIGH, LOW (got "MID")'],
    ['mapping:\n  levels:\n    x: { priority: LOW }\n', 'F:3:5: mapping.levels.x.severity: is required'],
    ['mapping:\n  priority_map:\n    one: high\n', 'F:3:5: mapping.priority_map.one: key "one" must be a whole number'],
  ])('%j', (text, message) => {
    expect(errorOf(text)).toBe(message)
  })

  test('a secret of the wrong type is not echoed', () => {
    const message = errorOf('ilert:\n  api_key: 123456789\n')
    expect(message).toBe('F:2:3: ilert.api_key: expected a string (got a number)')
  })
})

describe('semantic checks', () => {
  test('priority_map naming an unknown level', () => {
    expect(errorOf('mapping:\n  priority_map:\n    1: critcal\n')).toBe(
      'F:3:5: mapping.priority_map.1: level "critcal" is not defined in mapping.levels (did you mean "critical"?); defined: critical, high, medium, low, info',
    )
  })

  test('default_level naming an unknown level', () => {
    expect(errorOf('mapping:\n  default_level: urgent\n')).toContain('F:2:3: mapping.default_level: level "urgent" is not defined in mapping.levels')
  })

  test('levels written in the file replace the defaults, so the default map must still resolve', () => {
    expect(errorOf('mapping:\n  levels:\n    page: { priority: HIGH, severity: 1 }\n')).toContain('mapping.priority_map.1: level "critical" is not defined')
  })

  test('tls.cert_file without tls.key_file', () => {
    expect(errorOf('tls:\n  cert_file: /c.pem\n')).toBe('F:2:3: tls.cert_file: is set but tls.key_file is not (set both for TLS, or neither)')
  })

  test('tls.key_file without tls.cert_file', () => {
    expect(errorOf('tls:\n  key_file: /k.pem\n  cert_file: ""\n')).toBe('F:2:3: tls.key_file: is set but tls.cert_file is not (set both for TLS, or neither)')
  })

  test('mqtt.url that is not a broker URL names the key, and never its password', () => {
    const hint = 'is not a broker URL (mqtt://host:1883, mqtts://host:8883 for TLS, ws://host:8080/mqtt or wss://...)'
    expect(errorOf('mqtt:\n  url: localhost:1883\n')).toBe(`F:2:3: mqtt.url: ${hint}; got "localhost:1883"`)
    expect(errorOf('mqtt:\n  url: mqtt//127.0.0.1\n')).toBe(`F:2:3: mqtt.url: ${hint}; got "mqtt//127.0.0.1"`)
    expect(errorOf('mqtt:\n  url: "mqtt://"\n')).toBe(`F:2:3: mqtt.url: ${hint}; got "mqtt://"`)
    const withPassword = errorOf('mqtt:\n  url: http://bridge:hunter2-secret@broker:1883\n')
    expect(withPassword).toBe(`F:2:3: mqtt.url: ${hint}; got "http://[set, 21 chars]@broker:1883"`)
  })

  test('mqtt.url without mqtt.topics: the source would subscribe to nothing', () => {
    expect(errorOf('mqtt:\n  url: mqtt://127.0.0.1:1883\n  topics: []\n')).toBe(
      'F:3:3: mqtt.topics: is empty: with mqtt.url set the bridge would subscribe to nothing (give at least one topic filter, e.g. ["factory/+/alerts"])',
    )
  })

  test('an http(s) URL that does not parse names its key (it used to stop the start with "Invalid URL")', () => {
    expect(errorOf('ilert:\n  api_url: "https://"\n')).toBe('F:2:3: ilert.api_url: is not a valid http(s) URL; got "https://"')
    expect(errorOf('ilert:\n  api_url: https://api.ilert.com:99999\n')).toBe('F:2:3: ilert.api_url: is not a valid http(s) URL; got "https://api.ilert.com:99999"')
    expect(errorOf('heartbeat:\n  ping_url: http://beat example\n')).toBe('F:2:3: heartbeat.ping_url: is not a valid http(s) URL; got "http://beat example"')
    expect(errorOf('mcp:\n  web_url: https://u:hunter2@bad host\n')).toBe('F:2:3: mcp.web_url: is not a valid http(s) URL; got "https://[set, 9 chars]@bad host"')
  })

  test('retries.max_interval_seconds below base_interval_seconds', () => {
    expect(errorOf('retries:\n  base_interval_seconds: 10\n  max_interval_seconds: 5\n')).toBe(
      'F:3:3: retries.max_interval_seconds: must be >= retries.base_interval_seconds (got 5 < 10)',
    )
  })
})

describe('file problems', () => {
  test('missing file', () => {
    const r = loadConfig({ file: '/nonexistent/config.yaml' })
    expect(r).toEqual({ kind: 'error', message: 'cannot read config file /nonexistent/config.yaml: no such file' })
  })

  test('a directory', () => {
    const r = loadConfig({ file: '/tmp' })
    expect(r).toEqual({ kind: 'error', message: 'cannot read config file /tmp: is a directory' })
  })
})
