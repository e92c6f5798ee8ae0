/**
 * Renders the Helm chart in deploy/helm for tests, since helm itself cannot be installed here (not
 * in Debian, not on the npm registry). It implements only the subset of Go templates the chart uses
 * (values and .Release/.Chart fields, if/else/end, default, quote, toYaml, nindent, whitespace
 * trimming) with Helm's semantics, and throws on anything else, so a template the subset cannot
 * render fails the test instead of rendering wrongly. Where helm exists, `helm template` and
 * `helm lint` are the reference.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'

type Ctx = { Values: unknown; Release: { Name: string; Namespace: string }; Chart: { Name: string; Version: string; AppVersion: string } }
type Node = { kind: 'text'; text: string } | { kind: 'out'; expr: string } | { kind: 'if'; cond: string; then: Node[]; else: Node[] }

const truthy = (v: unknown) =>
  !(v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && Object.keys(v as object).length === 0))

function lex(src: string): { kind: 'text' | 'action'; text: string }[] {
  const out: { kind: 'text' | 'action'; text: string }[] = []
  const re = /\{\{(-?)\s*(.*?)\s*(-?)\}\}/gs
  let last = 0
  let trimNext = false
  for (let m = re.exec(src); m; m = re.exec(src)) {
    let text = src.slice(last, m.index)
    if (trimNext) text = text.replace(/^\s+/, '')
    if (m[1] === '-') text = text.replace(/\s+$/, '')
    out.push({ kind: 'text', text }, { kind: 'action', text: m[2]! })
    trimNext = m[3] === '-'
    last = re.lastIndex
  }
  let tail = src.slice(last)
  if (trimNext) tail = tail.replace(/^\s+/, '')
  out.push({ kind: 'text', text: tail })
  return out
}

function tree(tokens: ReturnType<typeof lex>): Node[] {
  const root: Node[] = []
  const stack: { nodes: Node[]; node?: Extract<Node, { kind: 'if' }>; inElse: boolean }[] = [{ nodes: root, inElse: false }]
  const top = () => stack[stack.length - 1]!
  for (const t of tokens) {
    if (t.kind === 'text') top().nodes.push({ kind: 'text', text: t.text })
    else if (t.text.startsWith('if ')) {
      const node: Extract<Node, { kind: 'if' }> = { kind: 'if', cond: t.text.slice(3), then: [], else: [] }
      top().nodes.push(node)
      stack.push({ nodes: node.then, node, inElse: false })
    } else if (t.text === 'else') {
      const f = top()
      if (!f.node || f.inElse) throw new Error('helm-subset: else without if')
      f.inElse = true
      f.nodes = f.node.else
    } else if (t.text === 'end') {
      if (stack.length === 1) throw new Error('helm-subset: end without if')
      stack.pop()
    } else if (/^(range|with|define|include|template|block|\$)/.test(t.text)) throw new Error(`helm-subset: unsupported action {{ ${t.text} }}`)
    else top().nodes.push({ kind: 'out', expr: t.text })
  }
  if (stack.length !== 1) throw new Error('helm-subset: unclosed if')
  return root
}

function value(term: string, ctx: Ctx): unknown {
  if (/^".*"$/.test(term)) return JSON.parse(term)
  if (/^-?\d+$/.test(term)) return Number(term)
  if (!term.startsWith('.')) throw new Error(`helm-subset: unsupported term ${term}`)
  let cur: unknown = ctx
  for (const seg of term.slice(1).split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined
  return cur
}

function apply(fn: string, args: unknown[]): unknown {
  switch (fn) {
    case 'quote':
      return JSON.stringify(String(args[0] ?? ''))
    case 'default':
      return truthy(args[1]) ? args[1] : args[0]
    case 'toYaml':
      return stringify(args[0]).replace(/\n$/, '')
    case 'nindent':
      return '\n' + String(args[1]).split('\n').map((l) => ' '.repeat(Number(args[0])) + l).join('\n')
    default:
      throw new Error(`helm-subset: unsupported function ${fn}`)
  }
}

function evaluate(expr: string, ctx: Ctx): unknown {
  let acc: unknown
  expr.split('|').forEach((stage, i) => {
    const [head, ...rest] = stage.trim().split(/\s+/)
    const args = rest.map((t) => value(t, ctx))
    if (head!.startsWith('.') || head!.startsWith('"')) {
      if (i > 0 || rest.length) throw new Error(`helm-subset: bad pipeline ${expr}`)
      acc = value(head!, ctx)
    } else acc = apply(head!, i === 0 ? args : [...args, acc])
  })
  return acc
}

function render(nodes: Node[], ctx: Ctx): string {
  return nodes
    .map((n) => {
      if (n.kind === 'text') return n.text
      if (n.kind === 'out') {
        const v = evaluate(n.expr, ctx)
        return v === undefined || v === null ? '' : String(v)
      }
      return render(truthy(evaluate(n.cond, ctx)) ? n.then : n.else, ctx)
    })
    .join('')
}

const merge = (base: unknown, over: unknown): unknown => {
  if (!over || typeof over !== 'object' || Array.isArray(over) || !base || typeof base !== 'object') return over === undefined ? base : over
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) }
  for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v)
  return out
}

/** `helm template RELEASE CHART --set ...` for this chart: the rendered objects, one per document. */
export function renderChart(chartDir: string, release: string, overrides: Record<string, unknown> = {}): Record<string, any>[] {
  const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { name: string; version: string; appVersion: string }
  const values = merge(parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')), overrides)
  const ctx: Ctx = { Values: values, Release: { Name: release, Namespace: 'default' }, Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion } }
  const docs: Record<string, any>[] = []
  for (const file of readdirSync(join(chartDir, 'templates')).filter((f) => f.endsWith('.yaml')).sort()) {
    const text = render(tree(lex(readFileSync(join(chartDir, 'templates', file), 'utf8'))), ctx)
    for (const doc of text.split(/^---$/m)) {
      const obj = parse(doc) as Record<string, any> | null
      if (obj) docs.push(obj)
    }
  }
  return docs
}
