/**
 * Syslog message parsing: RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`) and the BSD
 * format of RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG`), told apart by the "1 " after
 * PRI. A 3164 message without a recognisable timestamp/host keeps everything after PRI as its
 * message, as RFC 3164 section 4.3 asks of relays. A message without a valid PRI is rejected
 * (reason no_priority); a 5424 header that does not parse is `bad_header`.
 */

export const SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const
export const FACILITY_NAMES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'security', 'console', 'solaris-cron', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'] as const

export interface SyslogMessage {
  format: 'rfc5424' | 'rfc3164'
  facility: number
  severity: number
  timestamp?: string
  hostname?: string
  appName?: string
  procId?: string
  msgId?: string
  structuredData?: string
  message: string
}

export type ParseResult = { kind: 'ok'; msg: SyslogMessage } | { kind: 'error'; reason: 'no_priority' | 'bad_header'; message: string }

const nil = (s: string | undefined) => (s === undefined || s === '-' || s === '' ? undefined : s)
const MONTHS = /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-9]\d \d\d:\d\d:\d\d /

export function parseSyslog(text: string): ParseResult {
  const m = /^<(\d{1,3})>/.exec(text)
  if (m === null) return { kind: 'error', reason: 'no_priority', message: 'does not start with <PRI>' }
  const pri = Number(m[1])
  if (pri > 191) return { kind: 'error', reason: 'no_priority', message: `PRI ${pri} is above 191` }
  const facility = pri >> 3
  const severity = pri & 7
  const rest = text.slice(m[0].length)
  if (rest.startsWith('1 ')) return parse5424(rest.slice(2), facility, severity)
  return { kind: 'ok', msg: parse3164(rest, facility, severity) }
}

function parse5424(s: string, facility: number, severity: number): ParseResult {
  const fields: string[] = []
  let at = 0
  for (let i = 0; i < 5; i++) {
    const sp = s.indexOf(' ', at)
    if (sp === -1) return { kind: 'error', reason: 'bad_header', message: 'RFC 5424 header has fewer than 7 fields' }
    fields.push(s.slice(at, sp))
    at = sp + 1
  }
  const sdEnd = structuredDataEnd(s, at)
  if (sdEnd === -1) return { kind: 'error', reason: 'bad_header', message: 'RFC 5424 structured data does not parse' }
  const sd = s.slice(at, sdEnd)
  let message = s.slice(sdEnd)
  if (message.startsWith(' ')) message = message.slice(1)
  if (message.startsWith('\uFEFF')) message = message.slice(1)
  const [timestamp, hostname, appName, procId, msgId] = fields
  const msg: SyslogMessage = { format: 'rfc5424', facility, severity, message }
  if (nil(timestamp)) msg.timestamp = timestamp
  if (nil(hostname)) msg.hostname = hostname
  if (nil(appName)) msg.appName = appName
  if (nil(procId)) msg.procId = procId
  if (nil(msgId)) msg.msgId = msgId
  if (nil(sd)) msg.structuredData = sd
  return { kind: 'ok', msg }
}

/** Index just past STRUCTURED-DATA starting at `at` ("-" or [..][..]), or -1. */
function structuredDataEnd(s: string, at: number): number {
  if (s[at] === '-') return at + 1
  if (s[at] !== '[') return -1
  let i = at
  while (s[i] === '[') {
    let inQuote = false
    i++
    for (; i < s.length; i++) {
      const ch = s[i]
      if (inQuote && ch === '\\') {
        i++
        continue
      }
      if (ch === '"') inQuote = !inQuote
      else if (ch === ']' && !inQuote) break
    }
    if (i >= s.length) return -1
    i++
  }
  return i
}

function parse3164(s: string, facility: number, severity: number): SyslogMessage {
  const msg: SyslogMessage = { format: 'rfc3164', facility, severity, message: s }
  if (!MONTHS.test(s)) return msg
  msg.timestamp = s.slice(0, 15)
  let rest = s.slice(16)
  const sp = rest.indexOf(' ')
  if (sp > 0) {
    msg.hostname = rest.slice(0, sp)
    rest = rest.slice(sp + 1)
  }
  const tag = /^([^\s\[:]{1,48})(?:\[([^\]]{1,128})\])?:\s?/.exec(rest)
  if (tag) {
    msg.appName = tag[1]
    if (tag[2] !== undefined) msg.procId = tag[2]
    rest = rest.slice(tag[0].length)
  }
  msg.message = rest
  return msg
}
