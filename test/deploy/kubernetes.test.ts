// deploy/kubernetes (plain manifests) and deploy/helm/mcp-ilert (the chart, rendered with several
// value sets) against the Kubernetes object schemas (kubernetes-models, and the Prometheus
// Operator's for the ServiceMonitor), plus what a deployment relies on across objects: the Service
// reaches the pod, the probes hit /healthz and /readyz on the bridge's port, the queue is on the
// volume the image declares, the config file is where the image's CMD reads it and loads cleanly.
import { describe, expect, test } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse, parseAllDocuments } from 'yaml'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Secret } from 'kubernetes-models/v1/Secret'
import { Service } from 'kubernetes-models/v1/Service'
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet'
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor'
import { loadConfig } from '../../src/config/load'
import { REPO_ROOT } from '../config/fixtures'
import { renderChart } from '../helpers/helm-subset'

const KINDS: Record<string, new (o: any) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/StatefulSet': StatefulSet,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
}

const K8S_DIR = join(REPO_ROOT, 'deploy', 'kubernetes')
const CHART = join(REPO_ROOT, 'deploy', 'helm', 'mcp-ilert')
const DOCKERFILE = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8')
const imageEnv = Object.fromEntries([...DOCKERFILE.matchAll(/(MCP_ILERT_\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]))

function plainManifests(): Record<string, any>[] {
  const k = parse(readFileSync(join(K8S_DIR, 'kustomization.yaml'), 'utf8')) as { resources: string[] }
  return k.resources.flatMap((f) => parseAllDocuments(readFileSync(join(K8S_DIR, f), 'utf8')).map((d) => d.toJSON() as Record<string, any>))
}

const SETS: [string, Record<string, any>[]][] = [
  ['plain manifests', plainManifests()],
  ['chart, default values', renderChart(CHART, 'mcp-ilert')],
  ['chart, existing secret, storage class, no ServiceMonitor', renderChart(CHART, 'bridge', { secret: { create: false }, existingSecret: 'ilert-keys', persistence: { storageClassName: 'fast' }, serviceMonitor: { enabled: false } })],
  ['chart, both keys', renderChart(CHART, 'prod', { secret: { integrationKey: 'il1api-x', apiKey: 'key' }, image: { tag: '9.9.9' } })],
]

const find = (objs: Record<string, any>[], kind: string) => objs.find((o) => o.kind === kind)

describe.each(SETS)('%s', (_name, objs) => {
  test('every object is valid against its Kubernetes schema', () => {
    expect(objs.length).toBeGreaterThanOrEqual(3)
    for (const o of objs) {
      const Model = KINDS[`${o.apiVersion}/${o.kind}`]
      if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`)
      expect(() => new Model(o).validate()).not.toThrow()
    }
  })

  test('a StatefulSet with one replica, the queue on a claim at the image\'s volume, probes on /healthz and /readyz', () => {
    const sts = find(objs, 'StatefulSet')!
    expect(sts.spec.replicas).toBe(1)
    const pod = sts.spec.template.spec
    const c = pod.containers[0]
    const data = c.volumeMounts.find((m: any) => m.name === 'data')
    expect(data.mountPath).toBe(imageEnv.MCP_ILERT_QUEUE_PATH)
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('data')
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' })
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' })
    expect(c.ports.map((p: any) => [p.name, p.containerPort])).toEqual([['http', 8080], ['tcp', 8081], ['metrics', 9090]])
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, fsGroup: 65532 })
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false })
    expect(sts.spec.selector.matchLabels).toEqual(sts.spec.template.metadata.labels)
  })

  test('the ports are the bridge\'s defaults and the config loads cleanly with the image\'s environment', () => {
    const cm = find(objs, 'ConfigMap')!
    const sts = find(objs, 'StatefulSet')!
    const c = sts.spec.template.spec.containers[0]
    const mount = c.volumeMounts.find((m: any) => m.name === 'config')
    expect(`${mount.mountPath}/config.yaml`).toBe(c.args[c.args.indexOf('--config') + 1])
    expect(sts.spec.template.spec.volumes.find((v: any) => v.name === 'config').configMap.name).toBe(cm.metadata.name)
    const file = join(tmpdir(), `mcp-ilert-k8s-${process.pid}-${cm.metadata.name}.yaml`)
    writeFileSync(file, cm.data['config.yaml'])
    const r = loadConfig({ file, env: { ...imageEnv, ILERT_INTEGRATION_KEY: 'il1api-test' } })
    if (r.kind === 'error') throw new Error(r.message)
    expect([r.config.listen.port, r.config.tcp.port, r.config.metrics.listen_port]).toEqual([8080, 8081, 9090])
    expect(r.config.queue.path).toBe('/var/lib/mcp-ilert')
    expect(sts.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(r.config.dispatch.drain_timeout_seconds)
  })

  test('the Service reaches the pod; keys come from a Secret; the ServiceMonitor scrapes the metrics port', () => {
    const svc = find(objs, 'Service')!
    const sts = find(objs, 'StatefulSet')!
    const labels = sts.spec.template.metadata.labels
    for (const [k, v] of Object.entries(svc.spec.selector)) expect(labels[k]).toBe(v)
    expect(svc.spec.ports.map((p: any) => p.targetPort)).toEqual(['http', 'tcp', 'metrics'])
    const secretName = sts.spec.template.spec.containers[0].envFrom[0].secretRef.name
    const secret = find(objs, 'Secret')
    if (secret) {
      expect(secret.metadata.name).toBe(secretName)
      expect(Object.keys(secret.stringData)).toContain('ILERT_INTEGRATION_KEY')
    } else expect(secretName).toBe('ilert-keys')
    expect(JSON.stringify(find(objs, 'ConfigMap'))).not.toMatch(/integration_key|api_key/)
    const sm = find(objs, 'ServiceMonitor')
    if (sm) {
      for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) expect(svc.metadata.labels[k]).toBe(v)
      expect(sm.spec.endpoints[0]).toMatchObject({ port: 'metrics', path: '/metrics' })
    }
  })
})

test('chart: image tag defaults to appVersion; the values override it', () => {
  const image = (objs: Record<string, any>[]) => find(objs, 'StatefulSet')!.spec.template.spec.containers[0].image
  expect(image(SETS[1]![1])).toBe('registry.example.com/mcp-ilert:0.1.0')
  expect(image(SETS[3]![1])).toBe('registry.example.com/mcp-ilert:9.9.9')
  expect(find(SETS[2]![1], 'StatefulSet')!.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('fast')
})

test('a schema violation is caught (the validation is real)', () => {
  const sts = structuredClone(find(SETS[0]![1], 'StatefulSet')!)
  sts.spec.template.spec.containers[0].ports[0].containerPort = 'http'
  expect(() => new StatefulSet(sts).validate()).toThrow(/containerPort must be integer/)
})
