/**
 * The bridge's name, version and build identity, for --version, the User-Agent, the start line and
 * mcp_build_info. Release binaries get the git revision baked in by scripts/build-release.ts
 * (`--define MCP_ILERT_BUILD_REVISION=...`); a run from source reports "source".
 */
import pkg from '../package.json' with { type: 'json' }

declare const MCP_ILERT_BUILD_REVISION: string | undefined

export const NAME = 'mcp-ilert'
export const VERSION: string = pkg.version
export const REVISION: string = typeof MCP_ILERT_BUILD_REVISION === 'string' ? MCP_ILERT_BUILD_REVISION : 'source'
/** "bun 1.4.5" plus " compiled" inside a `bun build --compile` binary. */
export const RUNTIME = `bun ${typeof Bun === 'undefined' ? '?' : Bun.version}${REVISION === 'source' ? '' : ' compiled'}`
export const USER_AGENT = `${NAME}/${VERSION} (+bun ${typeof Bun === 'undefined' ? '?' : Bun.version})`
export const versionLine = (): string => `${NAME} ${VERSION}`
