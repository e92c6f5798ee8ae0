/**
 * Links to the ilert web app, which tool results cite (ChatGPT shows a result only with a url, and
 * a person must be able to open it). The base is mcp.web_url, else derived from ilert.api_url:
 * api.X → app.X (https://api.ilert.com → https://app.ilert.com), any other host as is (the
 * simulator serves these pages itself). Paths are the web app's: /alerts/{id}, /incidents/{id},
 * /services/{id}. Credentials in a URL never reach a link.
 */
import { withoutCredentials } from '../../security/url-credentials'
import type { LinkKind } from './tools/types'

const PATHS: Record<LinkKind, string> = { alert: 'alerts', incident: 'incidents', service: 'services' }

export function webAppBase(apiUrl: string, webUrl: string): string {
  if (webUrl !== '') return withoutCredentials(webUrl).replace(/\/+$/, '')
  const u = new URL(withoutCredentials(apiUrl))
  if (u.hostname.startsWith('api.')) u.hostname = `app.${u.hostname.slice(4)}`
  return u.origin
}

export const webLink = (base: string) => (kind: LinkKind, id: number) => `${base}/${PATHS[kind]}/${id}`
