// Wires the demo page: creates the element for the demo server and logs what it reports.
const config = await (await fetch('/config.json')).json();
const el = document.createElement('reconnecting-session');
el.setAttribute('url', config.url);
el.setAttribute('protocol', config.protocol);
document.body.prepend(el);
el.append(document.querySelector('main'));

const log = document.querySelector('#log');
const line = (text) => {
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  log.prepend(li);
  while (log.children.length > 200) log.lastChild.remove();
};

el.addEventListener('session-status', (e) => {
  const d = e.detail;
  document.querySelector('#status').textContent = d.status;
  const parts = [];
  if (d.attempt) parts.push(`attempt ${d.attempt} of ${d.maxAttempts}`);
  if (d.delayMs !== null) parts.push(`next in ${(d.delayMs / 1000).toFixed(1)} s`);
  if (d.cause) parts.push(`cause: ${d.cause}`);
  document.querySelector('#detail').textContent = parts.join(', ');
  line(`status ${d.previous} → ${d.status}${parts.length ? ` (${parts.join(', ')})` : ''}`);
});
el.addEventListener('session-message', (e) => {
  const text = typeof e.detail.data === 'string' ? e.detail.data : JSON.stringify(e.detail.data);
  if (!text.includes('"tick"')) line(`received ${text}`);
  else document.title = `tick ${JSON.parse(text).tick} · reconnecting-session demo`;
});
el.addEventListener('session-recovered', (e) => line(`recovered after ${(e.detail.outageMs / 1000).toFixed(1)} s, ${e.detail.attempts} attempt(s), cause ${e.detail.cause}`));
el.addEventListener('session-error', (e) => line(`error (${e.detail.kind}): ${e.detail.message}`));

for (const action of ['drop', 'stop', 'start', 'restart']) {
  document.querySelector(`#${action}`).addEventListener('click', async () => {
    const res = await fetch(`/control/${action}`, { method: 'POST' });
    line(`server ${action}: ${await res.text()}`);
  });
}

// Offline cannot be forced from a page; dispatching the events shows how the element reacts.
let forcedOffline = false;
Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => !forcedOffline });
document.querySelector('#offline').addEventListener('click', () => {
  forcedOffline = true;
  window.dispatchEvent(new Event('offline'));
  line('simulated offline');
});
document.querySelector('#online').addEventListener('click', () => {
  forcedOffline = false;
  window.dispatchEvent(new Event('online'));
  line('simulated online');
});

document.querySelector('#form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = document.querySelector('#text');
  if (!input.value) return;
  el.send(input.value);
  line(`sent ${input.value}${el.status === 'open' ? '' : ' (queued)'}`);
  input.value = '';
});
