// The guest chat page: a reference client of the guest V40 API. Open it as
// /guest/?property=DEMO&token=demo-interface-token (the integrator's interface token; without
// it the page asks for it). Optional: &lang=es for the page's language before login.
import { $, h, show, formatTime, announce } from '/assets/dom.js';
import { LiveStream } from '/assets/sse.js';
import { GuestApi } from './api.js';
import { LANGUAGES, pick, translator } from './i18n.js';

const params = new URLSearchParams(location.search);

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

/** deviceId is this browser's identifier as a non-verified guest, kept across visits. */
function deviceId() {
  let id = localStorage.getItem('concierge.guestId');
  if (!id) { id = `web-${newKey()}`; localStorage.setItem('concierge.guestId', id); }
  return id;
}

class GuestPage {
  constructor() {
    this.api = new GuestApi(() => this.ended());
    this.lang = pick(params.get('lang') || (this.api.session && this.api.session.languageCode) || navigator.language);
    this.t = translator(this.lang);
    this.convs = new Map(); // code → summary
    this.code = '';
    this.conv = null; // the open conversation, with messages
    this.stream = null;
    this.sendKey = '';
    this.createKey = '';
    this.bind();
  }

  bind() {
    $('login-form').addEventListener('submit', (e) => { e.preventDefault(); this.login(); });
    for (const r of document.querySelectorAll('input[name=mode]')) r.addEventListener('change', () => this.modeChanged());
    $('login-language').addEventListener('change', () => {
      this.setLanguage($('login-language').value || pick(navigator.language));
    });
    $('logout').addEventListener('click', () => this.logout());
    $('new-conv').addEventListener('click', () => this.showNew());
    $('new-form').addEventListener('submit', (e) => { e.preventDefault(); this.create(); });
    $('new-cancel').addEventListener('click', () => this.closePane());
    $('chat-form').addEventListener('submit', (e) => { e.preventDefault(); this.send(); });
    $('chat-text').addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); this.send(); }
    });
    $('chat-text').addEventListener('input', () => { this.sendKey = ''; });
    $('new-text').addEventListener('input', () => { this.createKey = ''; });
    $('back').addEventListener('click', () => this.closePane());
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && document.body.classList.contains('viewing') && !e.target.closest('select')) this.closePane();
    });
  }

  setLanguage(lang) {
    this.lang = pick(lang);
    this.t = translator(this.lang);
    document.documentElement.lang = this.lang;
    document.title = this.t('title');
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = this.t(el.dataset.i18n);
    $('chat-text').placeholder = this.t('placeholder');
    this.setLive($('live').dataset.state);
  }

  async start() {
    this.fillLogin();
    if (this.api.session) {
      this.setLanguage(this.api.session.languageCode);
      try { await this.enter(); return; } catch { /* fall back to the login form */ }
    }
    this.setLanguage(this.lang);
    this.showLogin();
  }

  fillLogin() {
    const sel = $('login-language');
    sel.replaceChildren(h('option', { value: '' }, '—'));
    for (const [code, name] of Object.entries(LANGUAGES)) sel.append(h('option', { value: code, lang: code }, name));
    if (params.get('lang')) sel.value = pick(params.get('lang'));
    $('login-property').value = params.get('property') || '';
    const token = params.get('token');
    if (token) { $('login-token').value = token; show($('token-field'), false); }
  }

  modeChanged() {
    const room = $('mode-room').checked;
    for (const el of document.querySelectorAll('.room-only')) show(el, room);
    for (const el of document.querySelectorAll('.guest-only')) show(el, !room);
  }

  showLogin(message) {
    show($('app-view'), false);
    show($('login-view'), true);
    const err = $('login-error');
    err.textContent = message || '';
    show(err, Boolean(message));
    const first = ['login-property', 'login-room'].map($).find((el) => el.offsetParent !== null && !el.value);
    (first || $('login-submit')).focus();
  }

  async login() {
    const mode = $('mode-room').checked ? 'room' : 'guest';
    const input = {
      mode,
      propertyCode: $('login-property').value.trim(),
      interfaceToken: $('login-token').value.trim(),
      roomNumber: $('login-room').value.trim(),
      lastName: $('login-lastname').value.trim(),
      identifier: deviceId(),
      languageCode: $('login-language').value,
    };
    const err = $('login-error');
    if (!input.propertyCode || !input.interfaceToken || (mode === 'room' && (!input.roomNumber || !input.lastName))) {
      err.textContent = this.t('loginMissing');
      show(err, true);
      return;
    }
    $('login-submit').disabled = true;
    try {
      const s = await this.api.initialise(input);
      const name = $('login-name').value.trim();
      if (mode === 'guest' && name) {
        const [first, ...rest] = name.split(/\s+/);
        s.form = { firstName: first, lastName: rest.join(' ') };
        this.api.save();
      }
      this.setLanguage(s.languageCode);
      show(err, false);
      await this.enter();
    } catch (e) {
      err.textContent = e.areaError === 'GuestVerificationFailed' ? this.t('loginFailed') : (e.message || this.t('error'));
      show(err, true);
    } finally {
      $('login-submit').disabled = false;
    }
  }

  async enter() {
    const s = this.api.session;
    this.convs.clear();
    this.outlets = await this.api.outlets();
    show($('login-view'), false);
    show($('app-view'), true);
    $('hotel-name').textContent = s.propertyCode;
    const name = [s.guestFirstName, s.guestLastName].filter(Boolean).join(' ')
      || (s.form ? [s.form.firstName, s.form.lastName].filter(Boolean).join(' ') : '');
    $('who').textContent = [name, s.roomNumber && `${this.t('roomLabel')} ${s.roomNumber}`].filter(Boolean).join(' · ');
    this.startStream();
    await this.loadConversations();
    if (this.convs.size === 0) this.showNew();
  }

  async logout() {
    if (this.stream) this.stream.stop();
    try { await this.api.logout(); } catch { /* the session is dropped anyway */ }
    this.reset();
    this.showLogin();
  }

  ended() {
    this.reset();
    this.api.session = null;
    this.api.save();
    this.showLogin(this.t('sessionEnded'));
  }

  reset() {
    if (this.stream) this.stream.stop();
    this.stream = null;
    this.code = '';
    this.conv = null;
    this.convs.clear();
    $('conv-list').replaceChildren();
    $('chat-messages').replaceChildren();
    show($('chat'), false);
    show($('new-form'), false);
    document.body.classList.remove('viewing');
  }

  startStream() {
    if (this.stream) this.stream.stop();
    this.stream = new LiveStream({
      url: '/API/V40/Interactive/Messages/Events',
      headers: () => this.api.authHeaders(),
      onState: (state) => this.setLive(state),
      onEvent: (ev) => this.onEvent(ev),
      onAuthFailure: () => this.ended(),
    });
    this.stream.start();
  }

  setLive(state) {
    const el = $('live');
    el.dataset.state = state || 'connecting';
    el.textContent = this.t(state || 'connecting');
  }

  error(message) {
    $('app-error').textContent = message || '';
    show($('app-error'), Boolean(message));
  }

  async loadConversations() {
    try {
      const list = await this.api.conversations();
      this.convs = new Map(list.map((c) => [c.code, c]));
      this.renderList();
      this.error('');
    } catch (e) {
      this.error(e.message || this.t('error'));
    }
  }

  onEvent(ev) {
    const d = ev.data || {};
    switch (ev.type) {
      case 'reload':
        this.loadConversations();
        if (this.code) this.open(this.code, false);
        return;
      case 'message.created':
        if (d.message) this.onMessage(d.conversationCode, d.message);
        return;
      case 'message.translated':
        // The translation replaces the text of a message already shown.
        if (d.message && d.conversationCode === this.code && this.conv) {
          const i = this.conv.messages.findIndex((x) => x.code === d.message.code);
          if (i >= 0) { this.conv.messages[i] = d.message; this.renderMessages(); }
        }
        return;
      case 'conversation.updated':
      case 'message.read':
      case 'order.updated':
        if (d.conversation) {
          const old = this.convs.get(d.conversation.code) || {};
          this.convs.set(d.conversation.code, { ...old, ...d.conversation });
          this.renderList();
          if (d.conversation.code === this.code && this.conv) {
            this.conv = { ...this.conv, ...d.conversation, messages: this.conv.messages };
            this.renderHead();
            // Read receipts changed: fetch the messages' read state.
            if (ev.type === 'message.read') this.open(this.code, false);
          }
        }
        return;
      default:
    }
  }

  onMessage(code, m) {
    const summary = this.convs.get(code);
    if (summary) {
      summary.lastMessageDate = m.createDate;
      if (m.messageType !== 'Guest' && code !== this.code) summary.unreadCount = (summary.unreadCount || 0) + 1;
      this.renderList();
    } else {
      this.loadConversations();
    }
    if (code === this.code && this.conv) {
      const i = this.conv.messages.findIndex((x) => x.code === m.code);
      if (i >= 0) this.conv.messages[i] = m; else this.conv.messages.push(m);
      this.renderMessages();
      if (m.messageType !== 'Guest') this.markRead();
    }
    if (m.messageType !== 'Guest') {
      announce($('announcer'), `${this.t('newReply')} ${m.serviceCenterName || this.t('hotel')}`);
    }
  }

  renderList() {
    const list = [...this.convs.values()].sort((a, b) =>
      (b.lastMessageDate || '').localeCompare(a.lastMessageDate || ''));
    $('conv-list').replaceChildren(...list.map((c) => h('li', {}, h('button', {
      type: 'button', class: 'conv-item', dataset: { code: c.code },
      'aria-current': c.code === this.code ? 'true' : null,
      onclick: () => this.open(c.code, true),
    },
    h('span', { class: 'name' }, c.outletName || c.subject),
    c.unreadCount > 0 ? h('span', { class: 'badge' }, String(c.unreadCount), h('span', { class: 'visually-hidden' }, ` ${this.t('unread')}`))
      : h('span', { class: 'muted' }, formatTime(c.lastMessageDate, this.lang)),
    h('span', { class: 'sub' }, [c.subject !== (c.outletName || c.subject) && c.subject,
      c.conversationStatus === 'Closed' ? this.t('statusClosed') : this.t('statusOpen')].filter(Boolean).join(' · '))))));
    show($('conv-empty'), list.length === 0);
  }

  showNew() {
    this.code = '';
    this.renderList();
    show($('chat'), false);
    const sel = $('new-outlet');
    const verified = this.api.session.verified;
    const usable = (this.outlets || []).filter((o) => o.allowGuestMessages && (verified || o.allowNonVerifiedGuests));
    // Open outlets first, then the closed ones (a closed outlet still takes messages).
    usable.sort((a, b) => Number(b.isOpen) - Number(a.isOpen));
    sel.replaceChildren(...usable.map((o) => h('option', { value: o.code },
      o.isOpen ? o.name : `${o.name} (${this.t('closedNow')})`)));
    show($('new-error'), usable.length === 0);
    $('new-error').textContent = usable.length === 0 ? this.t('noOutlets') : '';
    $('new-send').disabled = usable.length === 0;
    show($('new-form'), true);
    document.body.classList.add('viewing');
    sel.focus();
  }

  closePane() {
    show($('new-form'), false);
    show($('chat'), false);
    const code = this.code;
    this.code = '';
    document.body.classList.remove('viewing');
    this.renderList();
    const btn = code && $('conv-list').querySelector(`[data-code="${CSS.escape(code)}"]`);
    (btn || $('new-conv')).focus();
  }

  async create() {
    const outlet = $('new-outlet').value;
    const text = $('new-text').value.trim();
    if (!outlet || !text) { $('new-text').focus(); return; }
    if (!this.createKey) this.createKey = newKey();
    $('new-send').disabled = true;
    try {
      const conv = await this.api.create(outlet, text, this.api.session.form, this.createKey);
      this.createKey = '';
      $('new-text').value = '';
      show($('new-error'), false);
      show($('new-form'), false);
      const { messages, ...summary } = conv;
      this.convs.set(conv.code, { ...summary, unreadCount: 0, lastMessageDate: messages.length ? messages[messages.length - 1].createDate : '' });
      this.showChat(conv);
    } catch (e) {
      $('new-error').textContent = e.message || this.t('error');
      show($('new-error'), true);
    } finally {
      $('new-send').disabled = false;
    }
  }

  async open(code, focus) {
    try {
      const conv = await this.api.conversation(code);
      if (!focus && code !== this.code) return;
      this.showChat(conv, focus);
    } catch (e) {
      this.error(e.message || this.t('error'));
    }
  }

  showChat(conv, focus = true) {
    const changed = conv.code !== this.code;
    this.code = conv.code;
    this.conv = conv;
    show($('new-form'), false);
    show($('chat'), true);
    document.body.classList.add('viewing');
    if (changed) $('chat-messages').replaceChildren();
    this.renderHead();
    this.renderMessages();
    this.renderList();
    this.markRead();
    if (focus) $('chat-text').focus();
  }

  renderHead() {
    const c = this.conv;
    $('chat-title').textContent = c.outletName || c.subject;
    const closed = c.conversationStatus === 'Closed';
    $('chat-sub').textContent = [c.subject !== (c.outletName || c.subject) && c.subject,
      c.orderCode && `${this.t('order')} ${c.orderCode}`,
      closed ? this.t('statusClosed') : this.t('statusOpen')].filter(Boolean).join(' · ');
    $('chat').dataset.status = c.conversationStatus;
    show($('chat-closed'), closed);
  }

  renderMessages() {
    const list = $('chat-messages');
    const have = new Map([...list.children].map((li) => [li.dataset.code, li]));
    let prev = null;
    // Unchanged messages keep their nodes: the live region announces only what is new.
    for (const m of this.conv.messages) {
      const sig = JSON.stringify([m.content, m.isRead, m.isTranslated]);
      const old = have.get(m.code);
      have.delete(m.code);
      let node = old;
      if (!old || old.dataset.sig !== sig) {
        node = this.renderMessage(m);
        node.dataset.sig = sig;
        if (old) old.replaceWith(node);
      }
      if (!old) { if (prev) prev.after(node); else list.prepend(node); }
      prev = node;
    }
    for (const stale of have.values()) stale.remove();
    list.scrollTop = list.scrollHeight;
  }

  renderMessage(m) {
    const mine = m.messageType === 'Guest';
    const system = m.messageType === 'System';
    const author = mine ? this.t('you')
      : system ? (m.serviceCenterName || this.t('system'))
        : [[m.firstName, m.lastName].filter(Boolean).join(' '), m.serviceCenterName].filter(Boolean).join(' · ') || this.t('hotel');
    const meta = [h('span', { class: 'author' }, author), h('time', { datetime: m.createDate }, formatTime(m.createDate, this.lang))];
    if (m.isTranslated) meta.push(h('span', {}, this.t('translated')));
    if (mine) meta.push(h('span', { class: 'receipt', dataset: { read: String(m.isRead) } }, m.isRead ? `✓✓ ${this.t('seen')}` : `✓ ${this.t('sent')}`));
    return h('li', { class: `msg ${system ? 'system' : mine ? 'mine' : 'theirs'}`, dataset: { code: m.code } },
      h('div', { class: 'meta' }, meta),
      h('p', { class: 'text', lang: m.languageCode || null }, m.content));
  }

  markRead() {
    const c = this.conv;
    if (!c || document.hidden) return;
    const unread = c.messages.some((m) => m.messageType !== 'Guest' && !m.isRead);
    if (!unread) return;
    for (const m of c.messages) if (m.messageType !== 'Guest') m.isRead = true;
    const summary = this.convs.get(c.code);
    if (summary) { summary.unreadCount = 0; this.renderList(); }
    this.api.markRead(c.code).catch(() => { /* marked again at the next message */ });
  }

  async send() {
    const text = $('chat-text');
    const content = text.value.trim();
    if (!content || !this.code) return;
    if (!this.sendKey) this.sendKey = newKey();
    $('chat-send').disabled = true;
    try {
      const m = await this.api.send(this.code, content, this.sendKey);
      this.sendKey = '';
      text.value = '';
      show($('chat-error'), false);
      this.onMessage(this.code, m);
    } catch (e) {
      $('chat-error').textContent = e.message || this.t('error');
      show($('chat-error'), true);
    } finally {
      $('chat-send').disabled = false;
      text.focus();
    }
  }
}

new GuestPage().start();
