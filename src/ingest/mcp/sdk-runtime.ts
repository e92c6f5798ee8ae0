/**
 * Everything /mcp needs from @modelcontextprotocol/sdk, behind one module that route.ts imports
 * on the first MCP request. The SDK takes about as long to load as the rest of the bridge, and
 * a bridge that only forwards events should be ready without paying for it.
 */
export { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
export { buildMcpServer } from './server'
