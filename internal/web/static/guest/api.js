// A client of the guest V40 API (SPEC §3–4): every answer is the envelope
// {sessionToken, responsesIncluded, responses: [{name: {content, succeeded, areaError, message}}], status}.
// The client always keeps the sessionToken the server returns. POST calls carry the token in
// the body (SessionToken), GET calls and the event stream in the Authorization header
// ("Session <token>"), which SPEC §3.4 allows on every call.

export class GuestApiError extends Error {
  constructor(status, areaError, message, errors) {
    super(message || areaError || `HTTP ${status}`);
    this.status = status;
    this.areaError = areaError || '';
    this.errors = errors || [];
  }
}

const KEY = 'concierge.guestSession';

export class GuestApi {
  constructor(onExpired) {
    const saved = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    this.session = saved; // {token, propertyCode, languageCode, verified, guestFirstName, …}
    this.onExpired = onExpired;
  }

  get token() { return this.session ? this.session.token : ''; }

  save() {
    if (this.session) sessionStorage.setItem(KEY, JSON.stringify(this.session));
    else sessionStorage.removeItem(KEY);
  }

  authHeaders() { return this.token ? { Authorization: `Session ${this.token}` } : {}; }

  async call(method, path, { body, query, item, idempotencyKey } = {}) {
    const headers = { Accept: 'application/json' };
    const init = { method, headers, cache: 'no-store' };
    let url = `/API/V40/${path}`;
    if (method === 'GET') {
      Object.assign(headers, this.authHeaders());
      const q = new URLSearchParams(query || {});
      if ([...q].length) url += `?${q}`;
    } else {
      headers['Content-Type'] = 'application/json';
      const b = { ...(body || {}) };
      if (this.token && !('InterfaceToken' in b)) b.SessionToken = this.token;
      init.body = JSON.stringify(b);
    }
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
    let resp;
    let env;
    try {
      resp = await fetch(url, init);
      env = await resp.json();
    } catch {
      throw new GuestApiError(0, 'NetworkError', '');
    }
    if (env.sessionToken && this.session && env.sessionToken !== this.session.token) {
      this.session.token = env.sessionToken;
      this.save();
    }
    const entry = (env.responses || []).find((r) => Object.hasOwn(r, item))
      || (env.responses || [])[0] || {};
    const it = Object.values(entry)[0] || {};
    if (env.status !== 'Success' || !it.succeeded) {
      const failed = (env.responses || []).map((r) => Object.values(r)[0]).find((x) => !x.succeeded) || it;
      const err = new GuestApiError(resp.status, failed.areaError, failed.message, failed.errors);
      if (err.areaError === 'IdentityTokenInvalid' || err.areaError === 'IdentityTokenExpired') this.onExpired(err);
      throw err;
    }
    return { content: it.content, sessionToken: env.sessionToken };
  }

  /** initialise opens a session: by room (verified) or by a guest identifier (non-verified). */
  async initialise({ mode, propertyCode, interfaceToken, roomNumber, lastName, identifier, languageCode }) {
    const body = { PropertyCode: propertyCode, InterfaceToken: interfaceToken, Version: 'web-1' };
    if (languageCode) body.LanguageCode = languageCode;
    let path = 'System/Session/InitialiseByRoom';
    if (mode === 'room') Object.assign(body, { RoomNumber: roomNumber, LastName: lastName });
    else { path = 'System/Session/InitialiseByGuestIdentifier'; body.GuestUniqueIdentifier = identifier; }
    const { content, sessionToken } = await this.call('POST', path, { body, item: 'initialiseSessionResponse' });
    this.session = { token: sessionToken, verified: mode === 'room', ...content };
    this.save();
    return this.session;
  }

  async logout() {
    try { await this.call('POST', 'System/Session/Logout', { item: 'responseStatus' }); } finally {
      this.session = null;
      this.save();
    }
  }

  async outlets() {
    const { content } = await this.call('GET', 'System/Settings/Outlet', { item: 'getOutletSettingsResponse' });
    return content.outlets;
  }

  async conversations() {
    const { content } = await this.call('GET', 'Interactive/Messages/Conversations',
      { query: { PageLength: '100' }, item: 'getConversationsResponse' });
    return content.conversations;
  }

  async conversation(code) {
    const { content } = await this.call('GET', `Interactive/Messages/Conversations/${encodeURIComponent(code)}`,
      { item: 'getConversationResponse' });
    return content.conversation;
  }

  /** create starts a conversation; a non-verified session uses NonVerifiedGuestConversations. */
  async create(outletCode, message, form, idempotencyKey) {
    const verified = this.session.verified;
    const body = { OutletCode: outletCode, Message: message, ConversationType: 'guest' };
    if (!verified && form) body.OrderFormDetailsDictionary = form;
    const path = verified ? 'Interactive/Messages/Conversations' : 'Interactive/Messages/NonVerifiedGuestConversations';
    const { content } = await this.call('POST', path, { body, item: 'createConversationResponse', idempotencyKey });
    return content.conversation;
  }

  async send(code, message, idempotencyKey) {
    const { content } = await this.call('POST', `Interactive/Messages/Conversations/${encodeURIComponent(code)}/Messages`,
      { body: { Message: message, ConversationType: 'guest' }, item: 'addMessageResponse', idempotencyKey });
    return content.message;
  }

  async markRead(code) {
    await this.call('POST', `Interactive/Messages/Conversations/${encodeURIComponent(code)}/Read`, { item: 'responseStatus' });
  }
}
