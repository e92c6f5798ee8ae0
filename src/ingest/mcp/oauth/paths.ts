/**
 * The paths of the bridge's OAuth endpoints for /mcp, on their own so the HTTP gate can list them
 * as open (they check their own credentials) without loading the OAuth server at start.
 */
export const OAUTH_PATHS = [
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/mcp',
  '/.well-known/oauth-authorization-server',
  '/oauth/register',
  '/oauth/authorize',
  '/oauth/token',
  '/oauth/revoke',
] as const
