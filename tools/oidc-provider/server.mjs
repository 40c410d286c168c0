#!/usr/bin/env node
// A local, real OpenID Provider for Asti's login tests (and, if wanted, the demo): npm `oidc-provider` v9
// with test persons as accounts and a login page that lists them as buttons.
//
// Usage: node tools/oidc-provider/server.mjs CONFIG.json
// It listens on config.host:config.port (port 0 picks a free one) and prints one JSON line to stdout,
// {"issuer": "http://127.0.0.1:PORT"}, once it answers. CONFIG.json:
//   {
//     "host": "127.0.0.1", "port": 0,
//     "clients": [{"client_id": "...", "client_secret": "...", "redirect_uris": ["..."],
//                  "post_logout_redirect_uris": ["..."], "grant_types": ["authorization_code", "refresh_token"]}],
//     "accounts": [{"sub": "...", "label": "shown on the button", "acr": "...", "amr": ["..."],
//                   "claims": {"given_name": "...", "national_id": "...", "loa": "substantial", ...}}]
//   }
// Every claim an account has is listed under the `openid` scope (given_name, family_name and
// preferred_username under `profile`), and conformIdTokenClaims is off, so they all reach the ID token as a
// city's Keycloak puts them there. PKCE is required of every client. Consent is granted without asking.
//
// Refresh tokens as Keycloak gives them: a client whose grant_types list refresh_token gets one with every code
// (no offline_access needed), bound to the person's session at the provider; each refresh answers a new one and
// uses up the old (a used one presented again revokes the whole grant). A refresh reads the account's claims
// again, and the accounts are read from CONFIG.json on every use: a test changes a person's groups, or removes
// the person, by rewriting the file. Tokens can be revoked at the revocation endpoint (RFC 7009).

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const PROFILE_CLAIMS = ['given_name', 'family_name', 'preferred_username', 'email'];

function loadConfig(path) {
  if (!path) {
    process.stderr.write('usage: server.mjs CONFIG.json\n');
    process.exit(2);
  }
  const config = JSON.parse(readFileSync(path, 'utf8'));
  config.host ??= '127.0.0.1';
  config.port ??= 0;
  config.clients ??= [];
  config.accounts ??= [];
  return config;
}

function accountsFrom(path) {
  const accounts = JSON.parse(readFileSync(path, 'utf8')).accounts ?? [];
  return new Map(accounts.map((a) => [a.sub, a]));
}

function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title></head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>`;
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: `test-${randomBytes(4).toString('hex')}`, use: 'sig', alg: 'RS256' };
}

function claimScopes(accounts) {
  const openid = new Set(['sub', 'acr', 'amr']);
  for (const account of accounts) {
    for (const name of Object.keys(account.claims ?? {})) {
      if (!PROFILE_CLAIMS.includes(name)) openid.add(name);
    }
  }
  return { openid: [...openid], profile: PROFILE_CLAIMS };
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

function loginPage(uid, accounts, clientId) {
  const buttons = accounts
    .map((a) => `<li><button type="submit" name="account" value="${escapeHtml(a.sub)}">${escapeHtml(a.label ?? a.sub)}</button></li>`)
    .join('\n');
  return page(
    'Test identification',
    `<p>Client: ${escapeHtml(clientId)}. Choose a test person.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<ul>
${buttons}
</ul>
</form>
<form method="post" action="/interaction/${escapeHtml(uid)}/abort">
<button type="submit" name="abort" value="yes">Cancel</button>
</form>`,
  );
}

async function main() {
  const configPath = process.argv[2];
  const config = loadConfig(configPath);
  const server = createServer();
  await new Promise((resolve) => server.listen(config.port, config.host, resolve));
  const { port } = server.address();
  const issuer = `http://${config.host}:${port}`;

  const provider = new Provider(issuer, {
    clients: config.clients.map((c) => ({
      client_id: c.client_id,
      client_secret: c.client_secret,
      redirect_uris: c.redirect_uris,
      post_logout_redirect_uris: c.post_logout_redirect_uris ?? [],
      grant_types: c.grant_types ?? ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: c.token_endpoint_auth_method ?? 'client_secret_basic',
    })),
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: claimScopes(config.accounts),
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          ctx.body = page(
            'Sign out',
            `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>`,
          );
        },
        postLogoutSuccessSource(ctx) {
          ctx.body = page('Signed out', '<p>You have signed out.</p>');
        },
      },
    },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, sub) {
      const account = accountsFrom(configPath).get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, ...(account.claims ?? {}), ...(account.amr ? { amr: account.amr } : {}) };
        },
      };
    },
    // Consent is auto-granted: the grant is created (or extended) with whatever the client asked for.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      let grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (!grant) {
        grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      }
      grant.addOIDCScope(ctx.oidc.params.scope ?? 'openid');
      await grant.save();
      return grant;
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page(
        'Error',
        Object.entries(out).map(([k, v]) => `<p><strong>${escapeHtml(k)}</strong>: ${escapeHtml(v)}</p>`).join('\n'),
      );
    },
  });
  provider.on('server_error', (ctx, error) => process.stderr.write(`server_error: ${error.stack}\n`));

  const handleProvider = provider.callback();
  server.on('request', async (req, res) => {
    const match = /^\/interaction\/([\w-]+)(\/(login|abort))?$/.exec(req.url.split('?')[0]);
    if (!match) {
      handleProvider(req, res);
      return;
    }
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== match[1]) {
        send(res, 400, page('Error', '<p>Interaction mismatch.</p>'));
        return;
      }
      const action = match[3];
      if (req.method === 'GET' && !action) {
        send(res, 200, loginPage(details.uid, [...accountsFrom(configPath).values()], details.params.client_id));
        return;
      }
      if (req.method === 'POST' && action === 'login') {
        const form = await readForm(req);
        const account = accountsFrom(configPath).get(form.get('account') ?? '');
        if (!account) {
          send(res, 400, page('Error', '<p>Unknown test person.</p>'));
          return;
        }
        const login = { accountId: account.sub, ...(account.acr ? { acr: account.acr } : {}) };
        if (account.amr) login.amr = account.amr;
        await provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
        return;
      }
      if (req.method === 'POST' && action === 'abort') {
        const result = { error: 'access_denied', error_description: 'the person cancelled the identification' };
        await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
        return;
      }
      send(res, 405, page('Error', '<p>Method not allowed.</p>'));
    } catch (error) {
      send(res, 400, page('Error', `<p>${escapeHtml(error.message)}</p>`));
    }
  });

  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
