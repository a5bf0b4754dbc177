/**
 * `/auth/authorize`: the page where the person approves or declines the app. GET shows the page
 * (or, in an auto mode, decides at once); POST carries the click. After the decision the browser
 * is sent to redirect_uri exactly as given, with nothing appended.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { paramString, type RequestParams } from './body.js';
import type { EmulatorContext } from './context.js';
import { escapeHtml } from './html.js';
import { sendHtml } from './responses.js';
import type { RequestTokenRecord } from './store.js';

type Decision = 'approve' | 'decline';

function pageHeaders(nonce: string): Record<string, string> {
  return {
    // No scripts at all; only our own inline style. No form-action: Chromium would apply it to
    // the redirect that follows the form post, and redirect_uri may be any origin.
    'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; base-uri 'none'; frame-ancestors 'none'`,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

function layout(nonce: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">
body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem; color: #1a1a1a; }
.card { border: 1px solid #ccc; border-radius: 8px; padding: 1.5rem; }
.actions { display: flex; gap: 1rem; margin-top: 1.5rem; }
button { font-size: 1rem; padding: .6rem 1.4rem; border-radius: 6px; border: 1px solid #888; cursor: pointer; }
button:focus-visible { outline: 3px solid #0a58ca; outline-offset: 2px; }
#approve { background: #ef4056; color: #fff; border-color: #ef4056; }
.note { color: #555; font-size: .9rem; }
</style>
</head>
<body>
${body}
</body>
</html>`;
}

/** An error page (unknown or spent request token, mismatched redirect). */
function sendErrorPage(response: ServerResponse, status: number, message: string): void {
  const nonce = randomBytes(16).toString('base64');
  const body = `<main class="card"><h1>Authorization failed</h1><p>${escapeHtml(message)}</p></main>`;
  sendHtml(response, status, layout(nonce, 'Pocket emulator: authorization failed', body), pageHeaders(nonce));
}

function decide(context: EmulatorContext, record: RequestTokenRecord, decision: Decision): void {
  record.decision = decision === 'approve' ? 'approved' : 'declined';
  if (decision === 'approve') record.approvedBy = context.username;
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(302, { Location: location, 'Cache-Control': 'no-store', 'Content-Length': 0 });
  response.end();
}

/** The request token's record if it may still be decided; otherwise answers with an error page. */
function pendingRecord(
  context: EmulatorContext,
  response: ServerResponse,
  token: string | null,
): RequestTokenRecord | undefined {
  const record = token ? context.store.requestTokens.get(token) : undefined;
  if (!record) {
    sendErrorPage(response, 404, 'This authorization request is unknown. Start the login again from the app.');
    return undefined;
  }
  if (record.decision !== 'pending' || record.used) {
    sendErrorPage(response, 409, 'This authorization request has already been decided.');
    return undefined;
  }
  return record;
}

export function handleAuthorizePage(context: EmulatorContext, response: ServerResponse, query: URLSearchParams): void {
  const record = pendingRecord(context, response, query.get('request_token'));
  if (!record) return;
  // The page may repeat redirect_uri (the seed does); it must then be the one the app registered.
  const pageRedirect = query.get('redirect_uri');
  if (pageRedirect !== null && pageRedirect !== record.redirectUri) {
    sendErrorPage(response, 400, 'The redirect_uri does not match the one this authorization request was made with.');
    return;
  }
  if (context.approval !== 'page') {
    decide(context, record, context.approval === 'auto-approve' ? 'approve' : 'decline');
    redirect(response, record.redirectUri);
    return;
  }
  const appName = context.store.keys.get(record.consumerKey)?.appName ?? 'An application';
  const ticket = context.store.newPageTicket(record.token, record.redirectUri);
  const nonce = randomBytes(16).toString('base64');
  const body = `<main class="card">
<h1>Authorize ${escapeHtml(appName)}?</h1>
<p><strong>${escapeHtml(appName)}</strong> would like to access your Pocket list: read, add and change your saved items.</p>
<p class="note">Signed in as <strong>${escapeHtml(context.username)}</strong> (Pocket emulator).</p>
<form method="post" action="/auth/authorize">
<input type="hidden" name="ticket" value="${escapeHtml(ticket)}">
<div class="actions">
<button type="submit" id="approve" name="decision" value="approve">Authorize</button>
<button type="submit" id="decline" name="decision" value="decline">Decline</button>
</div>
</form>
</main>`;
  sendHtml(response, 200, layout(nonce, `Pocket emulator: authorize ${appName}`, body), pageHeaders(nonce));
}

/** The click: a form post with the page's ticket and the decision. */
export function handleAuthorizeDecision(
  context: EmulatorContext,
  _request: IncomingMessage,
  response: ServerResponse,
  params: RequestParams,
): void {
  const ticketValue = paramString(params, 'ticket');
  const decision = paramString(params, 'decision');
  const ticket = ticketValue ? context.store.takePageTicket(ticketValue) : undefined;
  if (!ticket || (decision !== 'approve' && decision !== 'decline')) {
    sendErrorPage(
      response,
      400,
      'This form has expired or was not sent by the authorization page. Start the login again from the app.',
    );
    return;
  }
  const record = pendingRecord(context, response, ticket.requestToken);
  if (!record) return;
  decide(context, record, decision);
  redirect(response, ticket.redirectUri);
}
