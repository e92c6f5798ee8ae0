/**
 * Everything /mcp needs from the MCP SDK (v2, `@modelcontextprotocol/server`), behind one module
 * that route.ts imports on the first MCP request. The SDK takes about as long to load as the rest
 * of the bridge, and a bridge that only forwards events should be ready without paying for it.
 */
export { createMcpHandler, isLegacyRequest, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server'
export { buildMcpServer } from './server'
