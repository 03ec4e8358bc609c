// Wires the demo page to the element and the demo server's controls.
const el = document.querySelector('reconnecting-session');
const config = await (await fetch('/config.json')).json();
el.url = config.url;
el.protocol = config.protocol;
// /?share: every tab opened so holds the one socket and session between them (close the one that holds it).
if (new URLSearchParams(location.search).has('share')) el.setAttribute('share', '');
el.connect();
setInterval(() => refresh(), 500);
setInterval(() => void figures(), 1000);

const $ = (selector) => document.querySelector(selector);
const line = (text) => {
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  $('#log').prepend(li);
  while ($('#log').children.length > 200) $('#log').lastChild.remove();
};
const refresh = () => {
  $('#queued').textContent = String(el.queued);
  $('#sid').textContent = el.sessionId ? `${el.sessionId.slice(0, 8)}…` : '–';
};

// A few lines of the server's /metrics: the sum of the series of `name` whose labels include every one of `having`.
const series = (name) => new RegExp(`^reconnecting_session_${name}(?:\\{(.*)\\})? (\\S+)$`, 'gm');
const figure = (text, name, ...having) =>
  [...text.matchAll(series(name))]
    .filter(([, labels = '']) => having.every((h) => labels.includes(h)))
    .reduce((sum, m) => sum + Number(m[2]), 0);
const figures = async () => {
  let text;
  try {
    text = await (await fetch('/metrics')).text();
  } catch {
    return;
  }
  $('#held').textContent = String(figure(text, 'sessions'));
  $('#attached').textContent = String(figure(text, 'sessions_attached'));
  $('#resumed').textContent = String(figure(text, 'hellos_total', 'outcome="resumed"'));
  // A new session with a reason (expired, unknown...) is a resume the server could not grant.
  const failed =
    figure(text, 'hellos_total', 'outcome="new"') - figure(text, 'hellos_total', 'outcome="new"', 'reason="none"');
  $('#failed').textContent = String(failed);
};

el.addEventListener('session-status', (e) => {
  const d = e.detail;
  $('#status').textContent = d.status;
  const parts = [];
  if (d.attempt) parts.push(`attempt ${d.attempt} of ${d.maxAttempts}`);
  if (d.delayMs !== null) parts.push(`next in ${(d.delayMs / 1000).toFixed(1)} s`);
  if (d.cause) parts.push(`cause: ${d.cause}${d.code ? ` (${d.code})` : ''}`);
  $('#detail').textContent = parts.length ? `(${parts.join(', ')})` : '';
  line(`status ${d.previous} → ${d.status} ${$('#detail').textContent}`);
  refresh();
});
el.addEventListener('session-message', (e) => {
  const data = e.detail.data;
  if (data && typeof data === 'object' && 'tick' in data) {
    $('#tick').textContent = String(data.tick);
    return;
  }
  line(`received #${e.detail.seq}: ${JSON.stringify(data)}`);
  refresh();
});
el.addEventListener('session-new', (e) =>
  line(
    `new session ${e.detail.sessionId.slice(0, 8)}…${e.detail.reason ? ` (old one: ${e.detail.reason}, ${e.detail.carriedOver} message(s) carried over)` : ''}`,
  ),
);
el.addEventListener('session-resumed', (e) =>
  line(
    `resumed after ${(e.detail.outageMs / 1000).toFixed(1)} s: ${e.detail.replayedToServer} sent again, ${e.detail.replayedFromServer ?? '?'} replayed to us`,
  ),
);
el.addEventListener('session-recovered', (e) =>
  line(
    `outage report: ${(e.detail.outageMs / 1000).toFixed(1)} s, cause ${e.detail.cause}, ${e.detail.attempts} attempt(s)`,
  ),
);
el.addEventListener('session-error', (e) => line(`error (${e.detail.kind}): ${e.detail.message}`));
el.addEventListener('session-reload', () => line('reload requested'));

for (const action of ['drop', 'stop', 'start', 'restart', 'drain']) {
  $(`#${action}`).addEventListener('click', async () => {
    const res = await fetch(`/control/${action}`, { method: 'POST' });
    line(`server ${action}: ${await res.text()}`);
  });
}

// A page cannot switch the network off; overriding navigator.onLine and firing the events shows
// exactly what the element does when the browser reports it.
let forcedOffline = false;
Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => !forcedOffline });
$('#offline').addEventListener('click', async () => {
  forcedOffline = true;
  window.dispatchEvent(new Event('offline'));
  line('browser reports offline');
  // Without a network an open socket dies too; the demo's network is still there, so cut it.
  if (el.status === 'open') await fetch('/control/drop', { method: 'POST' });
});
$('#online').addEventListener('click', () => {
  forcedOffline = false;
  window.dispatchEvent(new Event('online'));
  line('browser reports online');
});

$('#mode').addEventListener('change', (e) => el.setAttribute('overlay', e.target.value));
$('#reconnect').addEventListener('change', (e) => el.setAttribute('reconnect', e.target.value));
$('#custom').addEventListener('change', (e) => {
  if (e.target.checked) el.append($('#custom-messages').content.cloneNode(true));
  else for (const node of el.querySelectorAll(':scope > [slot]')) node.remove();
});

$('#form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $('#text');
  if (!input.value) return;
  el.send({ chat: input.value });
  line(`sent ${JSON.stringify(input.value)}${el.status === 'open' ? '' : ' (queued)'}`);
  input.value = '';
  refresh();
});
