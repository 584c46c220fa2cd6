// The staff console: login, inbox, conversation, live updates. It speaks only the staff API
// (/api/v1) with the bearer token kept in sessionStorage (one tab, one login).
import { $, show, announce } from '/assets/dom.js';
import { LiveStream } from '/assets/sse.js';
import { StaffApi } from './api.js';
import { Inbox } from './inbox.js';
import { Thread } from './thread.js';

const BASE_TITLE = 'Concierge console';

class Console {
  constructor() {
    this.api = new StaffApi(() => this.loggedOut('Your session has ended. Please log in again.'));
    this.user = null;
    this.stream = null;
    this.inbox = new Inbox(this);
    this.thread = new Thread(this);
    this.bind();
  }

  bind() {
    $('login-form').addEventListener('submit', (e) => { e.preventDefault(); this.login(); });
    $('logout').addEventListener('click', () => this.logout());
    document.addEventListener('visibilitychange', () => { if (!document.hidden) this.updateTitle(); });
  }

  async start() {
    if (!this.api.token) { this.showLogin(); return; }
    try {
      const me = await this.api.me();
      if (me.kind !== 'user') throw new Error('not a staff user');
      this.user = me.user;
      await this.enter();
    } catch {
      this.api.setToken('');
      this.showLogin();
    }
  }

  showLogin(message) {
    show($('app-view'), false);
    show($('login-view'), true);
    document.title = BASE_TITLE;
    const err = $('login-error');
    err.textContent = message || '';
    show(err, Boolean(message));
    $('login-username').focus();
  }

  async login() {
    const username = $('login-username').value.trim();
    const password = $('login-password').value;
    const err = $('login-error');
    if (!username || !password) {
      err.textContent = 'Enter your username and password.';
      show(err, true);
      return;
    }
    $('login-submit').disabled = true;
    try {
      const answer = await this.api.login(username, password);
      this.api.setToken(answer.token);
      this.user = answer.user;
      $('login-password').value = '';
      show(err, false);
      await this.enter();
    } catch (e) {
      err.textContent = e.status === 401 || e.code === 'AuthenticationFailed'
        ? 'Wrong username or password.' : e.message;
      show(err, true);
      $('login-password').select();
    } finally {
      $('login-submit').disabled = false;
    }
  }

  async logout() {
    try { await this.api.logout(); } catch { /* the token is dropped anyway */ }
    this.loggedOut();
  }

  loggedOut(message) {
    if (this.stream) this.stream.stop();
    this.stream = null;
    this.api.setToken('');
    this.user = null;
    this.thread.clear();
    this.inbox.clear();
    this.showLogin(message);
  }

  async enter() {
    show($('login-view'), false);
    show($('app-view'), true);
    $('who').textContent = `${this.user.displayName || this.user.username} (${this.user.role})`;
    // The stream starts first: events that happen while the inbox loads are applied on top
    // (a stream without a resume point starts at the newest event).
    this.startStream();
    await this.inbox.init();
  }

  startStream() {
    if (this.stream) this.stream.stop();
    this.stream = new LiveStream({
      url: '/api/v1/events',
      headers: () => this.api.authHeaders(),
      onState: (state) => this.setLive(state),
      onEvent: (ev) => this.onEvent(ev),
      onAuthFailure: () => this.loggedOut('Your session has ended. Please log in again.'),
    });
    this.stream.start();
  }

  setLive(state) {
    const el = $('live');
    el.dataset.state = state;
    el.textContent = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…' }[state] || state;
  }

  onEvent(ev) {
    const d = ev.data || {};
    switch (ev.type) {
      case 'reload':
        this.inbox.reload();
        this.thread.refresh();
        return;
      case 'message.created':
        if (d.message) {
          this.inbox.onMessage(d.conversationCode, d.message);
          this.thread.onMessage(d.conversationCode, d.message);
        }
        return;
      case 'message.translated':
        if (d.message) this.thread.onMessage(d.conversationCode, d.message, true);
        return;
      case 'conversation.updated':
      case 'message.read':
      case 'order.updated':
        if (d.conversation) {
          this.inbox.onConversation(d.conversation, ev.type === 'conversation.updated');
          this.thread.onConversation(d.conversation, ev.type, d.order);
        }
        return;
      default:
    }
  }

  /** cue tells the agent about a new conversation: the list item flashes, the title counts. */
  cue(text) {
    announce($('announcer'), text);
    this.updateTitle();
  }

  updateTitle() {
    const n = this.inbox.unreadConversations();
    document.title = n > 0 ? `(${n}) ${BASE_TITLE}` : BASE_TITLE;
  }

  error(message) {
    const el = $('app-error');
    el.textContent = message || '';
    show(el, Boolean(message));
  }

  /** open shows a conversation (and, on narrow screens, hides the inbox). */
  async open(code) {
    document.body.classList.add('viewing');
    this.inbox.setCurrent(code);
    await this.thread.open(code);
  }

  back() {
    document.body.classList.remove('viewing');
    this.inbox.focusCurrent();
  }
}

new Console().start();
