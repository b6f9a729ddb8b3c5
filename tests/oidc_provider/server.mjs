// A real OpenID provider (panva's oidc-provider) on loopback for the end-to-end sign-in test.
// Environment: REDIRECT_URI (SWORD's callback), POST_LOGOUT_REDIRECT_URI (SWORD's sign-out page),
// CLIENT_ID, CLIENT_SECRET, EMAIL (the one user's verified address). Listens on a free port and prints {"issuer": ...} as its first line.
import http from 'node:http';
import Provider from 'oidc-provider';

const { REDIRECT_URI, POST_LOGOUT_REDIRECT_URI, CLIENT_ID, CLIENT_SECRET, EMAIL } = process.env;
const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [REDIRECT_URI],
      post_logout_redirect_uris: [POST_LOGOUT_REDIRECT_URI],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    conformIdTokenClaims: false,
    cookies: { keys: ['test-only-cookie-key'] },
    features: { devInteractions: { enabled: true } },
    async findAccount(ctx, id) {
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: EMAIL, email_verified: true };
        },
      };
    },
  });
  provider.proxy = false;
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
