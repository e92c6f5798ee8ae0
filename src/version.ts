/** The bridge's name and version, from package.json, for --version and the User-Agent. */
import pkg from '../package.json' with { type: 'json' }

export const NAME = 'mcp-ilert'
export const VERSION: string = pkg.version
export const USER_AGENT = `${NAME}/${VERSION} (+bun ${typeof Bun === 'undefined' ? '?' : Bun.version})`
export const versionLine = (): string => `${NAME} ${VERSION}`
