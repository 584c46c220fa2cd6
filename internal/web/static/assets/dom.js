// Small DOM helpers shared by the console and the guest page. Text is always set with
// textContent, never parsed as HTML.

/** h builds an element: h('p', {class: 'x', onclick: fn}, 'text', child, …). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** $ finds one element by id. */
export const $ = (id) => document.getElementById(id);

/** show/hide toggle the hidden attribute. */
export function show(el, visible = true) { el.hidden = !visible; }

/** formatTime renders an ISO time as a short local time (today) or date and time. */
export function formatTime(iso, locale) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const now = new Date();
  const sameDay = d.toDateString() === now.toDateString();
  const opts = sameDay ? { hour: '2-digit', minute: '2-digit' }
    : { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' };
  return d.toLocaleString(locale || undefined, opts);
}

/** announce speaks a message through a polite aria-live region. */
export function announce(region, text) {
  region.textContent = '';
  // A separate task, so that screen readers notice the change even for the same text.
  setTimeout(() => { region.textContent = text; }, 50);
}
